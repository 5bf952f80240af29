// What the lockset exploration learns about one function: plain data that the checks read.
import type { BlockCategory, FunctionAnnotations, FunctionIR, IrqState, LockKind, LockMode, LockRef, Op, Span } from '../ir/types';

/** A lock held at some program point, as the exploration tracks it. */
export interface HeldLock {
  key: string;          // instance identity inside the function (LockRef.path)
  lock: LockRef;
  lockKind: LockKind;
  mode: LockMode;
  irq: IrqState;
  site: Span;           // where it was acquired
  api: string;
  /** A read-side section whose readers may sleep (SRCU). */
  sleepable?: boolean;
  depth: number;        // nesting depth for reentrant read sections (rcu, epoch)
  deferredRelease: boolean;  // Go: a deferred unlock will release it at exit
  /** Acquired by a callee (interprocedural) rather than in this function's own body. */
  via?: CallStep[];
  /**
   * Held since the function started, by its annotation (core/annotations.ts): `requires` (also
   * held at exit) or `releases` (the function must drop it somewhere).
   */
  entry?: 'requires' | 'releases';
  /** The caller's lock, dropped earlier on this path and taken again here: releasing it drops it again. */
  retaken?: boolean;
  /**
   * Returned holding by a lock helper whose every exit returns the object that holds this lock:
   * the field it is there (`.lock` of `return &hash[idx];` holding `hash[idx].lock`; '' when the
   * lock itself is returned). A caller's `b = get(...)` then names it `b->lock`.
   */
  resultField?: string;
}

export interface CallStep {
  callee: string;
  span: Span;
  file: string;
}

export interface AcquireFact {
  lock: LockRef;
  lockKind: LockKind;
  mode: LockMode;
  irq: IrqState;
  span: Span;
  api: string;
  try?: boolean;         // a successful trylock: it cannot wait, so it orders nothing
  held: HeldLock[];      // other locks held at this acquisition
  via?: CallStep[];      // acquired inside callees (interprocedural), outermost call first
  must?: boolean;        // through a call: the callee takes it on every path
  /** Caller's locks this function had dropped (released without taking) on every path to here. */
  dropped?: LockRef[];
}

export interface DoubleAcquireFact {
  lock: LockRef;
  span: Span;
  first: HeldLock;
  api: string;
  via?: CallStep[];
}

/**
 * A shared acquisition of a lock this path already read-holds (reader recursion): legal for C
 * rwlock_t, a latent deadlock for Go's RWMutex, which blocks new readers once a writer waits.
 */
export interface RecursiveReadFact {
  lock: LockRef;
  span: Span;
  first: HeldLock;
  api: string;
  via?: CallStep[];
  /** Through a call: the call, and whether the callee's lock matched the held one by class only
   * (a receiver lock the call site could not name: `s.get()` and `other.get()` look alike). */
  call?: Extract<Op, { kind: 'call' }>;
  byClass?: boolean;
  /** Through a call: the callee takes it on every path. */
  must?: boolean;
}

export interface ReleaseNotHeldFact {
  lock: LockRef;
  span: Span;
  api: string;
  previousRelease: Span;
  /** The path does not hold the lock because a trylock failed there (previousRelease is the trylock). */
  afterFailedTry?: boolean;
}

export interface BlockFact {
  api: string;
  category: BlockCategory;
  domain?: string;
  lock?: LockRef;        // condwait: the lock released while waiting
  handle?: LockRef;      // a wait for one work item / thread: which one
  span: Span;
  held: HeldLock[];
  via?: CallStep[];      // reached through callees
  /**
   * Caller's locks this function had dropped (released without taking, not retaken) on every path
   * to here: a caller holding one of them does not hold it while this blocks (`unlock(&rq->lock);
   * schedule(); lock(&rq->lock);`).
   */
  dropped?: LockRef[];
}

export interface CallFact {
  op: Extract<Op, { kind: 'call' }>;
  held: HeldLock[];
}

/** A guarded field or global read or written, with the locks held there (one per held signature). */
export interface AccessFact {
  op: Extract<Op, { kind: 'access' }>;
  held: HeldLock[];
}

export interface SpawnFact {
  op: Extract<Op, { kind: 'spawn' }>;
  held: HeldLock[];     // locks the spawner holds when it starts the thread/goroutine/work
}

export interface ExitFact {
  span: Span;
  ret?: string;
  kind: 'return' | 'panic';
  /** Locks still held after deferred releases ran. */
  held: HeldLock[];
  /** Keys acquired (by this function itself) on every path reaching this exit. */
  acquiredOnPath: ReadonlySet<string>;
  /** Keys released on every path reaching this exit (a release of a caller's lock included). */
  releasedOnPath: ReadonlySet<string>;
  /** Signs (sign-facts bits) the returned value may have on the paths reaching this exit: `return err` after `if (err)`. */
  retSigns?: number;
  /** Caller's locks (released without being taken) dropped on some path reaching this exit and not retaken. */
  droppedOnSomePath?: ReadonlySet<string>;
}

export interface FunctionFacts {
  fn: FunctionIR;
  acquires: AcquireFact[];
  doubleAcquires: DoubleAcquireFact[];
  /** Shared re-acquisitions of a read-held lock (directly or through callees). */
  recursiveReads: RecursiveReadFact[];
  releasesNotHeld: ReleaseNotHeldFact[];
  /**
   * Keys this function released without having acquired them on the path: an unlock helper.
   * `as`: the same lock named from a parameter when the body named it through a local alias
   * (`inode = dentry->d_inode; spin_unlock(&inode->i_lock)`): the name its callers can map.
   */
  releasedUnacquired: Map<string, { lock: LockRef; lockKind?: LockKind; as?: LockRef }>;
  blocks: BlockFact[];
  calls: CallFact[];
  /** Accesses to guarded fields (only functions that touch one have any). */
  accesses: AccessFact[];
  spawns: SpawnFact[];
  exits: ExitFact[];
  /** Every lock key this function acquires itself, with its first site. */
  acquiredKeys: Map<string, HeldLock>;
  /** The exploration ran out of budget: path facts are partial, so path-based checks stay silent. */
  overBudget: boolean;
  /** The function's effective lock contract (its own annotations and its prototypes'). */
  annotations?: FunctionAnnotations;
}

export interface LockOrderEdgeSite {
  fn: FunctionIR;
  outer: HeldLock;
  inner: AcquireFact;
}

export type { LockKind, LockMode, IrqState };
