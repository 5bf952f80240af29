// The lock annotations C code already carries, by spelling: Linux sparse context annotations,
// Clang Thread Safety Analysis attributes and their usual macro names (Clang's documentation,
// Abseil's ABSL_*), and Microsoft SAL concurrency annotations. Data, not code: what each one
// states about a function is decided by `role`.
import type { AnnotationFamily, LockMode } from '../../ir/types';

export type AnnotationRole =
  | 'requires' | 'acquires' | 'releases' | 'excludes' | 'try'
  | 'noAnalysis'       // silences the function
  | 'atomic'           // SAL IRQL: the function may run where it must not sleep
  | 'raises'           // SAL `_IRQL_raises_`: returns at a raised IRQL (its acquired lock is a spin lock)
  | 'before' | 'after' // ACQUIRED_BEFORE / ACQUIRED_AFTER on a lock declaration
  | 'when'             // SAL `_When_(cond, annotation)`: the inner annotation holds conditionally
  | 'guarded'          // GUARDED_BY(mu) on a field or global: accesses hold mu
  | 'ptGuarded';       // PT_GUARDED_BY(mu): accesses to what it points to hold mu

export interface AnnotationName {
  role: AnnotationRole;
  family: AnnotationFamily;
  mode?: LockMode;
  /** The first argument is the success value, not a lock (`TRY_ACQUIRE(true, mu)`). */
  successArg?: boolean;
  /** Written without arguments (`NO_THREAD_SAFETY_ANALYSIS`). */
  bare?: boolean;
}

const S: AnnotationFamily = 'sparse';
const C: AnnotationFamily = 'clang';
const W: AnnotationFamily = 'sal';

const TABLE: Record<string, AnnotationName> = {
  // sparse (include/linux/compiler_types.h)
  __acquires: { role: 'acquires', family: S },
  __releases: { role: 'releases', family: S },
  __must_hold: { role: 'requires', family: S },
  // Clang attributes (also inside __attribute__((...)) and THREAD_ANNOTATION_ATTRIBUTE__(...))
  acquire_capability: { role: 'acquires', family: C },
  acquire_shared_capability: { role: 'acquires', family: C, mode: 'shared' },
  exclusive_lock_function: { role: 'acquires', family: C },
  shared_lock_function: { role: 'acquires', family: C, mode: 'shared' },
  release_capability: { role: 'releases', family: C },
  release_shared_capability: { role: 'releases', family: C, mode: 'shared' },
  release_generic_capability: { role: 'releases', family: C },
  unlock_function: { role: 'releases', family: C },
  try_acquire_capability: { role: 'try', family: C, successArg: true },
  try_acquire_shared_capability: { role: 'try', family: C, mode: 'shared', successArg: true },
  exclusive_trylock_function: { role: 'try', family: C, successArg: true },
  shared_trylock_function: { role: 'try', family: C, mode: 'shared', successArg: true },
  requires_capability: { role: 'requires', family: C },
  requires_shared_capability: { role: 'requires', family: C, mode: 'shared' },
  exclusive_locks_required: { role: 'requires', family: C },
  shared_locks_required: { role: 'requires', family: C, mode: 'shared' },
  locks_excluded: { role: 'excludes', family: C },
  no_thread_safety_analysis: { role: 'noAnalysis', family: C, bare: true },
  acquired_before: { role: 'before', family: C },
  acquired_after: { role: 'after', family: C },
  guarded_by: { role: 'guarded', family: C },
  pt_guarded_by: { role: 'ptGuarded', family: C },
  // Clang's documented macro names (mutex.h in the Thread Safety Analysis docs)
  ACQUIRE: { role: 'acquires', family: C },
  ACQUIRE_SHARED: { role: 'acquires', family: C, mode: 'shared' },
  RELEASE: { role: 'releases', family: C },
  RELEASE_SHARED: { role: 'releases', family: C, mode: 'shared' },
  RELEASE_GENERIC: { role: 'releases', family: C },
  TRY_ACQUIRE: { role: 'try', family: C, successArg: true },
  TRY_ACQUIRE_SHARED: { role: 'try', family: C, mode: 'shared', successArg: true },
  REQUIRES: { role: 'requires', family: C },
  REQUIRES_SHARED: { role: 'requires', family: C, mode: 'shared' },
  EXCLUDES: { role: 'excludes', family: C },
  NO_THREAD_SAFETY_ANALYSIS: { role: 'noAnalysis', family: C, bare: true },
  ACQUIRED_BEFORE: { role: 'before', family: C },
  ACQUIRED_AFTER: { role: 'after', family: C },
  GUARDED_BY: { role: 'guarded', family: C },
  PT_GUARDED_BY: { role: 'ptGuarded', family: C },
  // the older names, and Abseil's
  EXCLUSIVE_LOCK_FUNCTION: { role: 'acquires', family: C },
  SHARED_LOCK_FUNCTION: { role: 'acquires', family: C, mode: 'shared' },
  UNLOCK_FUNCTION: { role: 'releases', family: C },
  EXCLUSIVE_TRYLOCK_FUNCTION: { role: 'try', family: C, successArg: true },
  SHARED_TRYLOCK_FUNCTION: { role: 'try', family: C, mode: 'shared', successArg: true },
  EXCLUSIVE_LOCKS_REQUIRED: { role: 'requires', family: C },
  SHARED_LOCKS_REQUIRED: { role: 'requires', family: C, mode: 'shared' },
  LOCKS_EXCLUDED: { role: 'excludes', family: C },
  ABSL_EXCLUSIVE_LOCK_FUNCTION: { role: 'acquires', family: C },
  ABSL_SHARED_LOCK_FUNCTION: { role: 'acquires', family: C, mode: 'shared' },
  ABSL_UNLOCK_FUNCTION: { role: 'releases', family: C },
  ABSL_EXCLUSIVE_TRYLOCK_FUNCTION: { role: 'try', family: C, successArg: true },
  ABSL_SHARED_TRYLOCK_FUNCTION: { role: 'try', family: C, mode: 'shared', successArg: true },
  ABSL_EXCLUSIVE_LOCKS_REQUIRED: { role: 'requires', family: C },
  ABSL_SHARED_LOCKS_REQUIRED: { role: 'requires', family: C, mode: 'shared' },
  ABSL_LOCKS_EXCLUDED: { role: 'excludes', family: C },
  ABSL_NO_THREAD_SAFETY_ANALYSIS: { role: 'noAnalysis', family: C, bare: true },
  ABSL_ACQUIRED_BEFORE: { role: 'before', family: C },
  ABSL_ACQUIRED_AFTER: { role: 'after', family: C },
  ABSL_GUARDED_BY: { role: 'guarded', family: C },
  ABSL_PT_GUARDED_BY: { role: 'ptGuarded', family: C },
  // Microsoft SAL (concurrencysal.h, driverspecs.h)
  _Acquires_lock_: { role: 'acquires', family: W },
  _Acquires_exclusive_lock_: { role: 'acquires', family: W },
  _Acquires_nonreentrant_lock_: { role: 'acquires', family: W },
  _Acquires_shared_lock_: { role: 'acquires', family: W, mode: 'shared' },
  _Releases_lock_: { role: 'releases', family: W },
  _Releases_exclusive_lock_: { role: 'releases', family: W },
  _Releases_nonreentrant_lock_: { role: 'releases', family: W },
  _Releases_shared_lock_: { role: 'releases', family: W, mode: 'shared' },
  _Requires_lock_held_: { role: 'requires', family: W },
  _Requires_exclusive_lock_held_: { role: 'requires', family: W },
  _Requires_shared_lock_held_: { role: 'requires', family: W, mode: 'shared' },
  _Requires_lock_not_held_: { role: 'excludes', family: W },
  _IRQL_requires_: { role: 'atomic', family: W },
  _IRQL_requires_min_: { role: 'atomic', family: W },
  _IRQL_requires_max_: { role: 'atomic', family: W },
  _IRQL_raises_: { role: 'raises', family: W },
  _When_: { role: 'when', family: W },
};

