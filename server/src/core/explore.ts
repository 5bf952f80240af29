// Path-sensitive lockset exploration of one function (ESP style): states are split by the set of
// held locks and merged otherwise, so the number of states per node stays bounded by the number of
// distinct locksets while `if (need) lock(); ...; if (need) unlock();` keeps its correlation
// through the branch assumptions carried by each state.
import { ALIAS, aliasHeld, classHeld, heldByName, keyRoot, lockKey, parameterName, resultHeld, soleOfClass } from './held-names';
import { copyMap, copySet, everyEntry, everyKey, filterMap, intersect, union, without } from './collections';
import { ALL, NEG, POS, ZERO, returnSigns, signFact, signsCompatible, type SignFact } from './sign-facts';
import type { FunctionAnnotations, FunctionIR, LockKind, LockRef, Op, Span } from '../ir/types';
import { entryHeld, handedToCallee } from './annotations';
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
  /** The locks behind `releases`, index for index. */
  releasedLocks?: LockRef[];
  /** Caller lock keys the callee's annotation says it releases, on paths inference cannot confirm. */
  forgets?: string[];
  /** The locks behind `forgets`, index for index. */
  forgottenLocks?: LockRef[];
}

export type CallResolver = (op: Extract<Op, { kind: 'call' }>, fn: FunctionIR) => CallEffect | undefined;

export interface ExploreOptions {
  /** Maximum node visits; past it the result is marked overBudget. */
  budget?: number;
  /** Maximum distinct held-lock sets at one node; past it the result is marked overBudget. */
  maxLocksets?: number;
  resolveCall?: CallResolver;
  /** The function's lock contract (core/annotations.ts): held at entry, recorded in the facts. */
  annotations?: FunctionAnnotations;
}

/**
 * `if (c_i) lock(l_i);` n times holds 2^n lock sets: no budget of visits ends that soon enough when
 * each visit copies states that grow with the path. Real functions stay far below this.
 */
const MAX_LOCKSETS_PER_NODE = 64;

/** A branch condition known on the path; `sign`: its sign fact, computed once (null: none). */
interface Assumption {
  value: boolean;
  vars: string[];
  sign?: SignFact | null;
}

/** Sign facts of `assume` ops, parsed once per op rather than at every visit. */
const opSigns = new WeakMap<object, SignFact | null>();

function signOfAssume(op: { key: string; value: boolean }): SignFact | null {
  let s = opSigns.get(op);
  if (s === undefined) {
    s = signFact(op.key, op.value) ?? null;
    opSigns.set(op, s);
  }
  return s;
}

/** `signsCompatible` against the path's assumptions about the same subject (the others cannot matter). */
function signFits(sign: SignFact, assume: ReadonlyMap<string, Assumption>): boolean {
  const related: [string, boolean][] = [];
  assume.forEach((v, k) => {
    const s = v.sign !== undefined ? v.sign : signFact(k, v.value);
    if (s && s.subject === sign.subject) related.push([k, v.value]);
  });
  return signsCompatible(sign, related);
}

interface State {
  held: HeldLock[];                  // sorted by key
  released: Map<string, Span>;       // keys released on every path that reached here
  tryFailed: Set<string>;            // keys whose trylock failed on this path (subset of released)
  acquired: Set<string>;             // keys this function acquired on every path reaching here
  assume: Map<string, Assumption>;
  orphanDefers: Map<string, Span>;   // deferred unlocks whose lock was already unlocked explicitly
  dropMay: Set<string>;              // caller's locks released without taking them on some path, not retaken
  forgotten: Set<string>;            // keys a callee may have released (summary `forgets`): their release is silent
}

const REENTRANT_KINDS = new Set(['rcu', 'epoch', 'irqoff']);
const MAX_DEPTH = 4;

function heldSignature(held: readonly HeldLock[]): string {
  if (held.length === 0) return ''; // most states hold nothing
  let sig = '';
  for (const h of held) sig += `${h.key}|${h.mode}|${h.depth}|${h.deferredRelease ? 1 : 0};`;
  return sig;
}

