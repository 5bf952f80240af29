// Statements -> control-flow graph. Recursion follows statement nesting only (expressions use
// explicit stacks) and is capped at MAX_DEPTH: deeper code is skipped and the function is
// marked incomplete.
import type { LockRef, Op } from '../../ir/types';
import type { SyntaxNode } from '../../syntax/tree';
import type { Breakable } from './cfg-builder';
import {
  argRef, closureReleases, evalExpr, guardedWrite, isExitCall, isFreshValue, markError, opsForCall, queueLiteral, rlockerOf, tryAcquireOf,
} from './lower-expr';
import { embeddedLockRef, isPackageName, lockRefOf, pathParts, pathType, refFromParts } from './lockref';
import type { FnState } from './state';
import { kids, namedKids, spanOf } from './syntax';
import {
  declaredNames, elemOf, inferType, isChanType, resolveType, structOf, typeString, VarInfo,
} from './types-scope';

/**
 * Statement nesting bound. Each level costs a handful of JS frames (statement -> if -> branch ->
 * block), so ~1000 levels (about 500 nested blocks, far beyond real Go) stays well inside Node's
 * default stack even when the caller is itself deep (language server).
 */
export const MAX_DEPTH = 1000;

// ---------- conditions ----------

interface CondKey {
  key: string;
  value: boolean;
  vars: string[];
}

/** Condition normalised for `assume`: outer parens stripped, leading `!` folded into the value. */
export function condKey(cond: SyntaxNode, st: FnState): CondKey {
  let n = cond;
  let value = true;
  for (let i = 0; i < 100; i++) {
    if (n.type === 'parenthesized_expression' && n.namedChild(0)) n = n.namedChild(0)!;
    else if (n.type === 'unary_expression' && n.childForFieldName('operator')?.type === '!' && n.childForFieldName('operand')) {
      n = n.childForFieldName('operand')!;
      value = !value;
    } else break;
  }
  return { key: st.src.compact(n), value, vars: readVars(n, st) };
}

/** Identifiers an expression reads (not fields, not package names), bounded. */
function readVars(n: SyntaxNode, st: FnState): string[] {
  const out = new Set<string>();
  const stack = [n];
  let budget = 500;
  while (stack.length && budget-- > 0) {
    const c = stack.pop()!;
    if (c.type === 'identifier') {
      const name = st.src.of(c);
      if (!isPackageName(name, st)) out.add(name);
      continue;
    }
    if (c.type === 'func_literal') continue;
    for (const k of namedKids(c)) stack.push(k);
  }
  return [...out].sort();
}

/**
 * The trylock acquisitions known to have succeeded when `cond` evaluates to `value`:
 * `mu.TryLock()`, `!mu.TryLock()`, `ok` after `ok := mu.TryLock()`, and conjunctions /
 * disjunctions of those. `used` collects the try variables consumed.
 */
function tryOnEdge(cond: SyntaxNode, value: boolean, st: FnState, used: Set<string>, depth = 0): Op[] {
  if (depth > 50) return [];
  switch (cond.type) {
    case 'parenthesized_expression': {
      const inner = cond.namedChild(0);
      return inner ? tryOnEdge(inner, value, st, used, depth + 1) : [];
    }
    case 'unary_expression': {
      const operand = cond.childForFieldName('operand');
      return operand && cond.childForFieldName('operator')?.type === '!' ? tryOnEdge(operand, !value, st, used, depth + 1) : [];
    }
    case 'call_expression': {
      const t = tryAcquireOf(cond, st);
      if (!t) return [];
      return t.onTrue === value ? [t.op] : failed([t.op]);
    }
    case 'identifier': {
      const name = st.src.of(cond);
      const ops = st.tryVars.get(name);
      if (!ops) return [];
      used.add(name);
      return value ? ops : failed(ops);
    }
    case 'binary_expression': {
      const op = cond.childForFieldName('operator')?.type;
      const l = cond.childForFieldName('left');
      const r = cond.childForFieldName('right');
      if (!l || !r) return [];
      if (op === '&&' && value) return [...tryOnEdge(l, true, st, used, depth + 1), ...tryOnEdge(r, true, st, used, depth + 1)];
      if (op === '||' && !value) return [...tryOnEdge(l, false, st, used, depth + 1), ...tryOnEdge(r, false, st, used, depth + 1)];
      return [];
    }
    default:
      return [];
  }
}

