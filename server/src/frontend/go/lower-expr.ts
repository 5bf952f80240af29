// Expressions: the ops their evaluation performs (calls, lock operations, channel receives), in
// evaluation order, and the classification of one call (API entry, method, package function).
import type { ApiEntry } from '../../api/types';
import type { LockRef, Op, Span } from '../../ir/types';
import type { SyntaxNode } from '../../syntax/tree';
import {
  embeddedLockRef, isPackageName, isSyncType, lockRefOf, partsType, pathParts, pathString, pathType, refFromParts,
} from './lockref';
import type { FnState } from './state';
import { captureScope, literalName } from './state';
import { CallParts, callParts, namedKids, selectorParts, spanOf } from './syntax';
import {
  deref, FileTypes, inferType, isPredeclaredType, namedBase, qualify, resolveType, structOf, typeString,
} from './types-scope';

const BUILTINS = new Set([
  'append', 'cap', 'clear', 'close', 'complex', 'copy', 'delete', 'imag', 'len', 'make', 'max', 'min',
  'new', 'print', 'println', 'real', 'recover',
]);

/** Leaves and types: nothing inside them is evaluated. */
const INERT = new Set([
  'identifier', 'field_identifier', 'package_identifier', 'type_identifier', 'int_literal', 'float_literal',
  'imaginary_literal', 'rune_literal', 'interpreted_string_literal', 'raw_string_literal', 'nil', 'true',
  'false', 'iota', 'comment', 'qualified_type', 'pointer_type', 'array_type', 'slice_type', 'map_type',
  'channel_type', 'function_type', 'struct_type', 'interface_type', 'generic_type', 'implicit_length_array_type',
  'type_arguments', 'parenthesized_type', 'negated_type', 'blank_identifier', 'label_name', 'dot',
]);

const EXIT_METHODS = /^(Fatal|Fatalf|Fatalln|FailNow|SkipNow|Skip|Skipf|Panic|Panicf|Panicln)$/;

// ---------- function literals ----------

/** Registers a function literal for lowering as its own function; returns its FunctionIR name. */
export function queueLiteral(node: SyntaxNode, st: FnState): string {
  const name = literalName(node, st.name);
  if (!st.fc.queued.has(node.startIndex)) {
    st.fc.queued.add(node.startIndex);
    st.fc.queue.push({ node, name, scope: captureScope(st.scope) });
  }
  return name;
}

// ---------- evaluation walk ----------

/**
 * Emits the ops of evaluating `n` into the graph: post-order (operands and arguments before the
 * call), with an explicit stack so deeply nested expressions cannot exhaust the JS stack.
 */
export function evalExpr(n: SyntaxNode | null | undefined, st: FnState): void {
  if (!n) return;
  const nodes: SyntaxNode[] = [n];
  const post: boolean[] = [false];
  const calls: CallParts[] = []; // parts of the calls whose post-visit is pending, innermost last
  while (nodes.length) {
    const node = nodes.pop()!;
    if (post.pop()) {
      emitPost(node, st, node.type === 'call_expression' ? calls.pop() : undefined);
      continue;
    }
    const t = node.type;
    if (INERT.has(t)) continue;
    if (t === 'func_literal') {
      queueLiteral(node, st);
      continue;
    }
    if (t === 'ERROR') markError(node, st);
    if (st.fc.guarded && (t === 'selector_expression' || t === 'unary_expression')) guardedAccess(node, t, st);
    if (t === 'call_expression') {
      const parts = callParts(node);
      nodes.push(node); post.push(true); calls.push(parts);
      pushReversed(parts.args, nodes, post);
      if (parts.fn) { nodes.push(parts.fn); post.push(false); }
      continue;
    }
    if (t === 'unary_expression' && st.src.startsWith(node, '<-')) {
      const operand = node.namedChild(0);
      nodes.push(node); post.push(true);
      if (operand) { nodes.push(operand); post.push(false); }
      continue;
    }
    // Most operands hold no call or receive: a scan of their text is cheaper than walking them.
    if (!st.src.mayHaveEffects(node) && !(st.fc.guarded && st.fc.guarded.names.test(st.src.of(node)))) continue;
    pushReversed(namedKids(node), nodes, post);
  }
}