// ---- value facts: states that know a variable's constant (`seq==1`, stated by the front end after
// `seq = 1;` for a `seq & 1` test) are not merged with others, so a retry loop keeps its parity.
const CONSTANT_FACT = /==-?(?:0[xX][0-9a-fA-F]*[1-9a-fA-F][0-9a-fA-F]*|0*[1-9]\d*)[uUlL]*$/;
function splitsOnConstants(fn: FunctionIR): boolean {
  return fn.nodes.some((n) => n.op.kind === 'assume' && n.op.value && CONSTANT_FACT.test(n.op.key));
}
function constantSignature(state: State): string {
  let sig = heldSignature(state.held);
  state.assume.forEach((v, k) => { if (v.value && CONSTANT_FACT.test(k)) sig += `#${k}`; });
  return sig;
}
// ---- end value facts

function withHeld(state: State, held: HeldLock[]): State {
  held.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { ...state, held };
}

/**
 * Merges `incoming` into `existing` (same held signature); returns the merged state if it changed.
 * Most joins change nothing (a loop's back edge, a path that learnt nothing new): each part is
 * checked before it is rebuilt, and an unchanged part is shared (states are never mutated).
 */
function merge(existing: State, incoming: State): State | undefined {
  const assumeKept = (v: { value: boolean }, k: string) => incoming.assume.get(k)?.value === v.value;
  const assume = everyEntry(existing.assume, assumeKept) ? existing.assume : joinSigns(existing.assume, incoming.assume, filterMap(existing.assume, assumeKept));
  const releasedKept = (_: Span, k: string) => incoming.released.has(k);
  const released = everyEntry(existing.released, releasedKept) ? existing.released : filterMap(existing.released, releasedKept);
  let orphanDefers = existing.orphanDefers;
  incoming.orphanDefers.forEach((v, k) => {
    if (orphanDefers.has(k)) return;
    if (orphanDefers === existing.orphanDefers) orphanDefers = copyMap(existing.orphanDefers);
    orphanDefers.set(k, v);
  });
  const tryFailed = everyKey(existing.tryFailed, incoming.tryFailed) ? existing.tryFailed : intersect(existing.tryFailed, incoming.tryFailed);
  const acquired = everyKey(existing.acquired, incoming.acquired) ? existing.acquired : intersect(existing.acquired, incoming.acquired);
  const dropMay = everyKey(incoming.dropMay, existing.dropMay) ? existing.dropMay : union(existing.dropMay, incoming.dropMay);
  const forgotten = everyKey(incoming.forgotten, existing.forgotten) ? existing.forgotten : union(existing.forgotten, incoming.forgotten);
  const changed = assume !== existing.assume || released !== existing.released || orphanDefers !== existing.orphanDefers
    || tryFailed !== existing.tryFailed || acquired !== existing.acquired || dropMay !== existing.dropMay || forgotten !== existing.forgotten;
  return changed ? { held: existing.held, released, assume, orphanDefers, tryFailed, acquired, dropMay, forgotten } : undefined;
}

const SIGN_KEY: Record<number, string> = {
  [NEG]: '<0', [ZERO]: '==0', [POS]: '>0', [NEG | POS]: '!=0', [NEG | ZERO]: '<=0', [ZERO | POS]: '>=0',
};

/**
 * Where two paths meet, what each knew about one integer's sign is kept as its union (`err < 0` on
 * one, `err != 0` on the other: `err != 0`), so `out: unlock(); return err;` still knows the
 * status is a failure. The lattice is finite, so exploration still reaches its fixed point.
 */
function joinSigns(
  existing: Map<string, Assumption>, incoming: ReadonlyMap<string, Assumption>, kept: Map<string, Assumption>,
): Map<string, Assumption> {
  const signsIn = (m: ReadonlyMap<string, Assumption>) => {
    const out = new Map<string, { signs: number; vars: string[] }>();
    m.forEach((v, k) => {
      // Derived from the key alone, so cached on the (shared) assumption.
      if (v.sign === undefined) v.sign = signFact(k, v.value) ?? null;
      const f = v.sign;
      if (!f) return;
      const prev = out.get(f.subject);
      out.set(f.subject, { signs: (prev?.signs ?? ALL) & f.signs, vars: prev ? [...new Set([...prev.vars, ...v.vars])] : v.vars });
    });
    return out;
  };
  const mine = signsIn(existing);
  if (mine.size === 0) return kept;
  const theirs = signsIn(incoming);
  mine.forEach(({ signs, vars }, subject) => {
    const joined = signs | (theirs.get(subject)?.signs ?? ALL);
    const suffix = SIGN_KEY[joined];
    if (!suffix) return;
    const key = `${subject}${suffix}`;
    if (kept.get(key)?.value !== true) kept.set(key, { value: true, vars });
  });
  // Unchanged in content is unchanged: the merge must report no change at its fixed point.
  if (kept.size === existing.size && everyEntry(existing, (v, k) => kept.get(k)?.value === v.value)) return existing;
  return kept;
}

