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
import { computeProgramFacts, ProgramCache } from './core/program';
import type { CheckMeta } from './core/finding';
import type { FunctionFacts } from './core/facts';
import { lockInfoAt, type LockInfo } from './core/lock-info';
import { lowerC } from './frontend/c/index';
import { lowerGo } from './frontend/go/index';
import type { FileIR, FileProblem, FunctionIR, Op } from './ir/types';
import { createParser, type ParserChoice } from './syntax/parser';
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
  private programCache = new ProgramCache();
  private typesSignature = '';
  private canonicalised = new WeakSet<FileIR>();
  /** Function facts of the last analyze(): what hover and the lock graph answer from. */
  private lastFacts: readonly FunctionFacts[] = [];

  private constructor(
    readonly parser: Parser,
    private readonly api: ApiIndex,
    private readonly options: EngineOptions,
  ) {}

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const parser = typeof options.parser === 'object' ? options.parser : await createParser(options.parser ?? 'auto');
    const api = buildApiIndex(options.extraApi?.c ?? [], options.extraApi?.go ?? []);
    return new Engine(parser, api, options);
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

  /** Lowers and explores a file unless its content is unchanged. Never throws on bad input. */
  setFile(path: string, text: string): FileProblem[] {
    const language = languageOfPath(path);
    if (!language) return [];
    const max = this.options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    if (text.length > max) {
      this.files.delete(path);
      return [{ span: zeroSpan(), message: `skipped: ${text.length} bytes is over the ${max}-byte limit (maxFileSize)` }];
    }
    const hash = contentHash(text);
    const cached = this.files.get(path);
    if (cached && cached.hash === hash) return cached.ir.problems;
    const entry = this.lowerAndExplore(path, text, language, hash);
    this.files.set(path, entry);
    return entry.ir.problems;
  }

  /** Stores a previously computed entry (disk cache, worker thread). */
  setEntry(path: string, entry: FileEntry): void {
    this.files.set(path, entry);
  }

  getEntry(path: string): FileEntry | undefined {
    return this.files.get(path);
  }

  removeFile(path: string): void {
    this.files.delete(path);
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

  analyze(): AnalysisResult {
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
      for (const ir of files.values()) canonicaliseClasses(ir, types);
      this.canonicalised = new WeakSet(files.values());
    } else {
      for (const ir of files.values()) {
        if (!this.canonicalised.has(ir)) {
          canonicaliseClasses(ir, types);
          this.canonicalised.add(ir);
        }
      }
    }
    const fieldTargets = [...files.values()].flatMap((ir) => (ir.fieldFunctions ?? []).map((t) => ({ ...t, file: ir.file })));
    const { facts, index } = computeProgramFacts(functions, this.programCache, { interprocedural: this.options.interprocedural ?? true }, fieldTargets);
    this.lastFacts = facts;
    return analyzeProgram(files, facts, {
      contexts: this.options.contexts,
      checks: this.checks,
      severities: this.options.severities ?? {},
      reportSameClassNesting: this.options.reportSameClassNesting ?? false,
    }, index);
  }
}

function zeroSpan() {
  return { line: 0, col: 0, endLine: 0, endCol: 0 };
}

/** Front ends emit a successful trylock as an acquire; the order graph must know it cannot wait. */
function markTryAcquires(ir: FileIR, api: ApiIndex): void {
  const table = ir.language === 'go' ? api.go : api.c;
  const visit = (op: Op) => {
    if (op.kind === 'acquire' && op.try === undefined) {
      const entry = table.get(op.api);
      if (entry?.role === 'tryacquire' || /(^|\.)Try(R)?Lock$/.test(op.api)) op.try = true;
    } else if (op.kind === 'defer') {
      op.ops.forEach(visit);
    }
  };
  for (const fn of ir.functions) for (const node of fn.nodes) visit(node.op);
}
