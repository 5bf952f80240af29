// Lock annotations in C (sparse, Clang thread safety, SAL) -> FunctionIR.annotations, FileIR
// declarations and declared lock orders. Lock expressions resolve exactly as call arguments do,
// so a parameter's lock maps to the caller's argument through the usual summary machinery.
import type {
  AnnotatedLock, FileIR, FunctionAnnotations, FunctionDeclaration, FunctionIR, LockKind, LockMode, Op, Span,
} from '../../ir/types';
import type { SyntaxNode } from '../../syntax/tree';
import type { LowerInput } from '../types';
import type { ApiEntry } from '../../api/types';
import { ANNOTATION_HINT, ATOMIC_IRQL, RCU_CONTEXT, annotationName } from './annotation-names';
import {
  blankNonCode, declarationStart, declaratorEnd, findAnnotations, parseLockExpr, splitArgs, type RawAnnotation,
} from './annotation-text';
import { collectLockOrders } from './annotation-orders';
import { declaredName, type FileScope } from './file-scope';
import { classOf, pseudoLockRef } from './lockref';
import { functionDeclarator } from './syntax';
import { parametersOf, VarScope } from './var-scope';

/** Text positions -> 0-based line/column. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  span(from: number, to: number): Span {
    const a = this.pos(from);
    const b = this.pos(to);
    return { line: a.line, col: a.col, endLine: b.line, endCol: b.col };
  }
  private pos(i: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, col: i - this.starts[lo] };
  }
}

interface Ctx {
  text: string;
  code: string;
  lines: LineIndex;
  scope: FileScope;
}

/** Reads every annotation of one C file into `out` (the hook the front end calls after lowering). */
export function annotateC(out: FileIR, scope: FileScope, input: LowerInput): void {
  // Functions reused from an earlier lowering (the language server) are read again: a SAL prefix
  // lies outside the definition's text, which is what decides reuse.
  for (const fn of out.functions) delete fn.annotations;
  if (!ANNOTATION_HINT.test(input.text)) return;
  const ctx: Ctx = { text: input.text, code: blankNonCode(input.text), lines: new LineIndex(input.text), scope };
  const byStart = new Map<string, FunctionIR>();
  for (const fn of out.functions) byStart.set(`${fn.span.line}:${fn.span.col}`, fn);
  for (const def of scope.functions) {
    const fn = byStart.get(`${def.startPosition.row}:${def.startPosition.column}`);
    const header = fn && headerOf(def, ctx, def.childForFieldName('body')?.startIndex);
    const annotations = header && readAnnotations(header, ctx);
    if (!fn || !annotations) continue;
    fn.annotations = annotations;
    if (annotations.noAnalysis) silence(out, fn, annotations.noAnalysis.annotation);
  }
  const declarations = collectDeclarations(input.tree.rootNode, ctx, input.file);
  if (declarations.length > 0) out.declarations = declarations;
  const orders = collectLockOrders(ctx.code, ctx.lines, scope);
  if (orders.length > 0) out.lockOrders = orders;
  for (const fn of out.functions) lowerContextStatements(fn);
}

/** Cheap test: may the file declare a trylock wrapper (`TRY_ACQUIRE`, SAL `_When_`)? */
const TRY_HINT = /TRY_ACQUIRE|TRYLOCK_FUNCTION|try_acquire|trylock_function|\b_When_\b/;

/**
 * Trylock wrappers this file declares or defines (`bool mu_trylock(struct mu *m) TRY_ACQUIRE(true, m)`,
 * SAL `_When_(return != 0, _Acquires_lock_(*m))`), as API entries: a call tested in a condition is
 * then a trylock of the argument, like `pthread_mutex_trylock`. Only contracts on a parameter
 * itself are expressible this way (a field of one, or a global, is not followed yet).
 */
export function trylockWrappers(scope: FileScope, input: LowerInput): ApiEntry[] {
  if (!TRY_HINT.test(input.text)) return [];
  const ctx: Ctx = { text: input.text, code: blankNonCode(input.text), lines: new LineIndex(input.text), scope };
  const out: ApiEntry[] = [];
  const add = (name: string, a: FunctionAnnotations | undefined) => {
    const t = a?.tryAcquires.length === 1 ? a.tryAcquires[0] : undefined;
    if (!t || t.lock.paramIndex === undefined || t.lock.path !== t.lock.root || input.api.c.has(name)) return;
    const success = successOf(t.success);
    if (!success) return;
    out.push({ name, role: 'tryacquire', kind: t.lockKind ?? 'mutex', mode: t.mode, arg: t.lock.paramIndex, success });
  };
  for (const def of scope.functions) {
    const header = headerOf(def, ctx, def.childForFieldName('body')?.startIndex);
    if (header) add(header.name, readAnnotations(header, ctx));
  }
  for (const d of collectDeclarations(input.tree.rootNode, ctx, input.file)) add(d.name, d.annotations);
  return out;
}