/** The failure edge of a trylock: the path that does not hold the lock. */
function failed(ops: Op[]): Op[] {
  return ops.flatMap((op): Op[] => (op.kind === 'acquire' ? [{ kind: 'tryfail', lock: op.lock, api: op.api, span: op.span }] : []));
}

/** Evaluates a condition and splits the frontier into a true and a false side. */
function branchOn(cond: SyntaxNode | null, st: FnState, onTrue: () => void, onFalse: () => void): void {
  const { cfg } = st;
  if (!cond) {
    const save = cfg.frontier;
    onTrue();
    const endT = cfg.frontier;
    cfg.frontier = save;
    onFalse();
    cfg.frontier = [...endT, ...cfg.frontier];
    return;
  }
  evalExpr(cond, st);
  const k = condKey(cond, st);
  const used = new Set<string>();
  const tOps = tryOnEdge(cond, true, st, used);
  const fOps = tryOnEdge(cond, false, st, used);
  for (const u of used) st.tryVars.delete(u);
  const save = cfg.frontier;
  cfg.add({ kind: 'assume', key: k.key, value: k.value, vars: k.vars });
  for (const op of tOps) cfg.add(op, spanOf(cond));
  onTrue();
  const endT = cfg.frontier;
  cfg.frontier = save;
  cfg.add({ kind: 'assume', key: k.key, value: !k.value, vars: k.vars });
  for (const op of fOps) cfg.add(op, spanOf(cond));
  onFalse();
  cfg.frontier = [...endT, ...cfg.frontier];
}

// ---------- statements ----------

/** Statements of a block, whether or not the grammar wraps them in a statement_list. */
export function blockStatements(block: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const c of namedKids(block)) {
    if (c.type === 'statement_list') for (const s of namedKids(c)) out.push(s);
    else out.push(c);
  }
  return out;
}

export function lowerStatements(list: SyntaxNode[], st: FnState): void {
  for (const s of list) stmt(s, st);
}

export function stmt(n: SyntaxNode, st: FnState, label?: string): void {
  if (st.depth >= MAX_DEPTH) {
    markError(n, st);
    return;
  }
  st.depth++;
  try {
    lowerStatement(n, st, label);
  } finally {
    st.depth--;
  }
}