function rangeKey(n: SyntaxNode): string {
  return `${n.startIndex}:${n.endIndex}`;
}

/** A read of a guarded field (`e.data`); `&e.data` takes its address and reads nothing. */
function guardedAccess(node: SyntaxNode, t: string, st: FnState): void {
  if (t === 'unary_expression') {
    const operand = node.namedChild(0);
    if (operand && operand.type === 'selector_expression' && st.src.startsWith(node, '&')) (st.accessed ??= new Set()).add(rangeKey(operand));
    return;
  }
  if (st.accessed?.has(rangeKey(node))) return;
  const op = st.fc.guarded!.accessOf(node, false, st);
  if (op) st.cfg.add(op, spanOf(node));
}

/** An assignment or `++` target: a write of the guarded field it names (`e.data = v`, `e.m[k] = v`). */
export function guardedWrite(target: SyntaxNode, st: FnState): void {
  if (!st.fc.guarded) return;
  let t = unparen(target);
  for (let i = 0; i < 8 && t.type === 'index_expression'; i++) {
    const inner = t.namedChild(0);
    if (!inner) return;
    t = unparen(inner);
  }
  if (t.type !== 'selector_expression') return;
  const op = st.fc.guarded.accessOf(t, true, st);
  if (!op) return;
  st.cfg.add(op, spanOf(t));
  (st.accessed ??= new Set()).add(rangeKey(t));
}

/** `x := &T{...}`, `T{...}`, `new(T)`: a value nobody else has seen yet. */
export function isFreshValue(v: SyntaxNode, st: FnState): boolean {
  let n = unparen(v);
  if (n.type === 'unary_expression' && st.src.startsWith(n, '&')) n = n.namedChild(0) ?? n;
  if (n.type === 'composite_literal') return true;
  if (n.type !== 'call_expression') return false;
  const fn = n.childForFieldName('function');
  return !!fn && fn.type === 'identifier' && st.src.of(fn) === 'new' && !st.scope.has('new');
}

function pushReversed(list: SyntaxNode[], nodes: SyntaxNode[], post: boolean[]): void {
  for (let i = list.length - 1; i >= 0; i--) { nodes.push(list[i]); post.push(false); }
}

function emitPost(node: SyntaxNode, st: FnState, parts: CallParts | undefined): void {
  if (parts) {
    for (const op of opsForCall(node, st, parts)) st.cfg.add(op, spanOfOp(op) ?? spanOf(node));
  } else {
    const span = spanOf(node);
    st.cfg.add({ kind: 'block', api: st.src.short(node), category: 'channel', span }, span);
  }
}

function spanOfOp(op: Op): Span | undefined {
  return 'span' in op ? op.span : undefined;
}

export function markError(node: SyntaxNode, st: FnState): void {
  st.incomplete = true;
  if (!st.firstError) st.firstError = spanOf(node);
}

// ---------- call classification ----------

/** Strips parentheses around a callee: `(f)(x)`, `(*T)(p)`. */
function unparen(n: SyntaxNode): SyntaxNode {
  let cur = n;
  for (let i = 0; i < 50 && cur.type === 'parenthesized_expression'; i++) {
    const inner = cur.namedChild(0);
    if (!inner) break;
    cur = inner;
  }
  return cur;
}

/** LockRef for an argument that looks like a lock-capable lvalue; null otherwise. */
export function argRef(a: SyntaxNode, st: FnState): LockRef | null {
  const t = a.type;
  if (t !== 'identifier' && t !== 'selector_expression' && t !== 'unary_expression' && t !== 'index_expression'
    && t !== 'parenthesized_expression') return null;
  const p = pathParts(a, st.src);
  return p ? refFromParts(st.src.short(a, 120), p, st) : null;
}

