// The shape of `.locklint.json` and of the `locklint.*` VS Code settings, after validation.
// Every field is present: parseConfig fills absent or invalid parts with their defaults, so the
// server can always go on. The JSON Schema for the file is ./schema.json (keep the two in step;
// test/config.test.js checks that they name the same keys and enum values).
import type { Severity } from '../core/finding';

/**
 * How a configured lock behaves:
 * - exclusive: a sleeping mutex (LockKind 'mutex');
 * - shared:    the read side of a sleeping reader/writer lock (LockKind 'rwlock', mode shared);
 * - spin:      a spinning lock: the holder must not sleep (LockKind 'spin');
 * - irq:       a spinning lock whose acquire also disables interrupts (spin, irq 'irq').
 */
export type LockFunctionMode = 'exclusive' | 'shared' | 'spin' | 'irq';

/** Blocking categories a user may declare (channel and condwait are recognised by syntax / tables only). */
export type BlockingFunctionCategory = 'sleep' | 'wait' | 'synchronize' | 'transaction';

export type CheckSetting = Severity | 'off';

export type ContextKind = 'hardirq' | 'softirq' | 'nmi';

/**
 * When a callback given to a registration function runs: `now` = called before the function
 * returns, on the caller's thread (qsort, sync.Once.Do); `thread` = on another thread or goroutine
 * (pthread_create, time.AfterFunc); an interrupt context = started there (request_irq: hardirq).
 */
export type CallbackRuns = 'now' | 'thread' | ContextKind;

export interface LockFunctionSpec {
  acquire: string;
  release: string;
  tryAcquire?: string;
  /** Which argument is the lock. Absent: 0 for C and Go functions, the receiver (-1) for Go methods. */
  argIndex?: number;
  mode: LockFunctionMode;
  /** tryAcquire: which result means "acquired". Default nonzero (pthread-style wrappers return 0). */
  trySuccess?: 'nonzero' | 'zero';
}

export interface BlockingFunctionSpec {
  name: string;
  category: BlockingFunctionCategory;
  /** synchronize: the read-side domain it waits for ("rcu"). */
  domain?: string;
}

export interface CallbackFunctionSpec {
  name: string;
  /** Which argument (0-based, not counting a Go method's receiver) is the callback. */
  argIndex: number;
  runs: CallbackRuns;
}

export interface Config {
  lockFunctions: readonly LockFunctionSpec[];
  /** Bare names in the file are normalised to { name, category: 'sleep' }. */
  blockingFunctions: readonly BlockingFunctionSpec[];
  /** Functions that take a callback argument and call it now or start it elsewhere. */
  callbackFunctions: readonly CallbackFunctionSpec[];
  /** Per-check severity override; checks not listed keep their default severity. */
  checks: Readonly<Record<string, CheckSetting>>;
  /** Globs relative to the scanned root; see isExcluded for the matching rules. */
  exclude: readonly string[];
  /** Files larger than this many bytes are skipped. */
  maxFileSize: number;
  /** Functions that run in interrupt context (entry points: irq handlers, softirq/tasklet callbacks, NMI handlers). */
  contexts: Readonly<Record<ContextKind, readonly string[]>>;
  /** Report lock-order cycles between two instances of the same lock class (a->lock then b->lock). */
  reportSameClassNesting: boolean;
}

/** Stable identifiers of problem kinds; the text lives in ./messages.ts. */
export type ConfigProblemCode =
  | 'syntax'
  | 'duplicate-key'
  | 'unknown-key'
  | 'unknown-check'
  | 'wrong-type'
  | 'bad-enum'
  | 'missing-key'
  | 'bad-value'
  | 'duplicate-function'
  | 'lock-and-blocking';

export interface ConfigProblem {
  file: string;
  /** 0-based line and column (UTF-16 code units), like LSP positions. */
  line: number;
  col: number;
  /** JSON pointer (RFC 6901) of the offending key or value: "/checks/lock-ordr", "/lockFunctions/0/mode". "" = the whole file. */
  key: string;
  message: string;
  code: ConfigProblemCode;
}

export interface ParsedConfig {
  config: Config;
  problems: ConfigProblem[];
}