function lowerStatement(n: SyntaxNode, st: FnState, label: string | undefined): void {
  const { cfg, src } = st;
  switch (n.type) {
    case 'comment':
    case 'empty_statement':
    case 'const_declaration':
    case 'fallthrough_statement': // handled by the enclosing switch case
      return;
    case 'block':
    case 'statement_list':
      return lowerStatements(blockStatements(n), st);
    case 'expression_statement':
      return exprStatement(n.namedChild(0), st);
    case 'send_statement': {
      evalExpr(n.childForFieldName('channel'), st);
      evalExpr(n.childForFieldName('value'), st);
      const span = spanOf(n);
      cfg.add({ kind: 'block', api: src.short(n), category: 'channel', span }, span);
      return;
    }
    case 'inc_statement':
    case 'dec_statement': {
      const target = n.namedChild(0);
      if (target) guardedWrite(target, st);
      evalExpr(target, st);
      if (target) assignVars([target], st, spanOf(n));
      return;
    }
    case 'assignment_statement':
      return assignment(n, st);
    case 'short_var_declaration':
      return shortVar(n, st);
    case 'var_declaration':
      return varDecl(n, st);
    case 'type_declaration':
      return localTypes(n, st);
    case 'labeled_statement': {
      const l = n.childForFieldName('label');
      const name = l ? src.of(l) : '';
      cfg.label(name);
      const inner = namedKids(n).find((c) => c.type !== 'label_name' && c.type !== 'comment');
      if (inner) stmt(inner, st, name);
      return;
    }
    case 'goto_statement': {
      const l = namedKids(n).find((c) => c.type === 'label_name');
      if (l) cfg.goto(src.of(l));
      else cfg.frontier = [];
      return;
    }
    case 'break_statement': {
      const l = namedKids(n).find((c) => c.type === 'label_name');
      cfg.breakTo(l ? src.of(l) : undefined);
      return;
    }
    case 'continue_statement': {
      const l = namedKids(n).find((c) => c.type === 'label_name');
      cfg.continueTo(l ? src.of(l) : undefined);
      return;
    }
    case 'return_statement': {
      const list = n.namedChild(0);
      evalExpr(list, st);
      cfg.exit('return', spanOf(n), list && list.type !== 'comment' ? src.short(list, 200) : undefined);
      return;
    }
    case 'go_statement':
      return goStatement(n, st);
    case 'defer_statement':
      return deferStatement(n, st);
    case 'if_statement':
      return ifStatement(n, st);
    case 'for_statement':
      return forStatement(n, st, label);
    case 'expression_switch_statement':
    case 'type_switch_statement':
      return switchStatement(n, st, label);
    case 'select_statement':
      return selectStatement(n, st, label);
    case 'ERROR':
      markError(n, st);
      // Lower what parses inside the error region: statements and calls.
      for (const c of namedKids(n)) {
        if (c.type.endsWith('_statement') || c.type.endsWith('_declaration') || c.type === 'block') stmt(c, st);
        else evalExpr(c, st);
      }
      return;
    default:
      if (n.isMissing) markError(n, st);
      evalExpr(n, st);
  }
}

function exprStatement(e: SyntaxNode | null, st: FnState): void {
  if (!e) return;
  if (e.type === 'call_expression' && isExitCall(e, st)) {
    const fn = e.childForFieldName('function');
    if (fn && fn.type === 'selector_expression') evalExpr(fn.childForFieldName('operand'), st);
    evalExpr(e.childForFieldName('arguments'), st);
    st.cfg.exit('panic', spanOf(e));
    return;
  }
  evalExpr(e, st);
}

// ---------- assignments and declarations ----------

function assignVars(targets: SyntaxNode[], st: FnState, span: ReturnType<typeof spanOf>): void {
  const vars: string[] = [];
  for (const t of targets) {
    // Only rebinding a whole variable names another object; a field or element store
    // (`c.n = 1`, `s.m[k] = v`) leaves the locks reached through it where they were.
    if (t.type !== 'identifier') continue;
    const p = pathParts(t, st.src);
    if (p && p.root !== '_' && !vars.includes(p.root)) vars.push(p.root);
  }
  for (const v of vars) st.tryVars.delete(v);
  if (vars.length) st.cfg.add({ kind: 'assign', vars }, span);
}

/** Lvalues whose evaluation may have effects (`m[f()] = x`): their sub-expressions, not the target itself. */
function evalTargets(targets: SyntaxNode[], st: FnState): void {
  for (const t of targets) if (t.type !== 'identifier') for (const k of namedKids(t)) evalExpr(k, st);
}

/** After `x = rhs` / `x := rhs`: trylock results and Cond constructors are remembered. */
function afterAssign(lefts: SyntaxNode[], rights: SyntaxNode[], st: FnState): void {
  if (lefts.length !== 1 || rights.length !== 1) return;
  const l = lefts[0];
  const r = rights[0];
  if (r.type !== 'call_expression') return;
  if (l.type === 'identifier') {
    const t = tryAcquireOf(r, st);
    if (t && t.onTrue) st.tryVars.set(st.src.of(l), [t.op]);
  }
  recordCond(l, r, st);
  if (l.type === 'identifier') {
    const rl = rlockerOf(r, st);
    const v = st.scope.get(st.src.of(l));
    if (rl && v) v.rlocker = rl;
  }
}

