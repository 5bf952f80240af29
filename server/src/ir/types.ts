// The lock-event IR: the only thing the analysis core sees of a program.
// Front ends lower each function body into a control-flow graph of these nodes; the core never
// sees syntax, file formats or languages.

/** 0-based positions, as tree-sitter and LSP count them (columns in UTF-16 units are close enough for ASCII code). */
export interface Span {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

export interface Site {
  file: string;
  span: Span;
}

export type LockKind =
  | 'mutex'     // sleeping exclusive lock: pthread_mutex, mutex_lock, sync.Mutex, fast mutex, critical section
  | 'rwlock'    // sleeping reader/writer lock: pthread_rwlock, rw_semaphore, sync.RWMutex, push lock, SRW lock
  | 'semaphore' // down/up
  | 'spin'      // spinning lock: holder must not sleep (spin_lock, raw_spin_lock, rwlock_t, KSPIN_LOCK, pthread_spin)
  | 'rcu'       // read-side section of RCU (a "lock" that synchronize_rcu waits for)
  | 'epoch'     // read-side section of an epoch scheme (ebpf_epoch_enter)
  | 'irqoff';   // interrupts or softirqs disabled on this CPU (local_irq_save, local_bh_disable): atomic, not a lock

export type LockMode = 'exclusive' | 'shared';

/** Where code runs, when not in ordinary (process/thread) context. */
export type ExecContext = 'hardirq' | 'softirq' | 'nmi';

/** How an acquisition treats interrupts: lockdep's hardirq/softirq "safe" vs "unsafe" usage. */
export type IrqState = 'none' | 'irq' | 'bh';

/**
 * A lock as an expression. `path` identifies the instance inside one function (`dev.lock` for
 * `&dev->lock`), `cls` the lock class across the workspace when the front end could resolve it
 * (`struct net_device.lock`, `(*endpoint).mu`, `global:rtnl_mutex`, `static:net/x.c:lock`).
 */
export interface LockRef {
  text: string;         // as written, for messages: "&dev->lock", "e.mu"
  path: string;         // normalised instance path: "dev.lock", "e.mu"
  root: string;         // root identifier of the path: "dev", "e"; "" for calls and literals
  cls?: string;         // lock class, when resolvable
  paramIndex?: number;  // root is the function's parameter #i (receiver is -1): lets callers map it
  subclass?: string;    // lockdep nesting subclass (spin_lock_nested(l, SINGLE_DEPTH_NESTING))
}

export type BlockCategory =
  | 'sleep'        // may sleep: fine under a mutex, a bug under a spinlock / in a read section
  | 'wait'         // waits for other threads to make progress (join, WaitGroup.Wait, flush_work)
  | 'synchronize'  // waits for every reader of a read-side section domain (synchronize_rcu)
  | 'transaction'  // begins a transaction that waits for others (FwpmTransactionBegin0)
  | 'channel'      // Go channel send/receive/select without default
  | 'condwait';    // condition wait: releases `lock` while waiting

/** One operation. Control flow lives in the graph, not in the ops. */
export type Op =
  /** `sleepable`: a read-side section whose readers may sleep (SRCU): not atomic context. */
  | { kind: 'acquire'; lock: LockRef; lockKind: LockKind; mode: LockMode; irq: IrqState; api: string; span: Span; try?: boolean; sleepable?: boolean }
  | { kind: 'release'; lock: LockRef; lockKind: LockKind; mode: LockMode; api: string; span: Span }
  /** `handle`: what a wait waits for (`&priv->ani_work` of cancel_work_sync), when the API table names it. */
  | { kind: 'block'; api: string; category: BlockCategory; span: Span; lock?: LockRef; domain?: string; handle?: LockRef }
  | { kind: 'call'; callee: string; receiver?: string; receiverRef?: LockRef; args: (LockRef | null)[]; span: Span; indirect?: boolean }
  /** `handle`: the work item or thread object started (`&sta->rc_update_work` of INIT_WORK), when named. */
  | { kind: 'spawn'; target: string; api: string; span: Span; context?: ExecContext; handle?: LockRef }
  /** The failure edge of a trylock: this path does not hold `lock` (a release here is a bug). */
  | { kind: 'tryfail'; lock: LockRef; api: string; span: Span }
  /** `alias`: the one assigned variable now names the same object as `from` (`cur = op`,
   *  `sbi = EXT4_SB(sb)`); `vars` of `from` end the alias when reassigned.
   *  `truth`: the one variable was set to a constant (`locked = true`, `ret = 0`): its truth value. */
  | { kind: 'assign'; vars: string[]; alias?: { from: string; vars: string[] }; truth?: boolean }
  | { kind: 'assume'; key: string; value: boolean; vars: string[] }
  | { kind: 'defer'; ops: Op[]; span: Span }
  /**
   * A read or write of a field or global whose declaration names the lock that guards it
   * (`GUARDED_BY(mu)`, `PT_GUARDED_BY(mu)` for the pointee, gVisor `+checklocks:mu`). `guards`:
   * the guarding lock(s) resolved against the same object (`e->data` -> `e->mu`); holding any one
   * of them is enough. Front ends emit it only for fields that carry such an annotation.
   */
  | { kind: 'access'; target: string; write: boolean; guards: LockRef[]; guard: GuardDecl; span: Span }
  | { kind: 'nop' };

/** The annotation that makes a field or global guarded: as written, and where (`file` when not the function's own). */
export interface GuardDecl {
  /** `struct entry.data`, `pkg.T.data`, `counter`: what is guarded, for messages and fingerprints. */
  field: string;
  annotation: string;
  span: Span;
  file?: string;
}

export interface Node {
  op: Op;
  succ: number[];
  /** Function exit: 'return' (normal), 'panic' (Go panic / noreturn call: deferred ops run, no leak report). */
  exit?: 'return' | 'panic';
  /** Source span of the op, or for exits the `return` statement / the function's closing brace. */
  span?: Span;
  /** Exits: the returned expression as written ("-EINVAL", "NULL", "err", "x"), if any. */
  ret?: string;
}

export interface FunctionIR {
  name: string;             // "ebpf_epoch_synchronize", "(*endpoint).Attach", "func literal @ 42:7"
  qualifiedName: string;    // unique within the workspace: static C functions get "file.c:name"
  file: string;
  span: Span;               // the whole definition
  nameSpan: Span;
  params: string[];         // parameter names (receiver excluded)
  receiver?: string;        // Go receiver variable name
  isStatic: boolean;
  nodes: Node[];            // nodes[0] is the entry
  /** The front end gave up on part of the body (ERROR nodes, budget): findings inside are suppressed. */
  incomplete: boolean;
  /** Runs in this context wherever called from (an API table `context` entry: BPF helpers callable from NMI). */
  context?: ExecContext;
  /** Lock contracts written on the function (sparse, Clang thread safety, SAL, gVisor checklocks). */
  annotations?: FunctionAnnotations;
}

/** Which convention an annotation was written in (for messages and docs). */
export type AnnotationFamily = 'sparse' | 'clang' | 'sal' | 'checklocks';

/** One lock named by an annotation, resolved like a call argument (`paramIndex` maps it at call sites). */
export interface AnnotatedLock {
  lock: LockRef;
  mode: LockMode;
  /** When the annotation itself says (`__acquires(RCU)`, SAL `_IRQL_raises_` + `_Acquires_lock_`); else the core infers it. */
  lockKind?: LockKind;
  family: AnnotationFamily;
  /** The annotation as written (`__releases(rq->lock)`) and where (`file`: when not the function's own). */
  annotation: string;
  span: Span;
  file?: string;
}

/**
 * A function's lock contract. `requires`: held at entry and at exit (callers must hold it);
 * `acquires`: returns holding it; `releases`: entered holding it, returns without it; `excludes`:
 * callers must not hold it; `tryAcquires`: returns holding it only on success (`success` = the
 * result that means acquired, as written). `noAnalysis`: findings inside are silenced, its contract
 * still applies to callers. `atomic`: runs where it must not sleep (SAL `_IRQL_requires_max_(DISPATCH_LEVEL)`).
 */
export interface FunctionAnnotations {
  requires: AnnotatedLock[];
  acquires: AnnotatedLock[];
  releases: AnnotatedLock[];
  excludes: AnnotatedLock[];
  tryAcquires: (AnnotatedLock & { success?: string })[];
  noAnalysis?: { annotation: string; span: Span };
  atomic?: { annotation: string; span: Span };
}

/** A function declared without a body (a prototype) that carries lock annotations. */
export interface FunctionDeclaration {
  name: string;
  file: string;
  nameSpan: Span;
  params: string[];
  isStatic: boolean;
  annotations: FunctionAnnotations;
}

/** `ACQUIRED_BEFORE`/`ACQUIRED_AFTER`: `first` must never be acquired while `second` is held. */
export interface DeclaredOrder {
  first: LockRef;
  second: LockRef;
  annotation: string;
  span: Span;
}

/** Everything a front end produces for one file. */
export interface FileIR {
  file: string;
  language: 'c' | 'go';
  functions: FunctionIR[];
  /** Suppression comments: line (0-based) -> check ids ("*" for all) that are silenced on that line and the next. */
  suppressions: Suppression[];
  /** Problems the front end wants to tell the user about (unparsable regions, skipped constructs). */
  problems: FileProblem[];
  /**
   * Struct types this file declares, as class anchors (`struct net_device`, `dnscache.Zone`) with
   * the anchor of each field's named type: lets the core resolve `dnscache.Zone.resolver.mu` to
   * `dnscache.Resolver.mu` when the struct is declared in another file.
   */
  types?: TypeFields[];
  /** Functions stored in struct fields (`.detach = fn`, `ops->release = fn`): targets of indirect calls. */
  fieldFunctions?: FieldFunction[];
  /** Go interface types this file declares, by name as written in its package, with their method names. */
  interfaces?: InterfaceDecl[];
  /** Annotated prototypes: their contract applies to the definition (or, without one, to calls). */
  declarations?: FunctionDeclaration[];
  /** Lock orders the source declares (`ACQUIRED_BEFORE`), checked across the workspace. */
  lockOrders?: DeclaredOrder[];
}

export interface InterfaceDecl {
  name: string;
  methods: string[];
}

export interface FieldFunction {
  field: string;
  fn: string;
}

export interface TypeFields {
  name: string;
  fields: Record<string, string>;
}

export interface Suppression {
  line: number;
  checks: string[];
  reason: string;
}

export interface FileProblem {
  span: Span;
  message: string;
}