/** Which result of a trylock wrapper means "acquired", from `TRY_ACQUIRE(v, ...)` / `_When_(c, ...)`. */
function successOf(v: string | undefined): 'nonzero' | 'zero' | undefined {
  const s = (v ?? '').replace(/\s+/g, '');
  if (/^(true|TRUE|1|return|return!=0|return!=false|return!=FALSE|return==true|return==TRUE|return==1|return!=NULL)$/.test(s)) return 'nonzero';
  if (/^(false|FALSE|0|return==0|return==false|return==FALSE|return==STATUS_SUCCESS|return==S_OK|!return)$/.test(s)) return 'zero';
  return undefined;
}

interface Header {
  name: string;
  fd: SyntaxNode;
  /** Annotation regions: before the name (SAL), the parameter list, after it up to the body or `;`. */
  prefix: [number, number];
  params: [number, number];
  postfix: [number, number];
}

function headerOf(decl: SyntaxNode, ctx: Ctx, end: number | undefined): Header | undefined {
  const fd = functionDeclarator(decl.type === 'function_declarator' ? decl : decl.childForFieldName('declarator'));
  const list = fd?.childForFieldName('parameters');
  const name = fd && declaredName(fd.childForFieldName('declarator'));
  if (!fd || !list || !name) return undefined;
  const nameAt = name.startIndex;
  return {
    name: name.text,
    fd,
    prefix: [declarationStart(ctx.code, nameAt), nameAt],
    params: [list.startIndex + 1, Math.max(list.startIndex + 1, list.endIndex - 1)],
    postfix: [list.endIndex, end ?? declaratorEnd(ctx.code, list.endIndex)],
  };
}

function emptyAnnotations(): FunctionAnnotations {
  return { requires: [], acquires: [], releases: [], excludes: [], tryAcquires: [] };
}

function readAnnotations(h: Header, ctx: Ctx): FunctionAnnotations | undefined {
  const { names, types } = parametersOf(h.fd);
  const vars = new VarScope(ctx.scope, names, types);
  const found: { raw: RawAnnotation; curr?: string }[] = [
    ...findAnnotations(ctx.code, h.prefix[0], h.prefix[1]).map((raw) => ({ raw })),
    ...findAnnotations(ctx.code, h.postfix[0], h.postfix[1]).map((raw) => ({ raw })),
  ];
  // SAL on a parameter names it `_Curr_`: `_Releases_lock_(*_Curr_) PKSPIN_LOCK SpinLock`.
  if (ctx.code.slice(h.params[0], h.params[1]).includes('_')) {
    let at = h.params[0];
    splitArgs(ctx.code.slice(h.params[0], h.params[1])).forEach((segment, i) => {
      const start = ctx.code.indexOf(segment, at);
      if (start < 0) return;
      at = start + segment.length;
      for (const raw of findAnnotations(ctx.code, start, at)) found.push({ raw, curr: names[i] });
    });
  }
  if (found.length === 0) return undefined;
  const out = emptyAnnotations();
  let raisesIrql = false;
  for (const { raw, curr } of found) {
    const span = ctx.lines.span(raw.start, raw.end);
    const annotation = ctx.text.slice(raw.start, raw.end);
    const { role, family } = raw.entry;
    const locks = (args: string[], mode: LockMode): AnnotatedLock[] =>
      args.map((a) => annotatedLock(a, vars, { mode, family, annotation, span }, curr)).filter((l): l is AnnotatedLock => !!l);
    const mode = raw.entry.mode ?? 'exclusive';
    switch (role) {
      case 'requires': case 'acquires': case 'releases': case 'excludes':
        out[role].push(...locks(raw.args, mode));
        break;
      case 'try': {
        const [success, ...rest] = raw.args;
        out.tryAcquires.push(...locks(rest, mode).map((l) => ({ ...l, success })));
        break;
      }
      case 'when':
        // `_When_(return != 0, _Acquires_lock_(x))`: a conditional acquire is a trylock.
        for (const inner of raw.inner ?? []) {
          if (inner.entry.role !== 'acquires') continue;
          const innerText = ctx.text.slice(inner.start, inner.end);
          out.tryAcquires.push(...inner.args
            .map((a) => annotatedLock(a, vars, { mode: inner.entry.mode ?? 'exclusive', family, annotation: innerText, span }, curr))
            .filter((l): l is AnnotatedLock => !!l)
            .map((l) => ({ ...l, success: raw.args[0] })));
        }
        break;
      case 'noAnalysis':
        out.noAnalysis = { annotation, span };
        break;
      case 'atomic':
        if (ATOMIC_IRQL.test(raw.args[0] ?? '')) out.atomic = { annotation, span };
        break;
      case 'raises':
        if (ATOMIC_IRQL.test(raw.args[0] ?? '')) raisesIrql = true;
        break;
      default:
        break;
    }
  }
  // Raising to DISPATCH_LEVEL while acquiring is how spin locks are taken (KeAcquireSpinLock).
  if (raisesIrql) for (const l of out.acquires) l.lockKind ??= 'spin';
  const any = out.requires.length + out.acquires.length + out.releases.length + out.excludes.length + out.tryAcquires.length > 0;
  return any || out.noAnalysis || out.atomic ? out : undefined;
}

