// Go front end: lowers a tree-sitter-go tree into the lock-event IR (docs/dev/ir.md).
// One FunctionIR per function, method and function literal; literals are queued while their
// enclosing function is lowered and lowered afterwards, so nesting never recurses.
import type { FileIR, FileProblem, FunctionIR, Span, TypeFields } from '../../ir/types';
import { endBound, type SyntaxNode } from '../../syntax/tree';
import type { Lowerer } from '../types';
import { annotateGoFunction } from './annotations';
import { GuardedFieldsGo } from './guarded';
import { compactFileIR } from '../compact';
import { CfgBuilder } from './cfg-builder';
import { evalExpr } from './lower-expr';
import { blockStatements, lowerStatements } from './lower-stmt';
import type { CondLink, CondUse, FileCtx, FnState } from './state';
import { literalName } from './state';
import { scanSuppressions } from './suppressions';
import { namedKids, Source, spanOf } from './syntax';
import {
  collectFileTypes, declaredNames, FileTypes, namedBase, qualify, receiverInfo, resolveType, Scope, typeString,
} from './types-scope';

const ZERO: Span = { line: 0, col: 0, endLine: 0, endCol: 0 };

interface FnSpec {
  def: SyntaxNode;      // the whole declaration or literal
  body: SyntaxNode;
  name: string;
  qualifiedName: string;
  nameSpan: Span;
  params: string[];
  receiver?: string;
  isStatic: boolean;
  scope: Scope;
}

