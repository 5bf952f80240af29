// The IR of every function in the workspace stays in memory between analyses, so each file's IR
// is compacted once, when its front end is done with it:
// - Strings: node text is a slice of the file's source, and one kept slice keeps the whole file
//   alive (and a `+` keeps its parts). Each distinct string is copied once per file and shared.
// - Arrays built by `push` keep spare capacity (a one-successor list has room for 17): each is
//   copied to its length; equal variable lists (`assume`/`assign` pairs) share one array.
// Only the representation changes: every value stays equal.
import type { FileIR, FunctionIR, Node, Op } from '../ir/types';

/** Slices and concatenations shorter than this are flat copies in V8 already. */
const MIN_SHARED_STRING = 13;
/** The generic walk below is for small annotation-like data: no IR is nested deeper. */
const MAX_GENERIC_DEPTH = 32;

class Pool {
  private readonly strings = new Map<string, string>();
  private readonly lists = new Map<string, string[]>();

  s(v: string): string {
    const hit = this.strings.get(v);
    if (hit !== undefined) return hit;
    // Concatenating flattens into a new string; its slice no longer points into the source.
    const own = v.length >= MIN_SHARED_STRING ? (' ' + v).slice(1) : v;
    this.strings.set(own, own);
    return own;
  }

  /** A list of names (`vars`, `params`): one shared, exact-size array per distinct content. */
  list(v: readonly string[]): string[] {
    const key = v.join('\u0000') + '\u0001' + v.length;
    const hit = this.lists.get(key);
    if (hit) return hit;
    const own = v.map((x) => this.s(x));
    this.lists.set(key, own);
    return own;
  }

  /** Any plain data (lock refs, annotations, spans): strings interned, arrays copied to size. */
  value(v: unknown, depth = 0): unknown {
    if (typeof v === 'string') return this.s(v);
    if (v === null || typeof v !== 'object' || depth > MAX_GENERIC_DEPTH) return v;
    if (Array.isArray(v)) return v.map((x) => this.value(x, depth + 1));
    if (v instanceof Map || v instanceof Set) return v;
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const x = o[k];
      if (typeof x === 'string') o[k] = this.s(x);
      else if (x !== null && typeof x === 'object') o[k] = this.value(x, depth + 1);
    }
    return o;
  }
}

function compactOp(op: Op, pool: Pool): void {
  // The frequent kinds by hand; the rest (and any field added later) by the generic walk.
  switch (op.kind) {
    case 'call':
      op.callee = pool.s(op.callee);
      if (op.receiver !== undefined) op.receiver = pool.s(op.receiver);
      if (op.receiverRef) pool.value(op.receiverRef);
      op.args = op.args.map((a) => (a ? (pool.value(a) as typeof a) : a));
      return;
    case 'assume':
      op.key = pool.s(op.key);
      op.vars = pool.list(op.vars);
      return;
    case 'assign':
      op.vars = pool.list(op.vars);
      return;
    case 'nop':
      return;
    case 'defer':
      for (const inner of op.ops) compactOp(inner, pool);
      op.ops = op.ops.slice();
      return;
    default:
      pool.value(op);
  }
}

function compactNode(node: Node, pool: Pool): void {
  compactOp(node.op, pool);
  node.succ = node.succ.slice();
  if (node.ret !== undefined) node.ret = pool.s(node.ret);
}

function compactFunction(fn: FunctionIR, pool: Pool): void {
  fn.name = pool.s(fn.name);
  fn.qualifiedName = pool.s(fn.qualifiedName);
  fn.file = pool.s(fn.file);
  fn.params = pool.list(fn.params);
  if (fn.receiver !== undefined) fn.receiver = pool.s(fn.receiver);
  for (const node of fn.nodes) compactNode(node, pool);
  fn.nodes = fn.nodes.slice();
  if (fn.annotations) pool.value(fn.annotations);
}

/** Functions compacted already: the language server reuses unchanged functions' IR across edits. */
const compacted = new WeakSet<FunctionIR>();

/** Compacts a finished FileIR in place (see the top of this file). */
export function compactFileIR(ir: FileIR): void {
  const pool = new Pool();
  for (const fn of ir.functions) {
    if (compacted.has(fn)) continue;
    compactFunction(fn, pool);
    compacted.add(fn);
  }
  ir.functions = ir.functions.slice();
  const rest = ir as unknown as Record<string, unknown>;
  for (const k in rest) {
    if (k === 'functions') continue;
    rest[k] = pool.value(rest[k]);
  }
}