function annotatedLock(
  arg: string, vars: VarScope, base: Omit<AnnotatedLock, 'lock'>, curr: string | undefined,
): AnnotatedLock | undefined {
  let text = arg.trim();
  if (RCU_CONTEXT.test(text)) return { ...base, lock: pseudoLockRef('rcu'), mode: 'shared', lockKind: 'rcu' };
  if (curr) text = text.replace(/\b_Curr_\b/g, curr);
  // Negative capabilities (`!mu`) and SAL's global pseudo-regions name no lock to follow.
  if (!text || text.startsWith('!') || /^_Global_\w+_$/.test(text)) return undefined;
  const parts = parseLockExpr(text);
  if (!parts) return undefined;
  const path = parts.base + parts.segments.join('');
  const lock: AnnotatedLock['lock'] = { text, path, root: parts.root };
  const cls = classOf(parts, path, vars);
  if (cls !== undefined) lock.cls = cls;
  const pi = parts.root ? vars.paramIndex(parts.root) : -1;
  if (pi >= 0) lock.paramIndex = pi;
  return { ...base, lock };
}

/** NO_THREAD_SAFETY_ANALYSIS: nothing is reported inside the function. */
function silence(out: FileIR, fn: FunctionIR, reason: string): void {
  for (let line = fn.span.line; line <= fn.span.endLine; line++) out.suppressions.push({ line, checks: ['*'], reason });
}

/** Node types at file scope that may hold a prototype (ERROR: annotated prototypes often end up there). */
const DECL_CONTAINERS = new Set([
  'translation_unit', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef',
  'linkage_specification', 'declaration_list', 'ERROR', 'declaration',
]);

/** Annotated prototypes: function declarators at file scope outside any definition. */
function collectDeclarations(root: SyntaxNode, ctx: Ctx, file: string): FunctionDeclaration[] {
  const out: FunctionDeclaration[] = [];
  const seen = new Set<number>();
  const stack: { node: SyntaxNode; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    for (const kid of node.children) {
      if (!kid || depth > 64) continue;
      if (kid.type === 'function_declarator') {
        if (seen.has(kid.startIndex)) continue;
        seen.add(kid.startIndex);
        const decl = declarationOf(kid, ctx, file);
        if (decl) out.push(decl);
      } else if (DECL_CONTAINERS.has(kid.type) || (kid.type.endsWith('_declarator') && kid.type !== 'function_declarator')
        || kid.type === 'init_declarator') {
        stack.push({ node: kid, depth: depth + 1 });
      }
    }
  }
  return out;
}

function declarationOf(fd: SyntaxNode, ctx: Ctx, file: string): FunctionDeclaration | undefined {
  const h = headerOf(fd, ctx, undefined);
  // `pthread_mutex_t m ACQUIRED_BEFORE(n);` parses as a declarator named after the annotation.
  if (!h || ctx.code[h.postfix[1]] === '{' || annotationName(h.name)) return undefined;
  const annotations = readAnnotations(h, ctx);
  if (!annotations) return undefined;
  const name = declaredName(fd.childForFieldName('declarator'))!;
  const start = declarationStart(ctx.code, h.prefix[1]);
  return {
    name: h.name,
    file,
    nameSpan: ctx.lines.span(name.startIndex, name.endIndex),
    params: parametersOf(fd).names,
    isStatic: /\bstatic\b/.test(ctx.code.slice(start, h.prefix[1])),
    annotations,
  };
}

/**
 * Sparse's `__acquire(x)` / `__release(x)` statements tell it a lock context changes where it
 * cannot see one ("fake out sparse"): a trylock-like acquire (it orders nothing and never waits)
 * and a release, of the kind the function otherwise uses for that lock.
 */
function lowerContextStatements(fn: FunctionIR): void {
  let kinds: Map<string, LockKind> | undefined;
  for (const node of fn.nodes) {
    const op = node.op;
    if (op.kind !== 'call' || (op.callee !== '__acquire' && op.callee !== '__release') || !op.args[0]) continue;
    kinds ??= lockKinds(fn);
    const lock = op.args[0];
    const lockKind = kinds.get(lock.path) ?? 'mutex';
    const mode = lockKind === 'rcu' ? 'shared' : 'exclusive';
    node.op = op.callee === '__acquire'
      ? { kind: 'acquire', lock, lockKind, mode, irq: 'none', api: op.callee, span: op.span, try: true }
      : { kind: 'release', lock, lockKind, mode, api: op.callee, span: op.span };
  }
}

function lockKinds(fn: FunctionIR): Map<string, LockKind> {
  const kinds = new Map<string, LockKind>();
  const visit = (op: Op) => {
    if (op.kind === 'acquire' || op.kind === 'release') kinds.set(op.lock.path, op.lockKind);
    else if (op.kind === 'defer') op.ops.forEach(visit);
  };
  for (const node of fn.nodes) visit(node.op);
  return kinds;
}
