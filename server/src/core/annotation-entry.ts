// Where a function's lock contract meets its exploration: what it holds at entry, what it hands
// to a callee it cannot follow, and which locks it returns holding by contract.
import type { AnnotatedLock, FunctionAnnotations, FunctionIR, LockRef, Op } from '../ir/types';
import type { HeldLock } from './facts';

/** The lock key of the exploration (`lockKey` in explore.ts, which imports this module). */
function keyOf(lock: LockRef): string {
  return lock.subclass ? `${lock.path}/${lock.subclass}` : lock.path;
}

/** The annotation's name (`__must_hold`), for messages in the `api` position. */
export function annotationApi(l: { annotation: string }): string {
  const m = /^[A-Za-z_]\w*/.exec(l.annotation);
  return m ? m[0] : l.annotation;
}

/** A held-at-entry lock for the exploration's initial state. */
function entryLock(l: AnnotatedLock, entry: 'requires' | 'releases'): HeldLock {
  return {
    key: keyOf(l.lock), lock: l.lock, lockKind: l.lockKind ?? 'mutex', mode: l.mode, irq: 'none', site: l.span,
    api: annotationApi(l), depth: 1, deferredRelease: false, entry,
  };
}

/**
 * What a function holds when it starts: what it requires or releases, and, when it runs at
 * DISPATCH_LEVEL, a pseudo-lock under which nothing may sleep (no class: it orders nothing and
 * no caller can name it).
 */
export function entryHeld(a: FunctionAnnotations | undefined): HeldLock[] {
  if (!a) return [];
  const held = new Map<string, HeldLock>();
  const dropped = new Set(a.releases.map((l) => keyOf(l.lock)));
  const kept = new Set([...a.requires.filter((l) => !dropped.has(keyOf(l.lock))), ...a.acquires].map((l) => keyOf(l.lock)));
  for (const l of [...a.requires, ...a.releases]) {
    const h = entryLock(l, kept.has(keyOf(l.lock)) ? 'requires' : 'releases');
    if (!held.has(h.key)) held.set(h.key, h);
  }
  if (a.atomic) {
    const level = /\(([^)]*)\)/.exec(a.atomic.annotation)?.[1]?.trim() ?? 'DISPATCH_LEVEL';
    const lock: LockRef = { text: `IRQL ${level}`, path: `<irql>`, root: '' };
    held.set(lock.path, {
      key: lock.path, lock, lockKind: 'spin', mode: 'exclusive', irq: 'none', site: a.atomic.span,
      api: annotationApi(a.atomic), depth: 1, deferredRelease: false, entry: 'requires',
    });
  }
  return [...held.values()];
}

/**
 * `__acquires(x) __releases(x)` on one lock also means "takes and drops x inside" (wil6210 and
 * many drivers), not "holds x at entry and at exit" (gfs2 do_xmote): when the body's first
 * operation on x is an acquisition, both annotations are dropped.
 */
export function withoutTakeAndDrop(a: FunctionAnnotations, fn: FunctionIR): FunctionAnnotations {
  if (a.acquires.length === 0 || a.releases.length === 0) return a;
  const drop = new Set(a.acquires.map((l) => keyOf(l.lock))
    .filter((k) => a.releases.some((r) => keyOf(r.lock) === k) && firstOpOn(fn, k) === 'acquire'));
  if (drop.size === 0) return a;
  return {
    ...a,
    acquires: a.acquires.filter((l) => !drop.has(keyOf(l.lock))),
    releases: a.releases.filter((l) => !drop.has(keyOf(l.lock))),
  };
}

function firstOpOn(fn: FunctionIR, key: string): 'acquire' | 'release' | undefined {
  for (const node of fn.nodes) {
    const op = node.op;
    if ((op.kind === 'acquire' || op.kind === 'release') && keyOf(op.lock) === key) return op.kind;
  }
  return undefined;
}

const ownReleases = new WeakMap<FunctionIR, Set<string>>();

function releasedByItself(fn: FunctionIR): Set<string> {
  let keys = ownReleases.get(fn);
  if (!keys) {
    const out = new Set<string>();
    const visit = (op: Op) => {
      if (op.kind === 'release') out.add(keyOf(op.lock));
      else if (op.kind === 'defer') op.ops.forEach(visit);
    };
    for (const node of fn.nodes) visit(node.op);
    ownReleases.set(fn, (keys = out));
  }
  return keys;
}

/**
 * The held set once a call is made. A function annotated to release a lock it never unlocks
 * itself (`__releases(p->pi_lock)` around `task_rq_unlock(rq, p, rf)`) drops it in the callee it
 * hands the lock's owner to, even when that callee cannot be followed: past such a call the lock
 * is no longer taken for held, and blocking inside the callee is not judged under it.
 */
export function handedToCallee(held: HeldLock[], op: Extract<Op, { kind: 'call' }>, fn: FunctionIR): HeldLock[] {
  if (!held.some((h) => h.entry === 'releases')) return held;
  const roots = new Set<string>();
  for (const a of op.args) if (a?.root) roots.add(a.root);
  if (op.receiverRef?.root) roots.add(op.receiverRef.root);
  const own = releasedByItself(fn);
  const kept = held.filter((h) => !(h.entry === 'releases' && roots.has(h.lock.root) && !own.has(h.key)));
  return kept.length === held.length ? held : kept;
}

/** Keys the function's annotation says it returns holding (not a leak, whatever its paths do). */
export function annotatedReturnsHolding(a: FunctionAnnotations | undefined, key: string): boolean {
  return !!a && [...a.acquires, ...a.tryAcquires].some((l) => keyOf(l.lock) === key || l.lock.path === key);
}

export { keyOf as annotatedKey };