function isNewCond(call: SyntaxNode, st: FnState): SyntaxNode | undefined {
  const fn = call.childForFieldName('function');
  if (!fn || fn.type !== 'selector_expression') return undefined;
  const o = fn.childForFieldName('operand');
  const f = fn.childForFieldName('field');
  if (!o || !f || o.type !== 'identifier' || st.src.of(f) !== 'NewCond') return undefined;
  if (st.ft.imports.get(st.src.of(o)) !== 'sync') return undefined;
  return call.childForFieldName('arguments')?.namedChild(0) ?? undefined;
}

/** Whether a lock argument is a struct value whose embedded mutex is the lock. */
function embeddedValue(arg: SyntaxNode, st: FnState): boolean {
  const t = inferType(arg, st.scope, st.src, st.ft) ?? pathType(arg, st);
  const def = t ? structOf(t, st.ft) : undefined;
  return !!def && def.embedded.some((e) => /^\*?sync\.(RW)?Mutex$/.test(e));
}

function recordCond(l: SyntaxNode, call: SyntaxNode, st: FnState): void {
  const arg = isNewCond(call, st);
  if (!arg) return;
  const embedded = embeddedValue(arg, st);
  const lockRef: LockRef = embedded ? embeddedLockRef(arg, st, inferType(arg, st.scope, st.src, st.ft) ?? pathType(arg, st)) : lockRefOf(arg, st);
  const cp = pathParts(l, st.src);
  const lp = pathParts(arg, st.src);
  if (!cp) return;
  if (cp.segs.length === 0) {
    const v = st.scope.get(cp.root);
    if (v) v.condLock = lockRef;
    return;
  }
  const condCls = refFromParts('', cp, st).cls;
  if (!condCls || !lp || lp.root !== cp.root) return;
  let common = 0;
  while (common < cp.segs.length - 1 && common < lp.segs.length && cp.segs[common] === lp.segs[common]) common++;
  st.fc.condLinks.set(condCls, { strip: cp.segs.length - common, add: lp.segs.slice(common), embedded });
}

function assignment(n: SyntaxNode, st: FnState): void {
  const left = n.childForFieldName('left');
  const right = n.childForFieldName('right');
  const lefts = left ? namedKids(left) : [];
  const rights = right ? namedKids(right) : [];
  evalExpr(right, st);
  if (st.fc.guarded) {
    for (const l of lefts) guardedWrite(l, st);
    noteFresh(lefts, rights, st);
  }
  evalTargets(lefts, st);
  assignVars(lefts, st, spanOf(n));
  afterAssign(lefts, rights, st);
  // `f = func() {...}`: later calls of f call the literal.
  if (lefts.length === 1 && rights.length === 1 && lefts[0].type === 'identifier' && rights[0].type === 'func_literal') {
    const v = st.scope.get(st.src.of(lefts[0]));
    if (v) v.lit = queueLiteral(rights[0], st);
  }
}

/** Static types of `a, b := rhs...` (computed before any of the names is declared). */
function declTypes(names: number, rights: SyntaxNode[], st: FnState): (string | undefined)[] {
  const types: (string | undefined)[] = [];
  if (rights.length === names) {
    for (const r of rights) types.push(inferType(r, st.scope, st.src, st.ft));
    return types;
  }
  const r = rights[0];
  if (rights.length !== 1 || !r) return types;
  if (r.type === 'call_expression') {
    const fn = r.childForFieldName('function');
    if (fn && fn.type === 'identifier' && !st.scope.has(st.src.of(fn))) return st.ft.results.get(st.src.of(fn)) ?? types;
    return types;
  }
  // v, ok := <-ch / m[k] / x.(T)
  types.push(inferType(r, st.scope, st.src, st.ft), 'bool');
  return types;
}

function declare(name: string, info: VarInfo, st: FnState): void {
  if (name !== '_') st.scope.set(name, info);
}

