// The analysis as a service for the CLI and the server: files in (path + text), findings out.
// Keeps per-file results keyed by content hash, so an unchanged file is never parsed twice.
import { createHash } from 'crypto';
import { buildApiIndex } from './api/index';
import { DEFAULT_MAX_FILE_SIZE } from './config/index';
import type { ApiEntry, ApiIndex } from './api/types';
import { ALL_CHECKS } from './checks/index';
import type { Check } from './checks/types';
import { analyzeProgram, type AnalysisResult, type SeveritySetting } from './core/analyze';
import { canonicaliseClasses, collectFieldTypes, fieldTypesSignature } from './core/classes';
import { buildCallIndex, computeProgramFacts, ProgramCache } from './core/program';
import type { CheckMeta } from './core/finding';
import type { FunctionFacts } from './core/facts';
import { lockInfoAt, type LockInfo } from './core/lock-info';
import { lowerC, lowerCReusing } from './frontend/c/index';
import { lowerGo } from './frontend/go/index';
import { parsingWithoutSal } from './frontend/c/sal-mask';
import type { FileIR, FileProblem, FunctionIR, Op } from './ir/types';
import { Dependents } from './dependents';
import { FunctionReuse } from './incremental';
import { editBetween, hasErrorWithin } from './syntax/edit';
import { createParser, isIncremental, parsedFromScratch, type ParserChoice, type TextRange, type TreeEdit } from './syntax/parser';
import type { Language, Parser, SyntaxTree } from './syntax/tree';

export interface EngineOptions {
  parser?: ParserChoice | Parser;
  extraApi?: { c: ApiEntry[]; go: ApiEntry[] };
  severities?: Record<string, SeveritySetting>;
  reportSameClassNesting?: boolean;
  /** Files larger than this are not analysed (generated register headers and the like). */
  maxFileSize?: number;
  /** Follow calls through function summaries (default). Off: each function on its own. */
  interprocedural?: boolean;
  /** Functions that run in interrupt context (configuration `contexts`). */
  contexts?: Record<'hardirq' | 'softirq' | 'nmi', readonly string[]>;
}

export interface FileEntry {
  hash: string;
  ir: FileIR;
}

export interface SetFileOptions {
  /**
   * Keep this file's syntax tree and per-function results for the next setFile of the same path
   * (the language server, for open documents): the next text is re-parsed incrementally and only
   * functions whose text changed are lowered again. Until `forgetSyntax` or `removeFile`, spans in
   * this file's IR and facts move in place when lines are inserted above them.
   */
  incremental?: boolean;
}

/** What an incrementally analysed file keeps between versions. */
interface LiveFile {
  language: Language;
  /** The text the tree was parsed from (lone CRs already made LFs). */
  text: string;
  /** WASM memory: freed by hand, always. */
  tree: SyntaxTree;
  functions: FunctionReuse;
  /**
   * The tree came from an incremental parse and has syntax errors. tree-sitter's error recovery
   * depends on which old subtrees it could reuse, so such a tree may differ from a fresh parse of
   * the same text; `settle()` re-parses it from scratch. Error-free incremental trees are exact.
   */
  provisional: boolean;
}

export { DEFAULT_MAX_FILE_SIZE };

export function languageOfPath(path: string): Language | undefined {
  if (/\.(c|h)$/i.test(path)) return 'c';
  if (/\.go$/i.test(path)) return 'go';
  return undefined;
}