function callOp(callee: string, receiver: string | undefined, args: SyntaxNode[], span: Span, st: FnState): Extract<Op, { kind: 'call' }> {
  const op: Extract<Op, { kind: 'call' }> = { kind: 'call', callee, args: args.map((a) => argRef(a, st)), span };
  if (receiver !== undefined) op.receiver = receiver;
  return op;
}

/** Receiver text for a call op when its type is unknown: the normalised path, else its root. */
function receiverText(o: SyntaxNode, st: FnState): string | undefined {
  const p = pathParts(o, st.src);
  if (p) return pathString(p);
  let cur: SyntaxNode | null = o;
  for (let i = 0; cur && i < 200; i++) {
    if (cur.type === 'identifier') return st.src.of(cur);
    cur = cur.childForFieldName('operand') ?? cur.childForFieldName('function') ?? cur.namedChild(0);
  }
  return undefined;
}

interface MethodTarget {
  entry: ApiEntry;
  /** the value itself is the lock (embedded sync.Mutex) */
  embedded: boolean;
  /** matched through goUntypedMethods */
  untyped: boolean;
  recvType?: string;
}

type EmbeddedSearch = { entry: ApiEntry } | 'method' | 'unknown' | undefined;

function apiForType(base: string, m: string, st: FnState): ApiEntry | undefined {
  const dot = base.indexOf('.');
  if (dot < 0) return undefined;
  const alias = base.slice(0, dot);
  const tname = base.slice(dot + 1);
  const path = st.ft.imports.get(alias);
  const go = st.fc.api.go;
  return (path ? go.get(`${path}.${tname}.${m}`) : undefined) ?? go.get(`${alias}.${tname}.${m}`);
}

/** Looks for `m` among the embedded fields of a struct of this file (promoted lock methods). */
function searchEmbedded(type: string, m: string, st: FnState, depth: number, seen = new Set<string>()): EmbeddedSearch {
  const def = structOf(type, st.ft);
  // `seen` keeps self-embedding or heavily repeated embeddings (broken code) linear.
  if (!def || depth > 3) return undefined;
  let unknown = false;
  for (const e of def.embedded) {
    const base = namedBase(resolveType(e, st.ft));
    if (!base) continue;
    if (base.includes('.')) {
      const entry = apiForType(base, m, st);
      if (entry) return { entry };
      if (!isSyncType(base, st.ft)) unknown = true;
      continue;
    }
    if (st.ft.methods.has(`${base}.${m}`)) return 'method';
    if (seen.has(base)) continue;
    seen.add(base);
    const inner = searchEmbedded(e, m, st, depth + 1, seen);
    if (inner) return inner;
    if (!st.ft.structs.has(base)) unknown = true;
  }
  return unknown ? 'unknown' : undefined;
}

/** Which API entry (if any) a method call `o.m(args)` is, given what is known of `o`'s type. */
function resolveMethod(type: string | undefined, m: string, nargs: number, st: FnState): MethodTarget | undefined {
  const untypedEntry = nargs === 0 ? st.fc.api.goUntypedMethods.get(m) : undefined;
  const untyped = (embedded: boolean): MethodTarget | undefined =>
    (untypedEntry ? { entry: untypedEntry, embedded, untyped: true, recvType: type } : undefined);
  if (!type) return untyped(false);
  const r = resolveType(type, st.ft);
  const base = namedBase(r);
  if (!base) {
    if (deref(r).startsWith('struct#')) return embeddedTarget(r, m, st, untyped, type);
    return /^interface\b/.test(deref(r)) ? untyped(false) : undefined;
  }
  if (base.includes('.')) {
    const entry = apiForType(base, m, st);
    if (entry) return { entry, embedded: false, untyped: false, recvType: type };
    // Other sync types (WaitGroup.Add, Once.Do) are plain calls; sync.Locker is an interface.
    return isSyncType(base, st.ft) && !base.endsWith('.Locker') ? undefined : untyped(false);
  }
  if (st.ft.methods.has(`${base}.${m}`)) return undefined;
  if (st.ft.structs.has(base)) return embeddedTarget(r, m, st, untyped, type);
  const under = st.ft.named.get(base);
  if (under !== undefined && !/^interface\b/.test(under)) return undefined;
  // An interface, or a type declared in another file of the package: its method set is unknown.
  return untyped(under === undefined);
}