function shortVar(n: SyntaxNode, st: FnState): void {
  const left = n.childForFieldName('left');
  const right = n.childForFieldName('right');
  const lefts = left ? namedKids(left) : [];
  const rights = right ? namedKids(right) : [];
  evalExpr(right, st);
  if (st.fc.guarded) noteFresh(lefts, rights, st);
  const types = declTypes(lefts.length, rights, st);
  lefts.forEach((l, i) => {
    if (l.type !== 'identifier') return;
    const info: VarInfo = { kind: 'local', type: types[i] };
    const r = rights.length === lefts.length ? rights[i] : undefined;
    if (r && r.type === 'func_literal') info.lit = queueLiteral(r, st);
    declare(st.src.of(l), info, st);
  });
  assignVars(lefts, st, spanOf(n));
  afterAssign(lefts, rights, st);
}

/** Locals assigned a value built right here (`&T{...}`) hold an object no other goroutine sees yet. */
function noteFresh(lefts: SyntaxNode[], rights: SyntaxNode[], st: FnState): void {
  lefts.forEach((l, i) => {
    if (l.type !== 'identifier') return;
    const r = rights.length === lefts.length ? rights[i] : undefined;
    const name = st.src.of(l);
    if (r && isFreshValue(r, st)) (st.fresh ??= new Set()).add(name);
    else st.fresh?.delete(name);
  });
}

function varSpecs(decl: SyntaxNode): SyntaxNode[] {
  const specs: SyntaxNode[] = [];
  for (const c of namedKids(decl)) {
    if (c.type === 'var_spec') specs.push(c);
    else if (c.type === 'var_spec_list') for (const s of namedKids(c)) if (s.type === 'var_spec') specs.push(s);
  }
  return specs;
}

function varDecl(n: SyntaxNode, st: FnState): void {
  for (const spec of varSpecs(n)) {
    const names = namedKids(spec).filter((c) => c.type === 'identifier');
    const typeNode = spec.childForFieldName('type');
    const value = spec.childForFieldName('value');
    const rights = value ? namedKids(value) : [];
    evalExpr(value, st);
    const declared = typeNode ? typeString(typeNode, st.src, st.ft) : undefined;
    const types = declared ? [] : declTypes(names.length, rights, st);
    names.forEach((l, i) => {
      const info: VarInfo = { kind: 'local', type: declared ?? types[i] };
      const r = rights.length === names.length ? rights[i] : undefined;
      if (r && r.type === 'func_literal') info.lit = queueLiteral(r, st);
      declare(st.src.of(l), info, st);
    });
    assignVars(names, st, spanOf(spec));
    afterAssign(names, rights, st);
  }
}

/** Types declared inside a function body join the file's table (first declaration wins). */
function localTypes(n: SyntaxNode, st: FnState): void {
  for (const spec of namedKids(n)) {
    if (spec.type !== 'type_spec' && spec.type !== 'type_alias') continue;
    const nameNode = spec.childForFieldName('name');
    const typeNode = spec.childForFieldName('type');
    if (!nameNode || !typeNode) continue;
    const name = st.src.of(nameNode);
    if (st.ft.structs.has(name) || st.ft.named.has(name)) continue;
    const t = typeString(typeNode, st.src, st.ft);
    if (t.startsWith('struct#')) st.ft.structs.set(name, st.ft.structs.get(t)!);
    else st.ft.named.set(name, t);
  }
}

// ---------- go / defer ----------

/** `go f(x)` -> f, `go s.run()` -> run, `go pkg.F()` -> pkg.F, `go func(){...}()` -> the literal's name. */
function callTarget(fn: SyntaxNode, st: FnState): string {
  if (fn.type === 'func_literal') return queueLiteral(fn, st);
  if (fn.type === 'identifier') {
    const name = st.src.of(fn);
    return st.scope.get(name)?.lit ?? name;
  }
  if (fn.type === 'selector_expression') {
    const o = fn.childForFieldName('operand');
    const f = fn.childForFieldName('field');
    if (o && f) {
      if (o.type === 'identifier' && isPackageName(st.src.of(o), st)) return `${st.src.of(o)}.${st.src.of(f)}`;
      evalExpr(o, st);
      return st.src.of(f);
    }
  }
  evalExpr(fn, st);
  return st.src.compact(fn, 120);
}