function sharesName(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < a.length; i++) if (b.includes(a[i])) return true;
  return false;
}

export { lockKey };

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
    accesses: [],
    spawns: [],
    exits: [],
    acquiredKeys: new Map(),
    overBudget: false,
    ...(options.annotations ? { annotations: options.annotations } : {}),
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
  // The states at each node, one per held signature: most nodes only ever see one, kept in `one`;
  // a node that sees a second signature moves to a map in `many`.
  const one: (State | undefined)[] = new Array(fn.nodes.length);
  const oneSig: string[] = new Array(fn.nodes.length);
  const many: (Map<string, State> | undefined)[] = new Array(fn.nodes.length);
  const stateAt = (node: number, sig: string): State | undefined => {
    const m = many[node];
    if (m) return m.get(sig);
    return oneSig[node] === sig ? one[node] : undefined;
  };
  const setState = (node: number, sig: string, state: State): boolean => {
    const m = many[node];
    if (m) {
      if (!m.has(sig) && m.size >= maxLocksets) return false;
      m.set(sig, state);
      return true;
    }
    const o = one[node];
    if (o === undefined && maxLocksets < 1) return false;
    if (o === undefined || oneSig[node] === sig) {
      one[node] = state;
      oneSig[node] = sig;
      return true;
    }
    if (maxLocksets < 2) return false;
    many[node] = new Map([[oneSig[node], o], [sig, state]]);
    one[node] = undefined;
    return true;
  };
  // Lowest node first: front ends number nodes in source order, so both arms of a branch reach
  // their join before it is explored and it is explored once, merged. Depth-first order explored
  // the rest of the function again after every join (exponential in sequential ifs, cut only by
  // the budget after minutes on a function with 1,000 conditions).
  const work = new NodeQueue<State>();
  const maxLocksets = options.maxLocksets ?? MAX_LOCKSETS_PER_NODE;
  let tooManyLocksets = false;
  const stateSig = splitsOnConstants(fn) ? constantSignature : (state: State) => heldSignature(state.held); // value facts (sign-facts)
  const push = (node: number, state: State): void => {
    const sig = stateSig(state);
    const existing = stateAt(node, sig);
    if (!existing) {
      if (!setState(node, sig, state)) {
        tooManyLocksets = true;
        return;
      }
      work.push(node, state);
      return;
    }
    const merged = merge(existing, state);
    if (merged) {
      setState(node, sig, merged);
      work.push(node, merged);
    }
  };

  push(0, { held: withHeld({} as State, entryHeld(options.annotations)).held, released: new Map(), assume: new Map(), orphanDefers: new Map(), tryFailed: new Set(), acquired: new Set(), dropMay: new Set(), forgotten: new Set() });
  let visits = 0;
  while (work.length > 0) {
    if (++visits > budget || tooManyLocksets) {
      facts.overBudget = true;
      break;
    }
    const [index, state] = work.pop();
    // A state that was merged away since it was queued is stale: its successor took over.
    if (stateAt(index, stateSig(state)) !== state) continue;
    const node = fn.nodes[index];
    const next = step(fn, index, node.op, state, facts, once, options);
    if (next === undefined) continue; // infeasible path
    if (node.exit) {
      recordExit(index, node.exit, node.span ?? fn.span, node.ret, next, facts, once, exitsSeen);
      continue;
    }
    for (const s of node.succ) push(s, next);
  }
  return trimFacts(facts);
}

/**
 * Facts are kept for every function between analyses: lists grown by `push` are copied to their
 * length (an empty list then costs no backing store, a short one no spare room).
 */
