// Layering of configurations: user settings (base) under the workspace `.locklint.json` (override).
// Configs are always complete (defaults filled in), and VS Code hands over every setting with its
// default too, so "was this key set?" is not knowable: a value equal to its default counts as
// unset. Lists add up (a project adds its own lock wrappers to the user's); on a name defined in
// both, the override's entry wins.
import { DEFAULT_CONFIG } from './defaults';
import type { BlockingFunctionSpec, CallbackFunctionSpec, Config, ContextKind, LockFunctionSpec } from './types';

export function lockFunctionNames(spec: LockFunctionSpec): string[] {
  return [spec.acquire, spec.release, ...(spec.tryAcquire !== undefined ? [spec.tryAcquire] : [])];
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

function scalar<T>(base: T, override: T, fallback: T): T {
  return override !== fallback ? override : base;
}

export function mergeConfig(base: Config, override: Config): Config {
  // Every name the override gives a role to; base entries touching one of them are dropped whole,
  // so a name never ends up with two roles (the same rule parseConfig enforces within one file).
  const claimed = new Set([
    ...override.lockFunctions.flatMap(lockFunctionNames),
    ...override.blockingFunctions.map((b) => b.name),
    ...override.callbackFunctions.map((c) => c.name),
  ]);
  const lockFunctions: LockFunctionSpec[] = [
    ...base.lockFunctions.filter((l) => !lockFunctionNames(l).some((n) => claimed.has(n))),
    ...override.lockFunctions,
  ];
  const blockingFunctions: BlockingFunctionSpec[] = [
    ...base.blockingFunctions.filter((b) => !claimed.has(b.name)),
    ...override.blockingFunctions,
  ];
  const callbackFunctions: CallbackFunctionSpec[] = [
    ...base.callbackFunctions.filter((c) => !claimed.has(c.name)),
    ...override.callbackFunctions,
  ];
  const context = (k: ContextKind) => union(base.contexts[k], override.contexts[k]);
  return {
    lockFunctions,
    blockingFunctions,
    callbackFunctions,
    checks: { ...base.checks, ...override.checks },
    exclude: union(base.exclude, override.exclude),
    maxFileSize: scalar(base.maxFileSize, override.maxFileSize, DEFAULT_CONFIG.maxFileSize),
    contexts: { hardirq: context('hardirq'), softirq: context('softirq'), nmi: context('nmi') },
    reportSameClassNesting: scalar(base.reportSameClassNesting, override.reportSameClassNesting, DEFAULT_CONFIG.reportSameClassNesting),
  };
}