function goStatement(n: SyntaxNode, st: FnState): void {
  const call = n.namedChild(0);
  if (!call || call.type !== 'call_expression') {
    evalExpr(call, st);
    return;
  }
  evalExpr(call.childForFieldName('arguments'), st);
  const fn = call.childForFieldName('function');
  const target = fn ? callTarget(fn, st) : '';
  const span = spanOf(n);
  st.cfg.add({ kind: 'spawn', target, api: 'go', span }, span);
}

function deferStatement(n: SyntaxNode, st: FnState): void {
  const call = n.namedChild(0);
  if (!call || call.type !== 'call_expression') {
    evalExpr(call, st);
    return;
  }
  const argsNode = call.childForFieldName('arguments');
  const args = argsNode ? namedKids(argsNode) : [];
  evalExpr(argsNode, st); // arguments are evaluated at the defer statement
  const fn = call.childForFieldName('function');
  const span = spanOf(n);
  let ops: Op[];
  if (fn && fn.type === 'func_literal') {
    const name = queueLiteral(fn, st);
    ops = [...closureReleases(fn, st), { kind: 'call', callee: name, args: args.map((a) => argRef(a, st)), span: spanOf(call) }];
  } else {
    if (fn && fn.type === 'selector_expression') {
      const o = fn.childForFieldName('operand');
      if (o && !(o.type === 'identifier' && isPackageName(st.src.of(o), st))) evalExpr(o, st);
    }
    ops = opsForCall(call, st);
    if (ops.length === 0 && fn) ops = [{ kind: 'call', callee: st.src.compact(fn, 120), args: args.map((a) => argRef(a, st)), span: spanOf(call) }];
  }
  st.cfg.add({ kind: 'defer', ops, span }, span);
}

// ---------- if / for / switch / select ----------

function ifStatement(n: SyntaxNode, st: FnState): void {
  const init = n.childForFieldName('initializer');
  if (init) stmt(init, st);
  const cons = n.childForFieldName('consequence');
  const alt = n.childForFieldName('alternative');
  branchOn(n.childForFieldName('condition'), st, () => { if (cons) stmt(cons, st); }, () => { if (alt) stmt(alt, st); });
}

function forStatement(n: SyntaxNode, st: FnState, label: string | undefined): void {
  const { cfg } = st;
  const body = n.childForFieldName('body');
  const parts = namedKids(n).filter((c) => c !== body && c.type !== 'comment' && !(body && c.startIndex === body.startIndex));
  const clause = parts.find((c) => c.type === 'for_clause' || c.type === 'range_clause');
  if (clause && clause.type === 'range_clause') return rangeLoop(clause, body, st, label);
  let cond: SyntaxNode | null = null;
  let update: SyntaxNode | null = null;
  if (clause) {
    const init = clause.childForFieldName('initializer');
    if (init) stmt(init, st);
    cond = clause.childForFieldName('condition');
    update = clause.childForFieldName('update');
  } else {
    cond = parts[0] ?? null;
  }
  const header = cfg.join();
  const cont = update ? cfg.detached({ kind: 'nop' }) : header;
  const b: Breakable = { label, breaks: [], continueTo: cont };
  cfg.breakables.push(b);
  let exits: number[] = [];
  const lowerBody = () => {
    if (body) stmt(body, st);
    cfg.link(cfg.frontier, cont);
    cfg.frontier = [];
  };
  if (cond) {
    branchOn(cond, st, lowerBody, () => { exits = cfg.frontier; cfg.frontier = []; });
  } else {
    lowerBody(); // `for {}`: leaves only by break, return, goto or panic
  }
  cfg.breakables.pop();
  if (update) {
    cfg.frontier = [cont];
    stmt(update, st);
    cfg.link(cfg.frontier, header);
  }
  cfg.frontier = [...exits, ...b.breaks];
}