function trimFacts(facts: FunctionFacts): FunctionFacts {
  facts.acquires = facts.acquires.slice();
  facts.doubleAcquires = facts.doubleAcquires.slice();
  facts.recursiveReads = facts.recursiveReads.slice();
  facts.releasesNotHeld = facts.releasesNotHeld.slice();
  facts.blocks = facts.blocks.slice();
  facts.calls = facts.calls.slice();
  facts.accesses = facts.accesses.slice();
  facts.spawns = facts.spawns.slice();
  facts.exits = facts.exits.slice();
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
  const released = new Set<string>();
  state.released.forEach((_, k) => released.add(k));
  for (const h of state.held) if (h.deferredRelease) released.add(h.key);
  const key = `exit:${index}:${heldSignature(held)}`;
  const seen = exitsSeen.get(key);
  const dropped = state.dropMay.size > 0 ? state.dropMay : undefined;
  const retSigns = ret === undefined ? undefined : returnSigns(ret, state.assume);
  if (!seen) {
    const exit: ExitFact = {
      span, ret, kind, held, acquiredOnPath: state.acquired, releasedOnPath: released,
      ...(dropped ? { droppedOnSomePath: dropped } : {}), ...(retSigns !== undefined ? { retSigns } : {}),
    };
    exitsSeen.set(key, exit);
    facts.exits.push(exit);
  } else {
    if (dropped) seen.droppedOnSomePath = seen.droppedOnSomePath ? union(seen.droppedOnSomePath, dropped) : dropped;
    if (seen.retSigns !== undefined && retSigns !== undefined) seen.retSigns |= retSigns;
    // Another path to the same exit with the same held locks (e.g. one with a deferred unlock):
    // "on every path" must not depend on which path the exploration happened to reach first.
    seen.acquiredOnPath = intersect(seen.acquiredOnPath, state.acquired);
    seen.releasedOnPath = intersect(seen.releasedOnPath, released);
  }
}

function step(
  fn: FunctionIR, index: number, op: Op, state: State, facts: FunctionFacts,
  once: (k: string) => boolean, options: ExploreOptions,
): State | undefined {
  switch (op.kind) {
    case 'acquire': {
      const next = acquire(index, state, facts, once, {
        key: lockKey(op.lock), lock: op.lock, lockKind: op.lockKind, mode: op.mode, irq: op.irq, site: op.span, ...(op.sleepable ? { sleepable: true } : {}),
        api: op.api, depth: 1, deferredRelease: false,
      }, op.try);
      return next && pointerNonNull(next, op.lock);
    }
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
      const released = copyMap(state.released);
      released.set(key, op.span);
      const tryFailed = copySet(state.tryFailed);
      tryFailed.add(key);
      return { ...state, released, tryFailed };
    }
    case 'block': {
      const held = state.held;
      const dropped = droppedAt(state, facts);
      if (once(`block:${index}:${heldSignature(held)}:${droppedSig(dropped)}`)) {
        facts.blocks.push({
          api: op.api, category: op.category, domain: op.domain, lock: op.lock, ...(op.handle ? { handle: op.handle } : {}), span: op.span, held,
          ...(dropped ? { dropped } : {}),
        });
      }
      return state;
    }
    case 'call': {
      if (once(`call:${index}:${heldSignature(state.held)}`)) facts.calls.push({ op, held: state.held } as CallFact);
      const handed = handedToCallee(state.held, op, fn);
      if (handed !== state.held) state = withHeld({ ...state }, handed);
      const effect = options.resolveCall?.(op, fn);
      return effect ? applyCallEffect(index, op, state, effect, facts, once) : state;
    }
    case 'access': {
      if (once(`access:${index}:${heldSignature(state.held)}`)) facts.accesses.push({ op, held: state.held });
      return state;
    }
    case 'spawn': {
      if (once(`spawn:${index}:${heldSignature(state.held)}`)) facts.spawns.push({ op, held: state.held });
      return state;
    }
    case 'assume': {
      const known = state.assume.get(op.key);
      if (known) return known.value === op.value ? state : undefined;
      const sign = signOfAssume(op);
      if (sign && !signFits(sign, state.assume)) return undefined;
      const assume = copyMap(state.assume);
      assume.set(op.key, { value: op.value, vars: op.vars, sign });
      return { ...state, assume };
    }
    case 'assign': {
      if (op.vars.length === 0) return state;
      // Assignments are frequent and mostly touch nothing tracked: nothing is allocated then.
      const vars = op.vars;
      let next = state;
      // A reassigned lock pointer names another lock from here on: forget what we knew about it.
      // An annotation's lock is the one its (local) pointer names once initialised: kept.
      if (state.held.some((h) => !(h.deferredRelease || h.entry) && vars.includes(h.lock.root))) {
        next = withHeld({ ...next }, state.held.filter((h) => h.deferredRelease || h.entry || !vars.includes(h.lock.root)));
      }
      let assume = state.assume;
      state.assume.forEach((v, k) => {
        if (!sharesName(v.vars, vars)) return;
        if (assume === state.assume) assume = copyMap(state.assume);
        assume.delete(k);
      });
      let released = state.released;
      state.released.forEach((_, k) => {
        if (!vars.includes(keyRoot(k))) return;
        if (released === state.released) released = copyMap(state.released);
        released.delete(k);
      });
      if (op.truth !== undefined) {
        // `locked = true;` … `if (!locked) lock();`: the flag's value is known until reassigned.
        if (assume === state.assume) assume = copyMap(state.assume);
        assume.set(vars[0], { value: op.truth, vars: [vars[0]] });
      }
      if (op.alias) {
        // Kept as an assumption: forgotten when either side is reassigned, kept where paths agree.
        if (assume === state.assume) assume = copyMap(state.assume);
        assume.set(`${ALIAS}${vars[0]}=${op.alias.from}`, { value: true, vars: [vars[0], ...op.alias.vars] });
      }
      let dropMay = state.dropMay;
      state.dropMay.forEach((k) => {
        if (vars.includes(keyRoot(k))) dropMay = without(dropMay, k);
      });
      return assume === state.assume && released === state.released && next === state && dropMay === state.dropMay
        ? state : { ...next, assume, released, dropMay };
    }
    default:
      return state;
  }
}

