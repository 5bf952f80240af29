// Path-sensitive lockset exploration of one function (ESP style): states are split by the set of
// held locks and merged otherwise, so the number of states per node stays bounded by the number of
// distinct locksets while `if (need) lock(); ...; if (need) unlock();` keeps its correlation
// through the branch assumptions carried by each state.
import type { FunctionIR, LockKind, LockRef, Op, Span } from '../ir/types';
import type {
  AcquireFact, BlockFact, CallFact, CallStep, DoubleAcquireFact, ExitFact, FunctionFacts, HeldLock,
  RecursiveReadFact, ReleaseNotHeldFact,
} from './facts';

/** Effects of a call, computed from the callee's summary (interprocedural analysis). */
export interface CallEffect {
  /** Acquisitions inside the callee, in caller terms (order edges from the caller's held set). */
  acquires: { fact: AcquireFact; via: CallStep[]; must: boolean }[];
  /** Blocking operations inside the callee. */
  blocks: { fact: BlockFact; via: CallStep[] }[];
  /** Locks the callee returns holding (lock helpers). */
  returnsHolding: HeldLock[];
  /** Caller lock keys the callee releases (unlock helpers). */
  releases: string[];
}

export type CallResolver = (op: Extract<Op, { kind: 'call' }>, fn: FunctionIR) => CallEffect | undefined;

export interface ExploreOptions {
  /** Maximum node visits; past it the result is marked overBudget. */
  budget?: number;
  /** Maximum distinct held-lock sets at one node; past it the result is marked overBudget. */
  maxLocksets?: number;
  resolveCall?: CallResolver;
}

/**
 * `if (c_i) lock(l_i);` n times holds 2^n lock sets: no budget of visits ends that soon enough when
 * each visit copies states that grow with the path. Real functions stay far below this.
 */
const MAX_LOCKSETS_PER_NODE = 64;

interface State {
  held: HeldLock[];                  // sorted by key
  released: Map<string, Span>;       // keys released on every path that reached here
  tryFailed: Set<string>;            // keys whose trylock failed on this path (subset of released)
  acquired: Set<string>;             // keys this function acquired on every path reaching here
  assume: Map<string, { value: boolean; vars: string[] }>;
  orphanDefers: Map<string, Span>;   // deferred unlocks whose lock was already unlocked explicitly
}

const REENTRANT_KINDS = new Set(['rcu', 'epoch']);
const MAX_DEPTH = 4;

function heldSignature(held: readonly HeldLock[]): string {
  let sig = '';
  for (const h of held) sig += `${h.key}|${h.mode}|${h.depth}|${h.deferredRelease ? 1 : 0};`;
  return sig;
}

function withHeld(state: State, held: HeldLock[]): State {
  held.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { ...state, held };
}

/** Merges `incoming` into `existing` (same held signature); returns the merged state if it changed. */
function merge(existing: State, incoming: State): State | undefined {
  let changed = false;
  const assume = new Map<string, { value: boolean; vars: string[] }>();
  for (const [k, v] of existing.assume) {
    const other = incoming.assume.get(k);
    if (other && other.value === v.value) assume.set(k, v);
    else changed = true;
  }
  const released = new Map<string, Span>();
  for (const [k, v] of existing.released) {
    if (incoming.released.has(k)) released.set(k, v);
    else changed = true;
  }
  const orphanDefers = new Map(existing.orphanDefers);
  for (const [k, v] of incoming.orphanDefers) {
    if (!orphanDefers.has(k)) {
      orphanDefers.set(k, v);
      changed = true;
    }
  }
  const tryFailed = new Set([...existing.tryFailed].filter((k) => incoming.tryFailed.has(k)));
  if (tryFailed.size !== existing.tryFailed.size) changed = true;
  const acquired = new Set([...existing.acquired].filter((k) => incoming.acquired.has(k)));
  if (acquired.size !== existing.acquired.size) changed = true;
  return changed ? { held: existing.held, released, assume, orphanDefers, tryFailed, acquired } : undefined;
}

