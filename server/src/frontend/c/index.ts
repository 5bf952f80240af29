// The C front end: a tree-sitter-c tree -> FileIR (see docs/dev/ir.md).
import type { FileIR, FileProblem, FunctionIR, FieldFunction } from '../../ir/types';
import type { ApiEntry, ApiIndex } from '../../api/types';
import { identifierText, type SyntaxNode } from '../../syntax/tree';
import type { LowerInput, Lowerer } from '../types';
import { CfgBuilder, DEFAULT_LIMITS, trylockNamePattern, type BuildLimits } from './cfg-builder';
import { collectMacros, macroKey, type MacroTable } from './macros';
import { collectFileScope, declaredName, hasStorageClass, type FileScope } from './file-scope';
import { annotateC, trylockWrappers } from './annotations';
import { GuardedFields } from './guarded';
import { compactFileIR } from '../compact';
import { findSuppressions } from './suppressions';
import { functionDeclarator, spanEndingWith, spanOf } from './syntax';
import { parametersOf, VarScope } from './var-scope';

export const lowerC: Lowerer = (input) => lowerCWithLimits(input, DEFAULT_LIMITS);

/** One function definition lowered: its IR (none for a definition without a body) and what it reported. */
export interface LoweredFunction {
  fn: FunctionIR | undefined;
  problems: FileProblem[];
}

/**
 * Lets the caller answer for a definition from an earlier lowering (the language server, between
 * keystrokes). `scopeKey` stands for everything at file scope the lowering reads: a result may be
 * reused only for the same definition text under the same key. `lower` lowers it afresh.
 */
export type ReuseFunction = (def: SyntaxNode, scopeKey: string, lower: () => LoweredFunction) => LoweredFunction;

/** `lowerC` that asks `reuse` for each function definition instead of always lowering it. */
export const lowerCReusing = (input: LowerInput, reuse: ReuseFunction): FileIR => lowerCWithLimits(input, DEFAULT_LIMITS, reuse);

/** `lowerC` with explicit budgets (tests use small ones). Never throws: failures become problems. */
export function lowerCWithLimits(input: LowerInput, limits: BuildLimits, reuse?: ReuseFunction): FileIR {
  const out: FileIR = { file: input.file, language: 'c', functions: [], suppressions: [], problems: [] };
  try {
    out.suppressions = findSuppressions(input.text);
    out.fieldFunctions = fieldFunctions(input.text);
    const scope = collectFileScope(input.tree.rootNode, input.file);
    scope.macros = collectMacros(input.text, input.tree.rootNode);
    out.problems.push(...scope.problems);
    const wrappers = [...trylockWrappers(scope, input), ...noreturnDeclared(input.text, input.api)];
    if (wrappers.length > 0) input = { ...input, api: withEntries(input.api, wrappers) };
    const trylocks = trylockNamePattern(input.api);
    const guarded = GuardedFields.collect(input.text, scope);
    const scopeKey = reuse ? fileScopeKey(scope) + (guarded ? guarded.key : '') + JSON.stringify(wrappers) : '';
    for (const def of scope.functions) {
      const lower = (): LoweredFunction => {
        const problems: FileProblem[] = [];
        return { fn: lowerFunction(def, scope, input, trylocks, limits, problems, guarded), problems };
      };
      const { fn, problems } = reuse ? reuse(def, scopeKey, lower) : lower();
      out.problems.push(...problems);
      if (fn) out.functions.push(fn);
    }
    markFieldContexts(out, input);
    annotateC(out, scope, input);
    compactFileIR(out);
  } catch (err) {
    // A bug here must not take the whole run down: report it against the file.
    out.problems.push({ span: { line: 0, col: 0, endLine: 0, endCol: 0 }, message: `C front end failed: ${(err as Error)?.message ?? err}` });
  }
  return out;
}

/** The API index plus this file's own trylock wrappers. */
function withEntries(api: ApiIndex, entries: readonly ApiEntry[]): ApiIndex {
  const c = new Map(api.c);
  for (const e of entries) c.set(e.name, e);
  return { ...api, c };
}

/**
 * Functions this file declares never to return (`void __noreturn do_group_exit(int)`,
 * `_Noreturn void die(void)`, `void fatal(const char *) __attribute__((noreturn))`), by text:
 * the attribute is a macro or an attribute list the grammar keeps apart from the name.
 */
function noreturnDeclared(text: string, api: ApiIndex): ApiEntry[] {
  if (!/noreturn/i.test(text)) return [];
  const names = new Set<string>();
  const attr = String.raw`(?:__noreturn|_Noreturn|\bnoreturn\b|__attribute__\s*\(\(\s*(?:__)?noreturn(?:__)?\s*\)\)|\[\[\s*noreturn\s*\]\])`;
  for (const m of text.matchAll(new RegExp(attr + String.raw`[\w\s*]*?\b([A-Za-z_]\w*)\s*\(`, 'g'))) names.add(m[1]);
  for (const m of text.matchAll(new RegExp(String.raw`\b([A-Za-z_]\w*)\s*\([^;{)]*\)\s*` + attr, 'g'))) names.add(m[1]);
  const out: ApiEntry[] = [];
  for (const name of names) {
    if (api.c.has(name) || /^(if|while|for|switch|return|sizeof|__attribute__)$/.test(name)) continue;
    out.push({ name, role: 'noreturn', doc: 'declared never to return in this file' });
  }
  return out;
}