/** Adds parameters to a scope in order; unnamed ones count as `_` so indices match call arguments. */
function declareParams(list: SyntaxNode | null, scope: Scope, src: Source, ft: FileTypes, kind: 'param' | 'local'): string[] {
  const names: string[] = [];
  if (!list) return names;
  for (const p of namedKids(list)) {
    if (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration') continue;
    const t = p.childForFieldName('type');
    let type = t ? typeString(t, src, ft) : undefined;
    if (type && p.type === 'variadic_parameter_declaration') type = '[]' + type;
    const declared = declaredNames(p, src);
    for (const name of declared.length ? declared : ['_']) {
      if (name !== '_') scope.set(name, kind === 'param' ? { kind, type, paramIndex: names.length } : { kind, type });
      names.push(name);
    }
  }
  return names;
}

function closingBrace(body: SyntaxNode): Span {
  const last = body.child(body.childCount - 1);
  if (last && last.type === '}' && !last.isMissing) return spanOf(last);
  const e = body.endPosition;
  return { line: e.row, col: Math.max(0, e.column - 1), endLine: e.row, endCol: e.column };
}

/** First ERROR or MISSING node under `n`, descending only into subtrees that contain one. */
function firstErrorSpan(n: SyntaxNode): Span | undefined {
  let cur: SyntaxNode | null = n;
  for (let guard = 0; cur && guard < 10000; guard++) {
    if (cur.type === 'ERROR' || cur.isMissing) return spanOf(cur);
    let next: SyntaxNode | null = null;
    for (const c of cur.children) if (c && (c.hasError || c.isMissing)) { next = c; break; }
    cur = next;
  }
  return undefined;
}

function qualifiedName(file: string, pkg: string, name: string): string {
  if (name === 'init' || name === '_') return `${file}:${name}`;
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const dir = slash > 0 ? file.slice(0, slash).replace(/\\/g, '/') : '';
  return dir ? `${dir}/${pkg}.${name}` : `${pkg}.${name}`;
}

function lowerFunction(spec: FnSpec, fc: FileCtx, problems: FileProblem[]): FunctionIR {
  const cfg = new CfgBuilder();
  const st: FnState = {
    fc, src: fc.src, ft: fc.ft, scope: spec.scope, name: spec.name, cfg, tryVars: new Map(),
    incomplete: false, depth: 0,
  };
  let crashed = false;
  try {
    // Every function gets its full control flow, lock calls or not: a caller of lock helpers
    // (`b.acquire()` ... `return err`) needs its branches as much as one calling Lock() itself.
    lowerStatements(blockStatements(spec.body), st);
    if (cfg.frontier.length) cfg.exit('return', closingBrace(spec.body));
  } catch (e) {
    // Never throw: an internal failure costs this function only (e.g. stack exhaustion).
    crashed = true;
    problems.push({ span: spanOf(spec.def), message: `locklint: could not lower ${spec.name}: ${e instanceof Error ? e.message : String(e)}` });
  }
  const incomplete = crashed || st.incomplete || spec.def.hasError;
  if (incomplete && !crashed) {
    const at = st.firstError ?? firstErrorSpan(spec.def) ?? spanOf(spec.def);
    problems.push({ span: at, message: `${spec.name}: syntax error or nesting too deep; analysed partially` });
  }
  const fn: FunctionIR = {
    name: spec.name, qualifiedName: spec.qualifiedName, file: fc.file, span: spanOf(spec.def), nameSpan: spec.nameSpan,
    params: spec.params, isStatic: spec.isStatic, nodes: crashed ? [{ op: { kind: 'nop' }, succ: [] }] : cfg.finish(),
    incomplete,
  };
  if (spec.receiver !== undefined) fn.receiver = spec.receiver;
  return fn;
}

function declSpec(node: SyntaxNode, fc: FileCtx): FnSpec | undefined {
  const { src, ft } = fc;
  const nameNode = node.childForFieldName('name');
  const body = node.childForFieldName('body');
  if (!nameNode || !body) return undefined; // body-less declarations are implemented in assembly
  const scope: Scope = new Map();
  let name = src.of(nameNode);
  let receiver: string | undefined;
  if (node.type === 'method_declaration') {
    const recv = receiverInfo(node, src, ft);
    if (recv) {
      name = recv.type.startsWith('*') ? `(*${recv.base}).${name}` : `${recv.base}.${name}`;
      receiver = recv.name;
      if (recv.name && recv.name !== '_') scope.set(recv.name, { kind: 'receiver', type: recv.type });
    }
  }
  const params = declareParams(node.childForFieldName('parameters'), scope, src, ft, 'param');
  const result = node.childForFieldName('result');
  if (result && result.type === 'parameter_list') declareParams(result, scope, src, ft, 'local');
  return {
    def: node, body, name, qualifiedName: qualifiedName(fc.file, ft.pkg, name), nameSpan: spanOf(nameNode),
    params, receiver, isStatic: false, scope,
  };
}

function literalSpec(node: SyntaxNode, name: string, scope: Scope, fc: FileCtx): FnSpec | undefined {
  const body = node.childForFieldName('body');
  if (!body) return undefined;
  const own = new Map(scope);
  const params = declareParams(node.childForFieldName('parameters'), own, fc.src, fc.ft, 'param');
  const result = node.childForFieldName('result');
  if (result && result.type === 'parameter_list') declareParams(result, own, fc.src, fc.ft, 'local');
  const kw = node.child(0);
  return {
    def: node, body, name, qualifiedName: `${fc.file}:${name}`, nameSpan: spanOf(kw ?? node), params,
    isStatic: true, scope: own,
  };
}

/** Function literals in package-level var initializers (`var handler = func() {...}`). */
function queueTopLevelLiterals(decl: SyntaxNode, fc: FileCtx): void {
  const stack: { n: SyntaxNode; owner: string }[] = [{ n: decl, owner: '' }];
  let budget = 50000;
  while (stack.length && budget-- > 0) {
    const { n, owner } = stack.pop()!;
    if (n.type === 'func_literal') {
      if (!fc.queued.has(n.startIndex)) {
        fc.queued.add(n.startIndex);
        fc.queue.push({ node: n, name: literalName(n, owner), scope: new Map() });
      }
      continue;
    }
    // Only a function literal matters below, and it always holds a `(`: a rough test is exact enough.
    if (endBound(n) - n.startIndex > 256 && !fc.src.mayHaveEffectsRoughly(n)) continue;
    const specOwner = n.type === 'var_spec' ? (declaredNames(n, fc.src)[0] ?? owner) : owner;
    for (const k of namedKids(n)) stack.push({ n: k, owner: specOwner });
  }
}

/** Declarations swallowed by a top-level ERROR region are still lowered when they are whole. */
function declsInError(err: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack: { n: SyntaxNode; d: number }[] = [{ n: err, d: 0 }];
  let budget = 20000;
  while (stack.length && budget-- > 0) {
    const { n, d } = stack.pop()!;
    if (n.type === 'function_declaration' || n.type === 'method_declaration') {
      out.push(n);
      continue;
    }
    if (d < 6) for (const k of namedKids(n)) stack.push({ n: k, d: d + 1 });
  }
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

/** Rewrites `cond.L` lock refs to the lock the Cond was constructed with. */
function applyCondLinks(links: Map<string, CondLink>, uses: CondUse[]): void {
  for (const use of uses) {
    const link = links.get(use.condCls);
    const segs = use.condParts.segs;
    if (!link || segs.length < link.strip) continue;
    const parts = { root: use.condParts.root, segs: [...segs.slice(0, segs.length - link.strip), ...link.add] };
    const ref = use.rebuild(parts, link.embedded);
    const target = use.ref as unknown as Record<string, unknown>;
    for (const k of Object.keys(target)) delete target[k];
    Object.assign(target, ref);
  }
}

/** Field types of this file's structs as class anchors, for cross-file class resolution. */
function exportedTypes(ft: FileTypes): TypeFields[] {
  const types: TypeFields[] = [];
  for (const [name, def] of ft.structs) {
    if (name.startsWith('struct#')) continue;
    const fields: Record<string, string> = {};
    for (const [field, t] of def.fields) {
      const base = namedBase(resolveType(t, ft));
      if (base) fields[field] = qualify(base, ft);
    }
    types.push({ name: qualify(name, ft), fields });
  }
  return types;
}

export const lowerGo: Lowerer = (input) => {
  const out: FileIR = { file: input.file, language: 'go', functions: [], suppressions: [], problems: [] };
  try {
    out.suppressions = scanSuppressions(input.text);
    const src = new Source(input.text);
    const root = input.tree.rootNode;
    const ft = collectFileTypes(root, src);
    out.types = exportedTypes(ft);
    if (ft.interfaces.size) out.interfaces = [...ft.interfaces].map(([name, methods]) => ({ name, methods }));
    const fc: FileCtx = {
      src, ft, api: input.api, file: input.file, queue: [], queued: new Set(), condLinks: new Map(), condUses: [],
    };
    const guarded = GuardedFieldsGo.collect(root, src, ft);
    if (guarded) fc.guarded = guarded;
    const lowerDecl = (d: SyntaxNode) => {
      const spec = declSpec(d, fc);
      if (spec) out.functions.push(annotateGoFunction(lowerFunction(spec, fc, out.problems), spec.def, spec.scope, fc, out));
    };
    for (const top of namedKids(root)) {
      if (top.type === 'function_declaration' || top.type === 'method_declaration') lowerDecl(top);
      else if (top.type === 'var_declaration') queueTopLevelLiterals(top, fc);
      else if (top.type === 'ERROR') {
        out.problems.push({ span: spanOf(top), message: 'syntax error: this region could not be parsed and is skipped' });
        for (const d of declsInError(top)) lowerDecl(d);
      }
    }
    for (let i = 0; i < fc.queue.length; i++) {
      const task = fc.queue[i];
      const spec = literalSpec(task.node, task.name, task.scope, fc);
      if (spec) out.functions.push(lowerFunction(spec, fc, out.problems));
    }
    applyCondLinks(fc.condLinks, fc.condUses);
    compactFileIR(out);
  } catch (e) {
    out.problems.push({ span: ZERO, message: `locklint: the Go front end failed on this file: ${e instanceof Error ? e.message : String(e)}` });
  }
  return out;
};