function embeddedTarget(
  r: string, m: string, st: FnState, untyped: (embedded: boolean) => MethodTarget | undefined, type: string,
): MethodTarget | undefined {
  const found = searchEmbedded(r, m, st, 0);
  if (found === 'method' || found === undefined) return undefined;
  if (found === 'unknown') return untyped(true);
  return { entry: found.entry, embedded: true, untyped: false, recvType: type };
}

/** Receiver LockRef; `s.Mutex.Lock()` on an embedded mutex names the struct, like `s.Lock()`. */
function receiverRef(o: SyntaxNode, st: FnState): LockRef {
  const sp = o.type === 'selector_expression' ? selectorParts(o) : undefined;
  if (sp) {
    const [operand, field] = sp;
    const fname = st.src.of(field);
    if (operand && fname === 'L') {
      // `s.cond.L.Lock()`: the Cond's lock, rewritten with `Wait`'s when its constructor is seen.
      const t = inferType(operand, st.scope, st.src, st.ft) ?? pathType(operand, st);
      if (t && /^\*?sync\.Cond$/.test(resolveType(t, st.ft))) {
        const ref = condLockRef(operand, st);
        if (ref) return ref;
      }
    }
    if (operand && (fname === 'Mutex' || fname === 'RWMutex')) {
      const t = inferType(operand, st.scope, st.src, st.ft) ?? pathType(operand, st);
      const def = t ? structOf(t, st.ft) : undefined;
      if (def && def.embedded.some((e) => namedBase(e)?.endsWith('.' + fname))) return embeddedLockRef(operand, st, t);
    }
  }
  return lockRefOf(o, st);
}

function pseudoLock(name: string): LockRef {
  return { text: name, path: name, root: name, cls: `global:${name}` };
}

/** The lock a Cond.Wait releases: `<cond>.L`, rewritten later when the Cond's constructor is seen. */
function condLockRef(o: SyntaxNode, st: FnState): LockRef | undefined {
  const p = pathParts(o, st.src);
  if (!p) return undefined;
  const root = st.scope.get(p.root);
  if (p.segs.length === 0 && root?.condLock) return { ...root.condLock };
  const lParts = { root: p.root, segs: [...p.segs, 'L'] };
  const ref = refFromParts(`${st.src.short(o, 100)}.L`, lParts, st);
  const condCls = refFromParts('', p, st).cls;
  if (condCls) {
    const ctx = { src: st.src, ft: st.ft, scope: st.scope };
    st.fc.condUses.push({
      ref, condCls, condParts: p,
      rebuild: (parts, embedded) => {
        const r = refFromParts(pathString(parts), parts, ctx);
        if (!embedded) return r;
        const owner = partsType(parts, ctx);
        const base = owner ? namedBase(resolveType(owner, ctx.ft)) : undefined;
        return base ? { ...r, cls: qualify(base, ctx.ft) } : r;
      },
    });
  }
  return ref;
}