export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export class Engine {
  readonly checks: readonly Check[] = ALL_CHECKS;
  private readonly files = new Map<string, FileEntry>();
  /** Open documents' trees and per-function results (setFile with `incremental`). */
  private readonly live = new Map<string, LiveFile>();
  private programCache = new ProgramCache();
  private typesSignature = '';
  /**
   * Functions (and annotation sets) whose lock classes are canonical under `typesSignature`: only
   * new ones are visited. A reused function gets its annotations read afresh (new objects).
   */
  private canonicalised = new WeakSet<object>();
  /** Which ProgramCache entries an edit made stale (beyond what the cache itself checks). */
  private readonly dependents = new Dependents();
  /** The ProgramCache holds nothing yet: nothing to invalidate. */
  private cacheEmpty = true;
  /** Function facts of the last analyze(): what hover and the lock graph answer from. */
  private lastFacts: readonly FunctionFacts[] = [];
  /** Bumped by every change to `files`; analyze() with no change since returns its last result. */
  private filesVersion = 0;
  private lastResult?: { version: number; result: AnalysisResult };

  private constructor(
    readonly parser: Parser,
    private readonly api: ApiIndex,
    private readonly options: EngineOptions,
  ) {}

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const parser = typeof options.parser === 'object' ? options.parser : await createParser(options.parser ?? 'auto');
    const api = buildApiIndex(options.extraApi?.c ?? [], options.extraApi?.go ?? []);
    return new Engine(parsingWithoutSal(parser), api, options);
  }

  get checkMetas(): CheckMeta[] {
    return this.checks.map((c) => c.meta);
  }

  /** The merged API tables (bundled + configured): quick fixes take release names from them. */
  get apiIndex(): ApiIndex {
    return this.api;
  }

  /** Function facts of the last analyze(): the lock graph and hover answer from them. */
  get functionFacts(): readonly FunctionFacts[] {
    return this.lastFacts;
  }

  /** The lock named at a 0-based position (an acquisition, release or call passing it), as of the last analyze(). */
  lockInfoAt(file: string, line: number, col: number): LockInfo | undefined {
    return lockInfoAt(this.lastFacts, file, line, col, this.options.reportSameClassNesting ?? false);
  }

  /** Lowers a file unless its content is unchanged (exploration happens in analyze()). Never throws on bad input. */
  setFile(path: string, text: string, options: SetFileOptions = {}): FileProblem[] {
    const language = languageOfPath(path);
    if (!language) return [];
    const max = this.options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    if (text.length > max) {
      this.files.delete(path);
      this.filesVersion++;
      this.forgetSyntax(path);
      return [{ span: zeroSpan(), message: `skipped: ${text.length} bytes is over the ${max}-byte limit (maxFileSize)` }];
    }
    const hash = contentHash(text);
    const cached = this.files.get(path);
    const incremental = options.incremental === true;
    if (!incremental) this.forgetSyntax(path);
    if (cached && cached.hash === hash && (!incremental || this.live.has(path))) return cached.ir.problems;
    const entry = incremental ? this.lowerIncrementally(path, text, language, hash) : this.lowerAndExplore(path, text, language, hash);
    this.files.set(path, entry);
    this.filesVersion++;
    return entry.ir.problems;
  }

  /**
   * Re-parses from scratch every incrementally analysed file whose tree is provisional (syntax
   * errors after an incremental parse) and re-lowers what differs, so the results are exactly a
   * from-scratch analysis of the same texts. Costs a full parse per such file: for idle time.
   * Returns the paths it re-read (analyze() again if any).
   */
  settle(): string[] {
    const settled: string[] = [];
    for (const [path, live] of [...this.live]) {
      const entry = this.files.get(path);
      if (!live.provisional || !entry) continue;
      this.files.set(path, this.lowerIncrementally(path, live.text, live.language, entry.hash, true));
      this.filesVersion++;
      settled.push(path);
    }
    return settled;
  }

  /** True while some incrementally analysed file awaits `settle()`. */
  get unsettled(): boolean {
    for (const live of this.live.values()) if (live.provisional) return true;
    return false;
  }

  /** Frees what `setFile(..., { incremental: true })` kept for `path` (a closed document); its analysis stays. */
  forgetSyntax(path: string): void {
    this.live.get(path)?.tree.delete();
    this.live.delete(path);
  }

  /** Frees every kept syntax tree: call before dropping an Engine that analysed files incrementally. */
  dispose(): void {
    for (const path of [...this.live.keys()]) this.forgetSyntax(path);
  }

  /** Stores a previously computed entry (disk cache, worker thread). */
  setEntry(path: string, entry: FileEntry): void {
    this.files.set(path, entry);
    this.filesVersion++;
  }

  getEntry(path: string): FileEntry | undefined {
    return this.files.get(path);
  }

  removeFile(path: string): void {
    this.files.delete(path);
    this.filesVersion++;
    this.forgetSyntax(path);
  }

  hasFile(path: string): boolean {
    return this.files.has(path);
  }

  get filePaths(): string[] {
    return [...this.files.keys()];
  }

  lowerAndExplore(path: string, text: string, language: Language, hash = contentHash(text)): FileEntry {
    let ir: FileIR;
    // A lone CR ends a line for editors and LSP but not for tree-sitter: same length, so every
    // offset and column stays put while rows match what the user sees.
    if (text.includes('\r')) text = text.replace(/\r(?!\n)/g, '\n');
    let tree: SyntaxTree;
    try {
      tree = this.parser.parse(language, text);
    } catch (err) {
      const problems = [{ span: zeroSpan(), message: `could not parse this file, skipped: ${(err as Error)?.message ?? err}` }];
      return { hash, ir: { file: path, language, functions: [], suppressions: [], problems } };
    }
    try {
      const lower = language === 'c' ? lowerC : lowerGo;
      ir = lower({ file: path, text, tree, api: this.api });
    } catch (err) {
      ir = {
        file: path, language, functions: [], suppressions: [],
        problems: [{ span: zeroSpan(), message: `internal error while reading this file, skipped: ${(err as Error)?.message ?? err}` }],
      };
    } finally {
      tree.delete();
    }
    markTryAcquires(ir, this.api);
    return { hash, ir };
  }

  /**
   * `lowerAndExplore` for an open document: re-parses from the previous tree with one edit covering
   * every change since, and reuses the IR of each function whose text (and file scope) is unchanged,
   * moved to its new line. Reused IR objects keep their exploration results in the ProgramCache.
   */
  private lowerIncrementally(path: string, text: string, language: Language, hash: string, fresh = false): FileEntry {
    if (text.includes('\r')) text = text.replace(/\r(?!\n)/g, '\n');
    const previous = this.live.get(path);
    this.live.delete(path); // its tree is consumed below, whatever happens
    let tree: SyntaxTree;
    let provisional = false;
    let edit: TreeEdit | undefined;
    let changed: readonly TextRange[] | undefined;
    try {
      if (fresh) previous?.tree.delete();
      edit = previous && !fresh ? editBetween(previous.text, text) : undefined;
      const reparsed = fresh ? undefined : this.reparse(previous, language, text, edit);
      tree = reparsed?.tree ?? this.parser.parse(language, text);
      provisional = reparsed?.provisional === true;
      changed = reparsed?.changed;
    } catch (err) {
      const problems = [{ span: zeroSpan(), message: `could not parse this file, skipped: ${(err as Error)?.message ?? err}` }];
      return { hash, ir: { file: path, language, functions: [], suppressions: [], problems } };
    }
    const functions = previous?.language === language ? previous.functions : new FunctionReuse();
    let ir: FileIR;
    try {
      // A definition with syntax errors inside is lowered again from an exact tree: its subtree
      // may be one of the incremental parse's alternative recoveries.
      ir = language === 'c'
        ? lowerCReusing({ file: path, text, tree, api: this.api }, functions.begin(edit, provisional, changed))
        : lowerGo({ file: path, text, tree, api: this.api });
    } catch (err) {
      tree.delete();
      return {
        hash,
        ir: {
          file: path, language, functions: [], suppressions: [],
          problems: [{ span: zeroSpan(), message: `internal error while reading this file, skipped: ${(err as Error)?.message ?? err}` }],
        },
      };
    }
    functions.end();
    for (const fn of functions.moved) if (fn.annotations) this.dependents.movedAnnotated.add(fn);
    this.live.set(path, { language, text, tree, functions, provisional });
    markTryAcquires(ir, this.api, this.canonicalised);
    return { hash, ir };
  }

  /**
   * A tree for `text` from the previous one, when there is one the parser can reuse. Frees the
   * previous tree. Provisional when syntax errors touch what was re-parsed: elsewhere the old
   * (exact) tree's structure stands, and an error-free parse has only one outcome.
   */
  private reparse(
    previous: LiveFile | undefined, language: Language, text: string, edit: TreeEdit | undefined,
  ): { tree: SyntaxTree; provisional: boolean; changed?: readonly TextRange[] } | undefined {
    if (!previous) return undefined;
    if (previous.language !== language || !isIncremental(this.parser)) {
      previous.tree.delete();
      return undefined;
    }
    if (!edit) return { tree: previous.tree, provisional: previous.provisional, changed: [] };
    const report: { changed?: TextRange[] } = {};
    const tree = this.parser.reparse(language, text, previous.tree, edit, report);
    if (parsedFromScratch(tree)) return { tree, provisional: false }; // a wrapper did not re-parse
    // Unknown changed ranges: any error anywhere may be one the re-parse recovered from differently.
    const touched = report.changed ? [...report.changed, { startIndex: edit.startIndex, endIndex: edit.newEndIndex }] : [{ startIndex: 0, endIndex: text.length }];
    return { tree, provisional: previous.provisional || hasErrorWithin(tree.rootNode, touched), changed: report.changed && touched };
  }

  analyze(): AnalysisResult {
    // A re-scan that changed nothing (same texts, same hashes) has nothing new to say.
    if (this.lastResult?.version === this.filesVersion) return this.answer(this.lastResult.result);
    const version = this.filesVersion;
    const files = new Map<string, FileIR>();
    const functions: FunctionIR[] = [];
    for (const [path, entry] of this.files) {
      files.set(path, entry.ir);
      functions.push(...entry.ir.functions);
    }
    // Classes depend on every file's struct declarations: when those change, so may any class.
    const types = collectFieldTypes(files.values());
    const signature = fieldTypesSignature(types);
    if (signature !== this.typesSignature) {
      this.typesSignature = signature;
      this.programCache = new ProgramCache();
      this.cacheEmpty = true;
      this.canonicalised = new WeakSet();
    }
    // Per function, not per file: an edited file's unchanged functions are the same objects.
    const pending = functions.filter((fn) => !this.canonicalised.has(fn) || (fn.annotations && !this.canonicalised.has(fn.annotations)));
    if (pending.length > 0) {
      canonicaliseClasses({ file: '', language: 'c', functions: pending, suppressions: [], problems: [] }, types);
      for (const fn of pending) {
        this.canonicalised.add(fn);
        if (fn.annotations) this.canonicalised.add(fn.annotations);
      }
    }
    const fieldTargets = [...files.values()].flatMap((ir) => (ir.fieldFunctions ?? []).map((t) => ({ ...t, file: ir.file })));
    const interfaces = [...files.values()].flatMap((ir) => (ir.interfaces ?? []).map((i) => ({ ...i, file: ir.file })));
    const interprocedural = this.options.interprocedural ?? true;
    this.dependents.forgetStale(this.programCache, this.cacheEmpty, files, functions,
      interprocedural ? () => buildCallIndex(functions, fieldTargets, interfaces) : undefined);
    const { facts, index } = computeProgramFacts(functions, this.programCache, { interprocedural, declarations: [...files.values()].flatMap((ir) => ir.declarations ?? []) }, fieldTargets, interfaces);
    this.dependents.analysedWith(index);
    this.cacheEmpty = false;
    this.lastFacts = facts;
    const result = analyzeProgram(files, facts, {
      contexts: this.options.contexts,
      checks: this.checks,
      severities: this.options.severities ?? {},
      reportSameClassNesting: this.options.reportSameClassNesting ?? false,
    }, index);
    this.lastResult = { version, result };
    return this.answer(result);
  }

  private answer(result: AnalysisResult): AnalysisResult {
    // Findings may share span objects with the IR, which the next incremental setFile moves in
    // place: what the caller holds must stay what it was told.
    return this.live.size > 0 ? { ...result, findings: structuredClone(result.findings) } : result;
  }
}

function zeroSpan() {
  return { line: 0, col: 0, endLine: 0, endCol: 0 };
}

/** Front ends emit a successful trylock as an acquire; the order graph must know it cannot wait. */
function markTryAcquires(ir: FileIR, api: ApiIndex, done?: WeakSet<FunctionIR>): void {
  const table = ir.language === 'go' ? api.go : api.c;
  const visit = (op: Op) => {
    if (op.kind === 'acquire' && op.try === undefined) {
      const entry = table.get(op.api);
      if ((entry?.role === 'tryacquire' && !entry.waits) || /(^|\.)Try(R)?Lock$/.test(op.api)) op.try = true;
    } else if (op.kind === 'defer') {
      op.ops.forEach(visit);
    }
  };
  // Reused functions (in `done`: analysed before) were marked when first lowered.
  for (const fn of ir.functions) if (!done?.has(fn)) for (const node of fn.nodes) visit(node.op);
}