/** The file-scope facts (every field of FileScope but the definitions themselves), as text. */
function fileScopeKey(scope: FileScope): string {
  return JSON.stringify(scope, (key, value) => {
    if (key === 'functions' || key === 'problems') return undefined;
    // Rows left out: a function below an edit keeps its lowering when only lines moved.
    if (key === 'macros') return macroKey(value as MacroTable);
    return value instanceof Map || value instanceof Set ? [...value] : value;
  });
}

/**
 * `.field = fn` in designated initialisers and `x->field = fn;` assignments, by text: ops tables
 * are flat and a regular expression finds them at a fraction of a tree walk's cost. Candidates
 * that name no function are dropped later, when the workspace's functions are known.
 */
function fieldFunctions(text: string): FieldFunction[] {
  const out: FieldFunction[] = [];
  const seen = new Set<string>();
  for (const m of text.matchAll(/(?:\.|->)\s*([A-Za-z_]\w*)\s*=\s*&?\s*([A-Za-z_]\w*)\s*(?=[,;}\n])/g)) {
    const key = `${m[1]}=${m[2]}`;
    if (seen.has(key) || /^(NULL|true|false|[0-9])/.test(m[2])) continue;
    seen.add(key);
    out.push({ field: m[1], fn: m[2] });
  }
  return out;
}

interface Signature {
  name: string;
  nameNode: SyntaxNode;
  params: string[];
  paramTypes: Map<string, string | undefined>;
}

function lowerFunction(
  def: SyntaxNode, scope: FileScope, input: LowerInput, trylocks: RegExp, limits: BuildLimits, problems: FileProblem[],
  guarded: GuardedFields | undefined,
): FunctionIR | undefined {
  const body = def.childForFieldName('body');
  const sig = signatureOf(def);
  if (!body || body.type !== 'compound_statement' || !sig) return undefined;
  const isStatic = isStaticDefinition(def);
  const built = new CfgBuilder(input.api, new VarScope(scope, sig.params, sig.paramTypes), trylocks, limits, guarded).build(body);
  if (built.incomplete) {
    problems.push({ span: spanOf(sig.nameNode), message: `${sig.name}: ${built.reason ?? 'body lowered partially'}; findings inside it are suppressed` });
  }
  return {
    name: sig.name,
    qualifiedName: isStatic ? `${input.file}:${sig.name}` : sig.name,
    file: input.file,
    span: spanEndingWith(def, body),
    nameSpan: spanOf(sig.nameNode),
    params: sig.params,
    isStatic,
    nodes: built.nodes,
    incomplete: built.incomplete,
    ...contextOf(input.api.c.get(sig.name)),
  };
}

/** Callbacks stored in a field named by a `context` table entry (`.ndo_start_xmit = fn`) run there. */
function markFieldContexts(out: FileIR, input: LowerInput): void {
  for (const { field, fn } of out.fieldFunctions ?? []) {
    const entry = input.api.c.get(field);
    if (entry?.role !== 'context' || !entry.context) continue;
    const target = out.functions.find((f) => f.name === fn);
    if (target && !target.context) target.context = entry.context;
  }
}

/** A function named by a `context` table entry runs there wherever it is called from. */
function contextOf(entry: ApiEntry | undefined): Pick<FunctionIR, 'context'> {
  return entry?.role === 'context' && entry.context ? { context: entry.context } : {};
}

/** `SYSCALL_DEFINE3(read, unsigned int, fd, ...)` defines `sys_read`; its "parameters" are type/name pairs. */
const SYSCALL_MACRO = /^(COMPAT_)?SYSCALL_DEFINE\d$/;

function signatureOf(def: SyntaxNode): Signature | undefined {
  const fd = functionDeclarator(def.childForFieldName('declarator'));
  if (!fd) return undefined;
  const nameNode = declaredName(fd.childForFieldName('declarator'));
  if (!nameNode) return undefined;
  const fnName = identifierText(nameNode);
  const m = SYSCALL_MACRO.exec(fnName);
  if (m) {
    const first = fd.childForFieldName('parameters')?.namedChildren.find((c) => c && c.type !== 'comment');
    const name = first ? `${m[1] ? 'compat_sys_' : 'sys_'}${first.text}` : fnName;
    return { name, nameNode: first ?? nameNode, params: [], paramTypes: new Map() };
  }
  const { names, types } = parametersOf(fd);
  return { name: fnName, nameNode, params: names, paramTypes: types };
}

/** `static` may also be swallowed into an ERROR node by attribute macros (`__init static int f`). */
function isStaticDefinition(def: SyntaxNode): boolean {
  if (hasStorageClass(def, 'static')) return true;
  for (const c of def.children) {
    if (c && c.type === 'ERROR' && c.endIndex - c.startIndex < 200 && /\bstatic\b/.test(c.text)) return true;
  }
  return false;
}