function entryOps(
  entry: ApiEntry, api: string, recv: SyntaxNode | undefined, args: SyntaxNode[], span: Span, st: FnState,
  recvRef: () => LockRef | undefined,
): Op[] {
  const lockOf = (): LockRef | undefined => {
    if (entry.lock) return pseudoLock(entry.lock);
    const idx = entry.arg ?? 0;
    if (idx < 0) return recvRef();
    const a = args[idx];
    return a ? lockRefOf(a, st) : undefined;
  };
  switch (entry.role) {
    case 'acquire': {
      const lock = lockOf();
      if (!lock) return [];
      return [{ kind: 'acquire', lock, lockKind: entry.kind ?? 'mutex', mode: entry.mode ?? 'exclusive', irq: entry.irq ?? 'none', api, span }];
    }
    case 'release': {
      const lock = lockOf();
      if (!lock) return [];
      return [{ kind: 'release', lock, lockKind: entry.kind ?? 'mutex', mode: entry.mode ?? 'exclusive', api, span }];
    }
    case 'tryacquire':
      return []; // only a branch on its result acquires (see tryOnEdge)
    case 'block': {
      const op: Op = { kind: 'block', api, category: entry.category ?? 'wait', span };
      if (entry.domain) op.domain = entry.domain;
      if (entry.category === 'condwait' && recv) {
        const lock = condLockRef(recv, st);
        if (lock) op.lock = lock;
      }
      return [op];
    }
    case 'spawn': {
      const a = args[entry.arg ?? 0];
      const cb = a ? callbackCall(a, span, st) : undefined;
      return cb ? [{ kind: 'spawn', target: cb.callee, api, span }] : [];
    }
    case 'invoke': {
      // The registrar stays a call of its own; then the callback runs here, before it returns.
      const dot = api.lastIndexOf('.');
      const self = recv ? callOp(api.slice(dot + 1), api.slice(0, dot), args, span, st) : callOp(api, undefined, args, span, st);
      const a = args[entry.arg ?? 0];
      const cb = a ? callbackCall(a, span, st) : undefined;
      return cb ? [self, cb] : [self];
    }
    default:
      return [];
  }
}

/**
 * A callback argument as a call with no arguments (the registrar supplies them): a function
 * literal (lowered as its own function, named as for `go func(){}`), a package function, or a
 * method value `s.handle` (a call on `s`, so the locks of `s` map). A parameter or variable of
 * func type names no function we know.
 */
function callbackCall(a: SyntaxNode, span: Span, st: FnState): Extract<Op, { kind: 'call' }> | undefined {
  const n = unparen(a);
  if (n.type === 'func_literal') return callOp(queueLiteral(n, st), undefined, [], span, st);
  if (n.type === 'identifier') {
    const name = st.src.of(n);
    const v = st.scope.get(name);
    if (v) return v.lit !== undefined ? callOp(v.lit, undefined, [], span, st) : undefined;
    return st.ft.pkgVars.has(name) ? undefined : callOp(name, undefined, [], span, st);
  }
  const sp = n.type === 'selector_expression' ? selectorParts(n) : undefined;
  if (!sp) return undefined;
  const [o, f] = sp;
  const m = st.src.of(f);
  if (o.type === 'identifier' && isPackageName(st.src.of(o), st)) return callOp(`${st.src.of(o)}.${m}`, undefined, [], span, st);
  const type = inferType(o, st.scope, st.src, st.ft) ?? pathType(o, st);
  const op = callOp(m, type ?? receiverText(o, st), [], span, st);
  const recvParts = pathParts(o, st.src);
  if (recvParts) op.receiverRef = refFromParts(st.src.short(o, 120), recvParts, st);
  return op;
}

