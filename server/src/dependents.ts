// Which cached exploration results an edit made stale. The ProgramCache re-explores a function
// when its callees' summary *signatures* change; but a caller's facts also hold what the
// signature leaves out (the callees' spans, lock texts and APIs in `via` steps; annotation copies
// with their spans). So on every analysis the callers, transitively, of whatever was replaced,
// added, removed or moved with copies out of reach are dropped from the cache: the dependents of
// what changed, no more. Language-neutral, no I/O.
import type { CallIndex, ProgramCache } from './core/program';
import type { FileIR, FunctionIR, Op } from './ir/types';

type CallOp = Extract<Op, { kind: 'call' }>;

export class Dependents {
  /** The functions of the last analysis, and the call index it resolved calls with. */
  private analysed = new Set<FunctionIR>();
  private analysedIndex?: CallIndex;
  /** Reverse call graph of the last analysis, when it was needed (computed lazily otherwise). */
  private callers?: Map<FunctionIR, FunctionIR[]>;
  /** Per file, its annotated prototypes as last analysed (JSON, spans included). */
  private readonly declarationsSeen = new Map<string, { ir: FileIR; json: string }>();
  /**
   * Reused functions moved to other lines since the last analysis whose cached facts may hold
   * copies of their spans that moving in place did not reach (annotations are copied into facts).
   */
  readonly movedAnnotated = new Set<FunctionIR>();

  /**
   * Before an analysis: drops from `cache` every entry the changes since the last one made stale.
   * `cacheEmpty`: it holds nothing (a cold scan, a new cache). `currentIndex` builds the call index
   * of `functions` (only when needed); none: each function is explored on its own.
   */
  forgetStale(
    cache: ProgramCache, cacheEmpty: boolean, files: ReadonlyMap<string, FileIR>, functions: readonly FunctionIR[],
    currentIndex: (() => CallIndex) | undefined,
  ): void {
    const current = new Set(functions);
    const stack: FunctionIR[] = [];
    for (const fn of this.analysed) if (!current.has(fn)) stack.push(fn);
    for (const fn of functions) if (!this.analysed.has(fn)) stack.push(fn);
    // Moved with copies out of reach, or calling a prototype whose contract or place changed:
    // their own facts go too, then their callers'.
    const prototypes = this.changedDeclarations(files);
    for (const fn of functions) {
      if (!this.analysed.has(fn)) continue;
      if (this.movedAnnotated.has(fn) || (prototypes.size > 0 && callOpsOf(fn).some((op) => prototypes.has(op.callee)))) {
        cache.entries.delete(fn);
        stack.push(fn);
      }
    }
    this.movedAnnotated.clear();
    const previous = this.analysed;
    this.analysed = current;
    if (!currentIndex) return; // no caller holds another function's facts
    // Nothing changed: the last reverse graph still holds. Nothing cached: nothing to drop.
    if (stack.length === 0) return;
    if (cacheEmpty || !this.analysedIndex) {
      this.callers = undefined;
      return;
    }
    const before = this.callers ?? callersByCallee([...previous], this.analysedIndex);
    const now = callersByCallee(functions, currentIndex());
    this.callers = now;
    const seen = new Set<FunctionIR>(stack);
    while (stack.length > 0) {
      const fn = stack.pop()!;
      for (const caller of [...(before.get(fn) ?? []), ...(now.get(fn) ?? [])]) {
        if (seen.has(caller)) continue;
        seen.add(caller);
        cache.entries.delete(caller);
        stack.push(caller);
      }
    }
  }

  /** After an analysis: the call index it resolved calls with. */
  analysedWith(index: CallIndex): void {
    this.analysedIndex = index;
  }

  /** Names of annotated prototypes (FileIR.declarations) added, removed, changed or moved since the last analysis. */
  private changedDeclarations(files: ReadonlyMap<string, FileIR>): Set<string> {
    const names = new Set<string>();
    const add = (json: string) => { for (const d of JSON.parse(json) as { name: string }[]) names.add(d.name); };
    for (const [path, ir] of files) {
      const seen = this.declarationsSeen.get(path);
      if (seen?.ir === ir) continue;
      const json = JSON.stringify(ir.declarations ?? []);
      if (seen?.json !== json) {
        add(json);
        if (seen) add(seen.json);
      }
      this.declarationsSeen.set(path, { ir, json });
    }
    for (const [path, seen] of [...this.declarationsSeen]) {
      if (files.has(path)) continue;
      add(seen.json);
      this.declarationsSeen.delete(path);
    }
    return names;
  }
}

/** A function's call ops (deferred ones included): IR is not rewritten, so found once per function. */
const callOpsCache = new WeakMap<FunctionIR, CallOp[]>();

function callOpsOf(fn: FunctionIR): CallOp[] {
  let ops = callOpsCache.get(fn);
  if (!ops) {
    const found: CallOp[] = [];
    const visit = (op: Op) => {
      if (op.kind === 'defer') op.ops.forEach(visit);
      else if (op.kind === 'call') found.push(op);
    };
    for (const node of fn.nodes) visit(node.op);
    callOpsCache.set(fn, ops = found);
  }
  return ops;
}

/** Callee -> the functions whose call ops resolve to it (as core/program.ts resolves them). */
function callersByCallee(functions: readonly FunctionIR[], index: CallIndex): Map<FunctionIR, FunctionIR[]> {
  const out = new Map<FunctionIR, FunctionIR[]>();
  for (const fn of functions) {
    for (const op of callOpsOf(fn)) {
      for (const target of index.resolve(op, fn)) {
        const list = out.get(target);
        if (!list) out.set(target, [fn]);
        else if (list[list.length - 1] !== fn) list.push(fn);
      }
    }
  }
  return out;
}