export function lockKey(lock: LockRef): string {
  return lock.subclass ? `${lock.path}/${lock.subclass}` : lock.path;
}

export function exploreFunction(fn: FunctionIR, options: ExploreOptions = {}): FunctionFacts {
  const facts: FunctionFacts = {
    fn,
    acquires: [],
    doubleAcquires: [],
    recursiveReads: [],
    releasesNotHeld: [],
    releasedUnacquired: new Map(),
    blocks: [],
    calls: [],
    spawns: [],
    exits: [],
    acquiredKeys: new Map(),
    overBudget: false,
  };
  if (fn.nodes.length === 0) return facts;
  const budget = options.budget ?? Math.max(20000, fn.nodes.length * 30);
  const seenFacts = new Set<string>();
  const once = (key: string): boolean => {
    if (seenFacts.has(key)) return false;
    seenFacts.add(key);
    return true;
  };

  const exitsSeen = new Map<string, ExitFact>();
  const statesAt: Map<string, State>[] = fn.nodes.map(() => new Map());
  // Lowest node first: front ends number nodes in source order, so both arms of a branch reach
  // their join before it is explored and it is explored once, merged. Depth-first order explored
  // the rest of the function again after every join (exponential in sequential ifs, cut only by
  // the budget after minutes on a function with 1,000 conditions).
  const work = new NodeQueue<State>();
  const maxLocksets = options.maxLocksets ?? MAX_LOCKSETS_PER_NODE;
  let tooManyLocksets = false;
  const push = (node: number, state: State): void => {
    const sig = heldSignature(state.held);
    const existing = statesAt[node].get(sig);
    if (!existing) {
      if (statesAt[node].size >= maxLocksets) {
        tooManyLocksets = true;
        return;
      }
      statesAt[node].set(sig, state);
      work.push(node, state);
      return;
    }
    const merged = merge(existing, state);
    if (merged) {
      statesAt[node].set(sig, merged);
      work.push(node, merged);
    }
  };

  push(0, { held: [], released: new Map(), assume: new Map(), orphanDefers: new Map(), tryFailed: new Set(), acquired: new Set() });
  let visits = 0;
  while (work.length > 0) {
    if (++visits > budget || tooManyLocksets) {
      facts.overBudget = true;
      break;
    }
    const [index, state] = work.pop();
    // A state that was merged away since it was queued is stale: its successor took over.
    if (statesAt[index].get(heldSignature(state.held)) !== state) continue;
    const node = fn.nodes[index];
    const next = step(fn, index, node.op, state, facts, once, options);
    if (next === undefined) continue; // infeasible path
    if (node.exit) {
      recordExit(index, node.exit, node.span ?? fn.span, node.ret, next, facts, once, exitsSeen);
      continue;
    }
    for (const s of node.succ) push(s, next);
  }
  return facts;
}

function recordExit(
  index: number, kind: 'return' | 'panic', span: Span, ret: string | undefined, state: State,
  facts: FunctionFacts, once: (k: string) => boolean, exitsSeen: Map<string, ExitFact>,
): void {
  const held = state.held.filter((h) => !h.deferredRelease);
  for (const [key, deferSpan] of state.orphanDefers) {
    const relock = state.held.find((h) => h.key === key);
    if (relock) continue;
    if (once(`orphan:${key}:${deferSpan.line}:${deferSpan.col}`)) {
      const lock = state.released.get(key) ? facts.acquiredKeys.get(key)?.lock : undefined;
      if (lock) facts.releasesNotHeld.push({ lock, span: deferSpan, api: 'defer', previousRelease: state.released.get(key)! });
    }
  }
  // Deferred unlocks release at this exit too.
  const released = new Set([...state.released.keys(), ...state.held.filter((h) => h.deferredRelease).map((h) => h.key)]);
  const key = `exit:${index}:${heldSignature(held)}`;
  const seen = exitsSeen.get(key);
  if (!seen) {
    const exit: ExitFact = { span, ret, kind, held, acquiredOnPath: state.acquired, releasedOnPath: released };
    exitsSeen.set(key, exit);
    facts.exits.push(exit);
  } else {
    // Another path to the same exit with the same held locks (e.g. one with a deferred unlock):
    // "on every path" must not depend on which path the exploration happened to reach first.
    seen.acquiredOnPath = new Set([...seen.acquiredOnPath].filter((k) => state.acquired.has(k)));
    seen.releasedOnPath = new Set([...seen.releasedOnPath].filter((k) => released.has(k)));
  }
}