/**
 * Locking through a pointer variable (`down_read(rw_lock)`, `spin_lock(&inode->i_lock)`)
 * dereferences it: on this path it is not NULL, so a later `if (rw_lock) up_read(rw_lock);`
 * cannot skip the release.
 */
function pointerNonNull(state: State, lock: LockRef): State {
  const r = lock.root;
  if (!r || state.assume.get(r)?.value === true) return state;
  const text = lock.text.replace(/^&\s*/, '');
  if (text !== r && !(text.startsWith(r) && text.startsWith('->', r.length))) return state;
  return { ...state, assume: copyMap(state.assume).set(lock.root, { value: true, vars: [lock.root] }) };
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
  const dropped = droppedAt(state, facts);
  if (once(`acq:${index}:${heldSignature(state.held)}:${droppedSig(dropped)}`)) {
    facts.acquires.push({
      lock: lock.lock, lockKind: lock.lockKind, mode: lock.mode, irq: lock.irq, span: lock.site, api: lock.api,
      try: isTry, held: state.held, via: lock.via, ...(dropped ? { dropped } : {}),
    });
  }
  if (!lock.via && !facts.acquiredKeys.has(lock.key)) facts.acquiredKeys.set(lock.key, lock);
  // Re-locking after an explicit unlock that a deferred unlock will balance (Go unlock/relock dance).
  let orphanDefers = state.orphanDefers;
  let deferredRelease = false;
  if (orphanDefers.has(lock.key)) {
    orphanDefers = copyMap(orphanDefers);
    orphanDefers.delete(lock.key);
    deferredRelease = true;
  }
  const acquired = lock.via || state.acquired.has(lock.key) ? state.acquired : copySet(state.acquired).add(lock.key);
  const retaken = state.dropMay.has(lock.key);
  const dropMay = without(state.dropMay, lock.key);
  const forgotten = without(state.forgotten, lock.key);
  return withHeld({ ...state, orphanDefers, acquired, dropMay, forgotten }, [...state.held, { ...lock, deferredRelease, ...(retaken ? { retaken } : {}) }]);
}

