// Knowledge of lock and blocking APIs is data: these types describe one table entry.
import type { BlockCategory, ExecContext, IrqState, LockKind, LockMode } from '../ir/types';

export type ApiRole =
  | 'acquire'     // takes the lock given by `arg` (or the named pseudo-lock `lock`)
  | 'tryacquire'  // conditional acquire: holds the lock only where the result says success
  | 'release'
  | 'block'       // may block; `category` says how
  | 'spawn'       // starts a thread/goroutine/work item running the function given by `arg`
  | 'invoke'      // calls the function given by `arg` before returning, on the caller's thread (qsort, sync.Once.Do)
  | 'context'     // a function that, wherever it is defined, runs in `context` (BPF helpers callable from NMI)
  | 'noreturn';   // never returns (panic, do_exit, longjmp): the path ends at the call

export interface ApiEntry {
  /** C: the function name. Go: "pkg.Func" or "pkg.Type.Method" (e.g. "sync.Mutex.Lock", "time.Sleep"). */
  name: string;
  role: ApiRole;
  kind?: LockKind;            // acquire/tryacquire/release
  mode?: LockMode;            // default exclusive
  irq?: IrqState;             // acquire: the variant disables irqs/bhs
  arg?: number;               // which argument is the lock / thread routine / invoked callback (default 0)
  /** spawn: the argument naming the work item / thread object started; block: the one waited for. */
  handleArg?: number;
  lock?: string;              // a named pseudo-lock instead of an argument ("rcu", "ebpf_epoch")
  /** The lock is this field of the object `arg` points to, not `arg` itself: wrappers that take the
   *  owner (`raw_spin_lock_rcu_node(rnp)` locks `rnp->lock`), so they pair with the plain API on the field. */
  field?: string;
  /** Interrupt-state save/restore: the argument that receives or gives back the saved state
   *  (`flags` of `local_irq_save(flags)`, `spin_unlock_irqrestore(l, flags)`), so a lock's restore
   *  can end a section a pseudo-lock's save began. */
  stateArg?: number;
  subclassArg?: number;       // lockdep subclass argument (mutex_lock_nested)
  success?: 'nonzero' | 'zero';  // tryacquire: which result means "acquired" (default nonzero)
  /** tryacquire: it sleeps until it gets the lock or gives up (interruptible, killable, timeout):
   *  a success orders locks and a held lock makes it deadlock, unlike a trylock. */
  waits?: boolean;
  /** acquire (rcu kind): readers may sleep in this section (SRCU); only its own synchronize waits for them. */
  sleepable?: boolean;
  category?: BlockCategory;   // block
  domain?: string;            // block/synchronize: the read-side domain it waits for ("rcu")
  /** spawn: the routine runs in interrupt context (request_irq -> hardirq); context: the named function does. */
  context?: ExecContext;
  doc?: string;
}

export interface ApiTableFile {
  ecosystem: string;
  language: 'c' | 'go';
  description: string;
  functions: ApiEntry[];
}

/** Lookup structure used by front ends. Built once per configuration; immutable. */
export interface ApiIndex {
  c: ReadonlyMap<string, ApiEntry>;
  go: ReadonlyMap<string, ApiEntry>;
  /** Go methods by bare method name, for receivers whose type the front end cannot infer. */
  goUntypedMethods: ReadonlyMap<string, ApiEntry>;
}