function step(
  fn: FunctionIR, index: number, op: Op, state: State, facts: FunctionFacts,
  once: (k: string) => boolean, options: ExploreOptions,
): State | undefined {
  switch (op.kind) {
    case 'acquire':
      return acquire(index, state, facts, once, {
        key: lockKey(op.lock), lock: op.lock, lockKind: op.lockKind, mode: op.mode, irq: op.irq, site: op.span,
        api: op.api, depth: 1, deferredRelease: false,
      }, op.try);
    case 'release':
      return release(index, state, facts, once, op.lock, op.span, op.api, op.lockKind);
    case 'defer': {
      let next = state;
      for (const inner of op.ops) {
        if (inner.kind === 'call') {
          // `defer unlockPair(a, b)`: an unlock helper run at exit.
          const effect = options.resolveCall?.(inner, fn);
          for (const key of effect?.releases ?? []) {
            const h = next.held.find((x) => x.key === key && !x.deferredRelease);
            if (h) next = withHeld({ ...next }, next.held.map((x) => (x === h ? { ...x, deferredRelease: true } : x)));
          }
          continue;
        }
        if (inner.kind !== 'release') continue;
        const key = lockKey(inner.lock);
        const h = next.held.find((x) => x.key === key && !x.deferredRelease);
        if (h) {
          next = withHeld({ ...next }, next.held.map((x) => (x === h ? { ...x, deferredRelease: true } : x)));
        } else if (!next.released.has(key)) {
          facts.releasedUnacquired.set(key, { lock: inner.lock, lockKind: inner.lockKind });
        }
      }
      return next;
    }
    case 'tryfail': {
      const key = lockKey(op.lock);
      if (state.held.some((h) => h.key === key)) return state;
      const released = new Map(state.released);
      released.set(key, op.span);
      const tryFailed = new Set(state.tryFailed);
      tryFailed.add(key);
      return { ...state, released, tryFailed };
    }
    case 'block': {
      const held = state.held;
      if (once(`block:${index}:${heldSignature(held)}`)) {
        facts.blocks.push({ api: op.api, category: op.category, domain: op.domain, lock: op.lock, span: op.span, held });
      }
      return state;
    }
    case 'call': {
      if (once(`call:${index}:${heldSignature(state.held)}`)) facts.calls.push({ op, held: state.held } as CallFact);
      const effect = options.resolveCall?.(op, fn);
      return effect ? applyCallEffect(index, op, state, effect, facts, once) : state;
    }
    case 'spawn': {
      if (once(`spawn:${index}:${heldSignature(state.held)}`)) facts.spawns.push({ op, held: state.held });
      return state;
    }
    case 'assume': {
      const known = state.assume.get(op.key);
      if (known) return known.value === op.value ? state : undefined;
      const assume = new Map(state.assume);
      assume.set(op.key, { value: op.value, vars: op.vars });
      return { ...state, assume };
    }
    case 'assign': {
      if (op.vars.length === 0) return state;
      const vars = new Set(op.vars);
      let next = state;
      // A reassigned lock pointer names another lock from here on: forget what we knew about it.
      const held = state.held.filter((h) => h.deferredRelease || !vars.has(h.lock.root));
      if (held.length !== state.held.length) next = withHeld({ ...next }, held);
      let assume = state.assume;
      for (const [k, v] of state.assume) {
        if (v.vars.some((x) => vars.has(x))) {
          if (assume === state.assume) assume = new Map(state.assume);
          assume.delete(k);
        }
      }
      let released = state.released;
      for (const k of state.released.keys()) {
        const root = k.split(/[.\[/]/)[0];
        if (vars.has(root)) {
          if (released === state.released) released = new Map(state.released);
          released.delete(k);
        }
      }
      return assume === state.assume && released === state.released && next === state
        ? state : { ...next, assume, released };
    }
    default:
      return state;
  }
}

function acquire(
  index: number, state: State, facts: FunctionFacts, once: (k: string) => boolean, lock: HeldLock,
  isTry?: boolean,
): State | undefined {
  const existing = state.held.find((h) => h.key === lock.key);
  if (existing) {
    const reentrant = REENTRANT_KINDS.has(lock.lockKind) || (existing.mode === 'shared' && lock.mode === 'shared');
    if (!reentrant && !isTry) {
      if (once(`double:${index}:${lock.key}`)) {
        facts.doubleAcquires.push({ lock: lock.lock, span: lock.site, first: existing, api: lock.api, via: lock.via });
      }
      // The thread deadlocks here: nothing after it on this path runs, so report nothing after it.
      return undefined;
    }
    if (!reentrant) return state;
    if (!isTry && !REENTRANT_KINDS.has(lock.lockKind) && once(`rread:${index}:${lock.key}`)) {
      facts.recursiveReads.push({ lock: lock.lock, span: lock.site, first: existing, api: lock.api, via: lock.via } as RecursiveReadFact);
    }
    const depth = Math.min(existing.depth + 1, MAX_DEPTH);
    return withHeld({ ...state }, state.held.map((h) => (h === existing ? { ...h, depth } : h)));
  }
  if (once(`acq:${index}:${heldSignature(state.held)}`)) {
    facts.acquires.push({
      lock: lock.lock, lockKind: lock.lockKind, mode: lock.mode, irq: lock.irq, span: lock.site, api: lock.api,
      try: isTry, held: state.held, via: lock.via,
    });
  }
  if (!lock.via && !facts.acquiredKeys.has(lock.key)) facts.acquiredKeys.set(lock.key, lock);
  // Re-locking after an explicit unlock that a deferred unlock will balance (Go unlock/relock dance).
  let orphanDefers = state.orphanDefers;
  let deferredRelease = false;
  if (orphanDefers.has(lock.key)) {
    orphanDefers = new Map(orphanDefers);
    orphanDefers.delete(lock.key);
    deferredRelease = true;
  }
  const acquired = lock.via || state.acquired.has(lock.key) ? state.acquired : new Set(state.acquired).add(lock.key);
  return withHeld({ ...state, orphanDefers, acquired }, [...state.held, { ...lock, deferredRelease }]);
}

function release(
  index: number, state: State, facts: FunctionFacts, once: (k: string) => boolean,
  lock: LockRef, span: Span, api: string, lockKind?: LockKind,
): State {
  const key = lockKey(lock);
  // Releases name the lock without its lockdep subclass.
  const h = state.held.find((x) => x.key === key) ?? state.held.find((x) => x.lock.path === lock.path);
  if (h) {
    const released = new Map(state.released);
    released.set(h.key, span);
    if (state.tryFailed.has(h.key)) {
      state = { ...state, tryFailed: new Set([...state.tryFailed].filter((k) => k !== h.key)) };
    }
    if (h.depth > 1) {
      return withHeld({ ...state, released }, state.held.map((x) => (x === h ? { ...x, depth: x.depth - 1 } : x)));
    }
    let orphanDefers = state.orphanDefers;
    if (h.deferredRelease) {
      orphanDefers = new Map(orphanDefers);
      orphanDefers.set(h.key, span);
    }
    return withHeld({ ...state, released, orphanDefers }, state.held.filter((x) => x !== h));
  }
  const previous = state.released.get(key);
  if (previous) {
    if (once(`unheld:${index}:${key}`)) {
      facts.releasesNotHeld.push({ lock, span, api, previousRelease: previous, afterFailedTry: state.tryFailed.has(key) } as ReleaseNotHeldFact);
    }
  } else {
    // The caller's lock (an unlock helper): remember the release so the summary can tell that
    // every way out leaves it released.
    facts.releasedUnacquired.set(key, { lock, lockKind });
    const released = new Map(state.released);
    released.set(key, span);
    return { ...state, released };
  }
  return state;
}

/** A read-held lock of the class a callee's lock was mapped to when the call site could not name it (`<cls>`). */
function classReader(held: readonly HeldLock[], lock: LockRef): HeldLock | undefined {
  if (!lock.cls || lock.path !== `<${lock.cls}>`) return undefined;
  return held.find((h) => h.mode === 'shared' && h.lock.cls === lock.cls && !REENTRANT_KINDS.has(h.lockKind));
}

function applyCallEffect(
  index: number, op: Extract<Op, { kind: 'call' }>, state: State, effect: CallEffect,
  facts: FunctionFacts, once: (k: string) => boolean,
): State {
  const sig = heldSignature(state.held);
  if (once(`calleff:${index}:${sig}`)) {
    for (const { fact, via, must } of effect.acquires) {
      const existing = state.held.find((h) => h.key === lockKey(fact.lock) || (h.lock.cls && h.lock.cls === fact.lock.cls && h.lock.path === fact.lock.path));
      // Only a callee that takes the lock on every path is a certain self-deadlock.
      if (existing && must && !REENTRANT_KINDS.has(fact.lockKind) && !(existing.mode === 'shared' && fact.mode === 'shared')) {
        facts.doubleAcquires.push({ lock: fact.lock, span: op.span, first: existing, api: fact.api, via });
      }
      facts.acquires.push({ ...fact, span: op.span, held: state.held.filter((h) => h !== existing), via, must });
      if (fact.mode === 'shared' && !fact.try && !REENTRANT_KINDS.has(fact.lockKind)) {
        const reader = existing?.mode === 'shared' ? existing : classReader(state.held, fact.lock);
        if (reader) {
          facts.recursiveReads.push({
            lock: fact.lock, span: op.span, first: reader, api: fact.api, via, call: op, byClass: reader !== existing, must,
          });
        }
      }
    }
    for (const { fact, via } of effect.blocks) {
      facts.blocks.push({ ...fact, span: op.span, held: state.held, via });
    }
  }
  let next = state;
  // Taken (and dropped) inside the callee on every path: for this function's own summary, a path
  // through the call acquired it, so a caller two levels up still sees a certain acquisition.
  const mustKeys = effect.acquires.filter((a) => a.must).map((a) => lockKey(a.fact.lock)).filter((k) => !state.acquired.has(k));
  if (mustKeys.length) next = { ...next, acquired: new Set([...state.acquired, ...mustKeys]) };
  for (const key of effect.releases) {
    const h = next.held.find((x) => x.key === key);
    if (h) next = release(index, next, facts, once, h.lock, op.span, op.callee);
  }
  for (const lock of effect.returnsHolding) {
    if (!next.held.some((h) => h.key === lock.key)) {
      next = withHeld({ ...next }, [...next.held, { ...lock, site: op.span }]);
      if (!facts.acquiredKeys.has(lock.key)) facts.acquiredKeys.set(lock.key, { ...lock, site: op.span });
    }
  }
  return next;
}

/** A binary min-heap of (node index, state): the exploration worklist. */
class NodeQueue<T> {
  private readonly keys: number[] = [];
  private readonly values: T[] = [];

  get length(): number {
    return this.keys.length;
  }

  push(key: number, value: T): void {
    const { keys, values } = this;
    let i = keys.length;
    keys.push(key);
    values.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] <= key) break;
      keys[i] = keys[parent];
      values[i] = values[parent];
      i = parent;
    }
    keys[i] = key;
    values[i] = value;
  }

  /** Removes and returns the entry with the lowest key; the queue must not be empty. */
  pop(): [number, T] {
    const { keys, values } = this;
    const top: [number, T] = [keys[0], values[0]];
    const key = keys.pop()!;
    const value = values.pop()!;
    const n = keys.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && keys[child + 1] < keys[child]) child++;
        if (keys[child] >= key) break;
        keys[i] = keys[child];
        values[i] = values[child];
        i = child;
      }
      keys[i] = key;
      values[i] = value;
    }
    return top;
  }
}