function release(
  index: number, state: State, facts: FunctionFacts, once: (k: string) => boolean,
  lock: LockRef, span: Span, api: string, lockKind?: LockKind,
): State {
  const key = lockKey(lock);
  // Releases name the lock without its lockdep subclass.
  const h = state.held.find((x) => x.key === key) ?? state.held.find((x) => x.lock.path === lock.path)
    // Returned holding by a helper (`b = bucket_lock(h)`), known by class only, released by name.
    ?? (lock.cls ? state.held.find((x) => x.lock.cls === lock.cls && x.lock.path === `<${lock.cls}>`) : undefined)
    ?? aliasHeld(state, lock) ?? resultHeld(state, lock) ?? soleOfClass(state, lock);
  if (h) {
    // Held since entry (annotated): the caller's lock, released here as an unlock helper would.
    // Released under another name (an alias of the annotated expression): that name was the caller's too.
    if (h.entry) {
      facts.releasedUnacquired.set(h.key, { lock: h.lock, lockKind: h.lockKind });
      if (key !== h.key) facts.releasedUnacquired.set(key, { lock, lockKind });
    }
    if ((h.entry || h.retaken) && h.depth <= 1) state = { ...state, dropMay: copySet(state.dropMay).add(h.key) };
    const released = copyMap(state.released);
    released.set(h.key, span);
    if (state.tryFailed.has(h.key)) {
      state = { ...state, tryFailed: new Set([...state.tryFailed].filter((k) => k !== h.key)) };
    }
    if (h.depth > 1) {
      return withHeld({ ...state, released }, state.held.map((x) => (x === h ? { ...x, depth: x.depth - 1 } : x)));
    }
    let orphanDefers = state.orphanDefers;
    if (h.deferredRelease) {
      orphanDefers = copyMap(orphanDefers);
      orphanDefers.set(h.key, span);
    }
    return withHeld({ ...state, released, orphanDefers }, state.held.filter((x) => x !== h));
  }
  const previous = state.released.get(key);
  if (state.forgotten.has(key) && !previous) {
    // A callee may have released it already (its summary forgets it): this release is not ours to judge.
    return { ...state, forgotten: without(state.forgotten, key), released: copyMap(state.released).set(key, span) };
  }
  if (previous) {
    // Restoring interrupts twice (`local_save_flags(f); local_irq_enable(); ... local_irq_restore(f);`)
    // puts back a saved state: idempotent, never a deadlock.
    if (lockKind === 'irqoff') return state;
    if (once(`unheld:${index}:${key}`)) {
      facts.releasesNotHeld.push({ lock, span, api, previousRelease: previous, afterFailedTry: state.tryFailed.has(key) } as ReleaseNotHeldFact);
    }
  } else {
    // The caller's lock (an unlock helper): remember the release so the summary can tell that
    // every way out leaves it released.
    const as = parameterName(state, lock, facts.fn);
    facts.releasedUnacquired.set(key, { lock, lockKind, ...(as ? { as } : {}) });
    const released = copyMap(state.released);
    released.set(key, span);
    return { ...state, released, dropMay: copySet(state.dropMay).add(key) };
  }
  return state;
}

/**
 * The caller's locks this function has dropped on every path to here: released without being
 * taken on the path (an unlock of a lock it was handed), not a failed trylock, not retaken.
 */
function droppedAt(state: State, facts: FunctionFacts): LockRef[] | undefined {
  if (state.released.size === 0) return undefined;
  let out: LockRef[] | undefined;
  state.released.forEach((_, k) => {
    if (state.tryFailed.has(k)) return;
    const r = facts.releasedUnacquired.get(k);
    if (!r || state.held.some((h) => h.key === k)) return;
    (out ??= []).push(r.as ?? r.lock);
  });
  return out;
}

function droppedSig(dropped: readonly LockRef[] | undefined): string {
  return dropped ? dropped.map(lockKey).join(',') : '';
}

/** The held lock a callee's dropped lock (in caller terms) stands for: same instance (or an alias of it), else same class. */
function heldDropped(state: State, d: LockRef): HeldLock | undefined {
  return heldByName(state, d) ?? (d.cls ? state.held.find((h) => h.lock.cls === d.cls) : undefined);
}

/**
 * What a callee's acquisition or blocking call is charged to: the held locks, less those the
 * callee dropped before it (a read section entered more than once stays held), and what is
 * dropped for this function's own callers: its own drops and the callee's drops of locks it does
 * not hold itself.
 */
