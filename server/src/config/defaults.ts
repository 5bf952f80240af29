// Defaults and the vocabulary of the file (keys and enum values), shared by the validator, the
// merge and the tests that compare them with schema.json.
import type { BlockingFunctionCategory, CallbackRuns, CheckSetting, Config, ContextKind, LockFunctionMode } from './types';

export const DEFAULT_MAX_FILE_SIZE = 1024 * 1024;

export const DEFAULT_CONFIG: Config = Object.freeze({
  lockFunctions: Object.freeze([]),
  blockingFunctions: Object.freeze([]),
  callbackFunctions: Object.freeze([]),
  checks: Object.freeze({}),
  exclude: Object.freeze([]),
  maxFileSize: DEFAULT_MAX_FILE_SIZE,
  contexts: Object.freeze({ hardirq: Object.freeze([]), softirq: Object.freeze([]), nmi: Object.freeze([]) }),
  reportSameClassNesting: false,
});

export const TOP_LEVEL_KEYS = [
  'lockFunctions',
  'blockingFunctions',
  'checks',
  'exclude',
  'maxFileSize',
  'contexts',
  'reportSameClassNesting',
  'callbackFunctions',
] as const;

/** Accepted at the top level and ignored: lets editors find the schema without the extension. */
export const IGNORED_TOP_LEVEL_KEYS = ['$schema'] as const;

export const LOCK_FUNCTION_KEYS = ['acquire', 'release', 'tryAcquire', 'argIndex', 'mode', 'trySuccess'] as const;
export const BLOCKING_FUNCTION_KEYS = ['name', 'category', 'domain'] as const;
export const CALLBACK_FUNCTION_KEYS = ['name', 'argIndex', 'runs'] as const;

export const LOCK_MODES: readonly LockFunctionMode[] = ['exclusive', 'shared', 'spin', 'irq'];
export const DEFAULT_LOCK_MODE: LockFunctionMode = 'exclusive';
export const TRY_SUCCESS_VALUES = ['nonzero', 'zero'] as const;
export const BLOCKING_CATEGORIES: readonly BlockingFunctionCategory[] = ['sleep', 'wait', 'synchronize', 'transaction'];
/** A bare name in blockingFunctions: "may sleep" is the weakest claim, reported only in atomic context. */
export const DEFAULT_BLOCKING_CATEGORY: BlockingFunctionCategory = 'sleep';
export const CHECK_SETTINGS: readonly CheckSetting[] = ['error', 'warning', 'info', 'off'];
export const CONTEXT_KINDS: readonly ContextKind[] = ['hardirq', 'softirq', 'nmi'];
export const CALLBACK_RUNS: readonly CallbackRuns[] = ['now', 'thread', ...CONTEXT_KINDS];
/** The common case of a function that takes a callback: it calls it (for_each, sort, once). */
export const DEFAULT_CALLBACK_RUNS: CallbackRuns = 'now';