/** The ops one call performs (not counting its operands), or [] for builtins and conversions. */
export function opsForCall(call: SyntaxNode, st: FnState, parts: CallParts = callParts(call)): Op[] {
  const fnRaw = parts.fn;
  const args = parts.args;
  if (!fnRaw) return [];
  const span = spanOf(call);
  const fn = unparen(fnRaw);
  switch (fn.type) {
    case 'func_literal':
      return [callOp(literalName(fn, st.name), undefined, args, span, st)];
    case 'identifier': {
      const name = st.src.of(fn);
      const v = st.scope.get(name);
      if (v) return [callOp(v.lit ?? name, undefined, args, span, st)];
      if (BUILTINS.has(name) || name === 'panic' || isConversion(name, st.ft)) return [];
      return [callOp(name, undefined, args, span, st)];
    }
    case 'selector_expression': {
      const sp = selectorParts(fn);
      if (!sp) return [];
      const [o, f] = sp;
      const m = st.src.of(f);
      if (o.type === 'identifier' && isPackageName(st.src.of(o), st)) return packageCallOps(st.src.of(o), m, args, span, st);
      const type = inferType(o, st.scope, st.src, st.ft) ?? pathType(o, st);
      const readLocker = args.length === 0 && (m === 'Lock' || m === 'Unlock') ? readLockerOps(o, m, span, st) : undefined;
      if (readLocker) return readLocker;
      const target = resolveMethod(type, m, args.length, st);
      // sync's Lock/Unlock return nothing: a `Lock()` whose result is used (`unlock, err := m.Lock()`)
      // belongs to some other API.
      const resultUsed = call.parent !== null && !['expression_statement', 'defer_statement', 'go_statement'].includes(call.parent.type);
      if (target && !(target.untyped && resultUsed)) {
        const api = target.untyped ? m : target.entry.name;
        const recvRef = () => (target.embedded ? embeddedLockRef(o, st, type) : receiverRef(o, st));
        return entryOps(target.entry, api, o, args, span, st, recvRef);
      }
      const op = callOp(m, type ?? receiverText(o, st), args, span, st);
      // The callee's `recv.mu` is the caller's `<operand>.mu`: without this, a method that
      // locks its receiver is known to the caller only by lock class.
      const recvParts = pathParts(o, st.src);
      if (recvParts && op.kind === 'call') op.receiverRef = refFromParts(st.src.short(o, 120), recvParts, st);
      return [op];
    }
    default:
      return [];
  }
}

/**
 * `RWMutex.RLocker()` hands out a Locker whose Lock/Unlock are RLock/RUnlock: through a variable
 * (`rl := mu.RLocker(); rl.Lock()`) or directly (`mu.RLocker().Lock()`). A `sync.Locker` of unknown
 * origin stays what its name says (matched as Lock/Unlock by name).
 */
function readLockerOps(o: SyntaxNode, m: string, span: Span, st: FnState): Op[] | undefined {
  const entry = st.fc.api.go.get(m === 'Lock' ? 'sync.RWMutex.RLock' : 'sync.RWMutex.RUnlock');
  if (!entry) return undefined;
  const v = o.type === 'identifier' ? st.scope.get(st.src.of(o)) : undefined;
  const lock = v?.rlocker ? { ...v.rlocker } : rlockerOf(o, st);
  return lock ? entryOps(entry, entry.name, o, [], span, st, () => lock) : undefined;
}

/** The RWMutex of a `<mu>.RLocker()` call. */
export function rlockerOf(call: SyntaxNode, st: FnState): LockRef | undefined {
  if (call.type !== 'call_expression') return undefined;
  const { fn, args } = callParts(call);
  if (!fn || args.length !== 0 || fn.type !== 'selector_expression') return undefined;
  const sp = selectorParts(fn);
  if (!sp || st.src.of(sp[1]) !== 'RLocker') return undefined;
  const t = inferType(sp[0], st.scope, st.src, st.ft) ?? pathType(sp[0], st);
  if (!t || !/^\*?sync\.RWMutex$/.test(resolveType(t, st.ft))) return undefined;
  return receiverRef(sp[0], st);
}

function isConversion(name: string, ft: FileTypes): boolean {
  return isPredeclaredType(name) || ft.structs.has(name) || ft.named.has(name);
}