function chargeTo(
  state: State, calleeDropped: readonly LockRef[] | undefined, own: LockRef[] | undefined,
): { held: HeldLock[]; dropped?: LockRef[] } {
  const held = state.held;
  if (!calleeDropped?.length) return own ? { held, dropped: own } : { held };
  let charged = held;
  let dropped = own;
  for (const d of calleeDropped) {
    const h = heldDropped(state, d);
    if (h && h.depth <= 1) charged = charged.filter((x) => x !== h);
    // Held since entry (annotated) is our caller's lock: the callee drops it for them too.
    const mine = h?.entry ? h.lock : h ? undefined : d;
    if (mine && (mine.paramIndex !== undefined || mine.cls !== undefined) && !dropped?.some((x) => lockKey(x) === lockKey(mine))) {
      dropped = [...(dropped ?? []), mine];
    }
  }
  return dropped ? { held: charged, dropped } : { held: charged };
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
  const own = droppedAt(state, facts);
  if (once(`calleff:${index}:${sig}:${droppedSig(own)}`)) {
    for (const { fact, via, must } of effect.acquires) {
      // Locks the callee dropped before taking this one are not held across it.
      const charged = chargeTo(state, fact.dropped, own);
      const existing = charged.held.find((h) => h.key === lockKey(fact.lock) || (h.lock.cls && h.lock.cls === fact.lock.cls && h.lock.path === fact.lock.path));
      // Only a callee that takes the lock on every path is a certain self-deadlock.
      if (existing && must && !REENTRANT_KINDS.has(fact.lockKind) && !(existing.mode === 'shared' && fact.mode === 'shared')) {
        facts.doubleAcquires.push({ lock: fact.lock, span: op.span, first: existing, api: fact.api, via });
      }
      const { dropped: _calleeDropped, ...plain } = fact;
      facts.acquires.push({
        ...plain, span: op.span, held: charged.held.filter((h) => h !== existing), via, must,
        ...(charged.dropped ? { dropped: charged.dropped } : {}),
      });
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
      const charged = chargeTo(state, fact.dropped, own);
      const { dropped: _calleeDropped, ...plain } = fact;
      facts.blocks.push({ ...plain, span: op.span, held: charged.held, via, ...(charged.dropped ? { dropped: charged.dropped } : {}) });
    }
  }
  let next = state;
  // Taken (and dropped) inside the callee on every path: for this function's own summary, a path
  // through the call acquired it, so a caller two levels up still sees a certain acquisition.
  const mustKeys = effect.acquires.filter((a) => a.must).map((a) => lockKey(a.fact.lock)).filter((k) => !state.acquired.has(k));
  if (mustKeys.length) next = { ...next, acquired: new Set([...state.acquired, ...mustKeys]) };
  const forget = (h: HeldLock) => {
    next = withHeld({ ...next, forgotten: copySet(next.forgotten).add(h.key) }, next.held.filter((x) => x !== h));
  };
  effect.releases.forEach((key, i) => {
    // Released without its lockdep subclass (`mutex_lock_nested(l, N)` … helper's `mutex_unlock(l)`).
    const named = effect.releasedLocks?.[i];
    const h = named ? heldByName(next, named) : next.held.find((x) => x.key === key);
    // A lock held since entry that a callee drops is only forgotten: without the annotation it
    // was never tracked, and a double-unlock verdict would rest on the callee's summary alone.
    const guessed = h || !named ? undefined : classHeld(next, named);
    if (h) next = h.entry ? withHeld({ ...next }, next.held.filter((x) => x !== h)) : release(index, next, facts, once, h.lock, op.span, op.callee);
    else if (guessed) forget(guessed);
    else if (!next.released.has(key) && effect.releasedLocks?.[i]) {
      // Our caller's lock, dropped by the unlock helper we call: we are an unlock helper too.
      facts.releasedUnacquired.set(key, { lock: effect.releasedLocks[i] });
      next = { ...next, released: copyMap(next.released).set(key, op.span), dropMay: copySet(next.dropMay).add(key) };
    }
  });
  (effect.forgets ?? []).forEach((key, i) => {
    const named = effect.forgottenLocks?.[i];
    const h = named ? heldByName(next, named) ?? classHeld(next, named) : next.held.find((x) => x.key === key);
    if (h) forget(h);
  });
  for (const lock of effect.returnsHolding) {
    const again = next.held.find((h) => h.key === lock.key);
    if (again && again.lockKind === 'irqoff' && lock.lockKind === 'irqoff') {
      // A nested save (`local_irq_save()` inside a helper) needs its own restore.
      const depth = Math.min(again.depth + 1, MAX_DEPTH);
      next = withHeld({ ...next }, next.held.map((h) => (h === again ? { ...h, depth } : h)));
    } else if (!again) {
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