function rangeLoop(clause: SyntaxNode, body: SyntaxNode | null, st: FnState, label: string | undefined): void {
  const { cfg, src } = st;
  const right = clause.childForFieldName('right');
  const left = clause.childForFieldName('left');
  evalExpr(right, st);
  const rt = right ? inferType(right, st.scope, src, st.ft) ?? pathType(right, st) : undefined;
  const resolved = rt ? resolveType(rt, st.ft) : undefined;
  const isChan = isChanType(resolved) || (right !== null && isMakeChan(right, st));
  const header = cfg.join();
  if (isChan && right) {
    const span = spanOf(right);
    cfg.add({ kind: 'block', api: `range ${src.short(right)}`, category: 'channel', span }, span);
  }
  const b: Breakable = { label, breaks: [], continueTo: header };
  cfg.breakables.push(b);
  const save = cfg.frontier;
  const lefts = left ? namedKids(left) : [];
  if (lefts.length) {
    const declares = kids(clause).some((c) => c.type === ':=');
    if (declares) {
      const elem = resolved ? elemOf(resolved) : undefined;
      const types = isChan ? [elem] : resolved && /^\*?(\[|map\[)/.test(resolved) ? [resolved.startsWith('map[') ? undefined : 'int', elem] : [];
      lefts.forEach((l, i) => { if (l.type === 'identifier') declare(src.of(l), { kind: 'local', type: types[i] }, st); });
    }
    assignVars(lefts, st, spanOf(clause));
  }
  if (body) stmt(body, st);
  cfg.link(cfg.frontier, header);
  cfg.breakables.pop();
  cfg.frontier = [...save, ...b.breaks];
}

function isMakeChan(n: SyntaxNode, st: FnState): boolean {
  if (n.type !== 'call_expression') return false;
  const fn = n.childForFieldName('function');
  const first = n.childForFieldName('arguments')?.namedChild(0);
  return !!fn && fn.type === 'identifier' && st.src.of(fn) === 'make' && !!first && first.type === 'channel_type';
}

const CASE_TYPES = new Set(['expression_case', 'type_case', 'default_case', 'communication_case']);

/** The statements of a case clause (everything after the `:`). */
function caseBody(c: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  let afterColon = false;
  for (const k of kids(c)) {
    if (!afterColon) {
      if (k.type === ':') afterColon = true;
      continue;
    }
    if (k.type === 'statement_list') out.push(...namedKids(k));
    else if (k.isNamed) out.push(k);
  }
  return out;
}

/** The values or types of a case clause (everything before the `:`), lists expanded. */
function caseHead(c: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const k of kids(c)) {
    if (k.type === ':') break;
    if (!k.isNamed || k.type === 'comment') continue;
    if (k.type === 'expression_list') out.push(...namedKids(k).filter((e) => e.type !== 'comment'));
    else out.push(k);
  }
  return out;
}

function lowerCaseBody(body: SyntaxNode[], st: FnState): boolean {
  const last = body[body.length - 1];
  const falls = !!last && last.type === 'fallthrough_statement';
  lowerStatements(falls ? body.slice(0, -1) : body, st);
  return falls;
}

function switchStatement(n: SyntaxNode, st: FnState, label: string | undefined): void {
  const { cfg, src } = st;
  const init = n.childForFieldName('initializer');
  if (init) stmt(init, st);
  const value = n.childForFieldName('value');
  evalExpr(value, st);
  const isType = n.type === 'type_switch_statement';
  const tag = value ? (isType ? `${src.compact(value)}.(type)` : src.compact(value)) : undefined;
  const tagVars = value ? readVars(value, st) : [];
  const alias = isType ? n.childForFieldName('alias')?.namedChild(0) ?? null : null;
  const b: Breakable = { label, breaks: [] };
  cfg.breakables.push(b);
  const save = cfg.frontier;
  const ends: number[] = [];
  let fall: number[] = [];
  let hasDefault = false;
  for (const c of namedKids(n)) {
    if (!CASE_TYPES.has(c.type)) continue;
    cfg.frontier = save;
    let caseType: string | undefined;
    if (c.type === 'default_case') {
      hasDefault = true;
    } else {
      const values = caseHead(c);
      if (isType && values.length === 1) caseType = typeString(values[0], src, st.ft);
      cfg.add(caseAssume(tag, tagVars, values, st));
    }
    if (alias && alias.type === 'identifier') {
      declare(src.of(alias), { kind: 'local', type: caseType }, st);
      assignVars([alias], st, spanOf(c));
    }
    cfg.frontier = [...cfg.frontier, ...fall];
    fall = [];
    if (lowerCaseBody(caseBody(c), st)) {
      fall = cfg.frontier;
      cfg.frontier = [];
    }
    ends.push(...cfg.frontier);
  }
  ends.push(...fall);
  if (!hasDefault) ends.push(...save);
  cfg.breakables.pop();
  cfg.frontier = [...ends, ...b.breaks];
}

function caseAssume(tag: string | undefined, tagVars: string[], values: SyntaxNode[], st: FnState): Op {
  if (tag === undefined && values.length === 1) {
    const k = condKey(values[0], st);
    return { kind: 'assume', key: k.key, value: k.value, vars: k.vars };
  }
  const caseText = values.map((v) => st.src.compact(v)).join(',');
  const vars = new Set(tagVars);
  for (const v of values) for (const name of readVars(v, st)) vars.add(name);
  return { kind: 'assume', key: `switch(${tag ?? 'true'})==${caseText}`, value: true, vars: [...vars].sort() };
}

function selectStatement(n: SyntaxNode, st: FnState, label: string | undefined): void {
  const { cfg, src } = st;
  const cases = namedKids(n).filter((c) => CASE_TYPES.has(c.type));
  const hasDefault = cases.some((c) => c.type === 'default_case');
  // Channel operands and sent values are evaluated once, in source order, before choosing.
  for (const c of cases) {
    const comm = c.childForFieldName('communication');
    if (!comm) continue;
    if (comm.type === 'send_statement') {
      evalExpr(comm.childForFieldName('channel'), st);
      evalExpr(comm.childForFieldName('value'), st);
    } else {
      const right = comm.type === 'receive_statement' ? comm.childForFieldName('right') : comm;
      const operand = right && right.type === 'unary_expression' ? right.childForFieldName('operand') : right;
      evalExpr(operand, st);
    }
  }
  const kw = n.child(0);
  const kwSpan = spanOf(kw ?? n);
  if (!hasDefault) cfg.add({ kind: 'block', api: 'select', category: 'channel', span: kwSpan }, kwSpan);
  if (cases.length === 0) {
    cfg.exit('panic', spanOf(n)); // `select {}` blocks forever
    return;
  }
  const b: Breakable = { label, breaks: [] };
  cfg.breakables.push(b);
  const save = cfg.frontier;
  const ends: number[] = [];
  for (const c of cases) {
    cfg.frontier = save;
    const comm = c.childForFieldName('communication');
    if (comm && comm.type === 'receive_statement') {
      const left = comm.childForFieldName('left');
      const lefts = left ? namedKids(left) : [];
      if (lefts.length) {
        if (kids(comm).some((k) => k.type === ':=')) {
          const right = comm.childForFieldName('right');
          const types = right ? declTypes(lefts.length, [right], st) : [];
          lefts.forEach((l, i) => { if (l.type === 'identifier') declare(src.of(l), { kind: 'local', type: types[i] }, st); });
        }
        assignVars(lefts, st, spanOf(comm));
      }
    }
    lowerStatements(caseBody(c), st);
    ends.push(...cfg.frontier);
  }
  cfg.breakables.pop();
  cfg.frontier = [...ends, ...b.breaks];
}