function packageCallOps(alias: string, m: string, args: SyntaxNode[], span: Span, st: FnState): Op[] {
  const path = st.ft.imports.get(alias);
  const go = st.fc.api.go;
  const entry = (path ? go.get(`${path}.${m}`) : undefined) ?? go.get(`${alias}.${m}`);
  if (entry) return entryOps(entry, entry.name, undefined, args, span, st, () => undefined);
  return [callOp(`${alias}.${m}`, undefined, args, span, st)];
}

/** `panic(...)`, `os.Exit`, `log.Fatal*`, `t.Fatal*`, `runtime.Goexit`: paths that do not return. */
export function isExitCall(call: SyntaxNode, st: FnState): boolean {
  const fnRaw = callParts(call).fn;
  if (!fnRaw) return false;
  const fn = unparen(fnRaw);
  if (fn.type === 'identifier') return st.src.of(fn) === 'panic' && !st.scope.has('panic');
  if (fn.type !== 'selector_expression') return false;
  const sp = selectorParts(fn);
  if (!sp) return false;
  const [o, f] = sp;
  const m = st.src.of(f);
  if (o.type === 'identifier' && isPackageName(st.src.of(o), st)) {
    const path = st.ft.imports.get(st.src.of(o));
    return (path === 'os' && m === 'Exit') || (path === 'runtime' && m === 'Goexit') || /^(Fatal|Panic)/.test(m);
  }
  return EXIT_METHODS.test(m);
}

/**
 * The acquire a trylock call performs when it succeeds, and which boolean result means success.
 * Undefined when the call is not a trylock.
 */
export function tryAcquireOf(call: SyntaxNode, st: FnState): { op: Op; onTrue: boolean } | undefined {
  if (call.type !== 'call_expression') return undefined;
  const { fn: fnRaw, args } = callParts(call);
  if (!fnRaw) return undefined;
  const fn = unparen(fnRaw);
  if (fn.type !== 'selector_expression') return undefined;
  const sp = selectorParts(fn);
  if (!sp) return undefined;
  const [o, f] = sp;
  if (o.type === 'identifier' && isPackageName(st.src.of(o), st)) return undefined;
  const m = st.src.of(f);
  const type = inferType(o, st.scope, st.src, st.ft) ?? pathType(o, st);
  const target = resolveMethod(type, m, args.length, st);
  if (!target || target.entry.role !== 'tryacquire') return undefined;
  const e = target.entry;
  const lock = target.embedded ? embeddedLockRef(o, st, type) : receiverRef(o, st);
  const op: Op = {
    kind: 'acquire', lock, lockKind: e.kind ?? 'mutex', mode: e.mode ?? 'exclusive', irq: e.irq ?? 'none',
    api: target.untyped ? m : e.name, span: spanOf(call),
  };
  return { op, onTrue: e.success !== 'zero' };
}

/** The release ops of a deferred closure body, in source order (a straight-line approximation). */
export function closureReleases(lit: SyntaxNode, st: FnState): Op[] {
  const body = lit.childForFieldName('body');
  if (!body) return [];
  const scope = new Map(st.scope);
  const params = lit.childForFieldName('parameters');
  if (params) {
    for (const p of namedKids(params)) {
      const t = p.childForFieldName('type');
      const type = t ? typeString(t, st.src, st.ft) : undefined;
      for (const c of namedKids(p)) if (c.type === 'identifier') scope.set(st.src.of(c), { kind: 'local', type });
    }
  }
  const inner: FnState = { ...st, scope };
  const out: Op[] = [];
  const stack: SyntaxNode[] = [body];
  let budget = 20000;
  while (stack.length && budget-- > 0) {
    const n = stack.pop()!;
    if (n.type === 'func_literal' || INERT.has(n.type)) continue;
    if (n.type === 'call_expression') for (const op of opsForCall(n, inner)) if (op.kind === 'release') out.push(op);
    const ks = namedKids(n);
    for (let i = ks.length - 1; i >= 0; i--) stack.push(ks[i]);
  }
  return out;
}