export function annotationName(name: string): AnnotationName | undefined {
  return Object.prototype.hasOwnProperty.call(TABLE, name) ? TABLE[name] : undefined;
}

/** Cheap test on a whole file: does it spell any annotation at all? */
export const ANNOTATION_HINT = /__acquires|__releases|__must_hold|\b__acquire\b|\b__release\b|_capability|lock_function|trylock_function|locks_required|locks_excluded|thread_safety_analysis|acquired_(?:before|after)|\b(?:ABSL_)?(?:ACQUIRE|RELEASE|TRY_ACQUIRE|REQUIRES|EXCLUDES|LOCKS_EXCLUDED|ACQUIRED_BEFORE|ACQUIRED_AFTER|NO_THREAD_SAFETY_ANALYSIS|EXCLUSIVE_LOCK|SHARED_LOCK|UNLOCK_FUNCTION)|\b_(?:Acquires|Releases|Requires|IRQL|When)_/;

/** Cheap test on a whole file: does it declare a guarded field or global? */
export const GUARDED_HINT = /guarded_by|GUARDED_BY/;

/** IRQLs at which the code must not wait (DISPATCH_LEVEL and above). */
export const ATOMIC_IRQL = /^(DISPATCH_LEVEL|DIRQL|HIGH_LEVEL|CLOCK_LEVEL|IPI_LEVEL|POWER_LEVEL|PROFILE_LEVEL|SYNCH_LEVEL|[2-9]|[1-3][0-9])$/;

/** Sparse names for RCU read-side "contexts": the `rcu` pseudo-lock rcu_read_lock() takes. */
export const RCU_CONTEXT = /^(rcu|RCU|RCU_BH|RCU_SCHED|rcu_bh|rcu_sched)$/;
