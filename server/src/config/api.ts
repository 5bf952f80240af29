// Turns configured lock, blocking and callback functions into API table entries for buildApiIndex(c, go).
import type { ApiEntry } from '../api/types';
import type { IrqState, LockKind, LockMode } from '../ir/types';
import type { BlockingFunctionSpec, CallbackFunctionSpec, Config, LockFunctionMode, LockFunctionSpec } from './types';

export interface ConfiguredApi {
  c: ApiEntry[];
  go: ApiEntry[];
}

const MODE_SEMANTICS: Record<LockFunctionMode, { kind: LockKind; mode: LockMode; irq: IrqState }> = {
  exclusive: { kind: 'mutex', mode: 'exclusive', irq: 'none' },
  shared: { kind: 'rwlock', mode: 'shared', irq: 'none' },
  spin: { kind: 'spin', mode: 'exclusive', irq: 'none' },
  irq: { kind: 'spin', mode: 'exclusive', irq: 'irq' },
};

const DOC = 'configured in lockFunctions';

/** Go API names are qualified ("pkg.Func", "pkg.Type.Method"); C names never contain a dot. */
export function isGoName(name: string): boolean {
  return name.includes('.');
}

/** "pkg.Type.Method": the receiver is the lock unless argIndex says otherwise (the Go tables use -1). */
function defaultArg(name: string): number {
  return name.split('.').length >= 3 ? -1 : 0;
}

function lockEntries(spec: LockFunctionSpec): ApiEntry[] {
  const { kind, mode, irq } = MODE_SEMANTICS[spec.mode];
  const arg = (name: string) => spec.argIndex ?? defaultArg(name);
  const entries: ApiEntry[] = [
    { name: spec.acquire, role: 'acquire', kind, mode, irq, arg: arg(spec.acquire), doc: DOC },
    { name: spec.release, role: 'release', kind, mode, arg: arg(spec.release), doc: DOC },
  ];
  if (spec.tryAcquire !== undefined) {
    const success = spec.trySuccess ?? 'nonzero';
    entries.push({ name: spec.tryAcquire, role: 'tryacquire', kind, mode, irq, arg: arg(spec.tryAcquire), success, doc: DOC });
  }
  return entries;
}

function blockingEntry(spec: BlockingFunctionSpec): ApiEntry {
  return {
    name: spec.name,
    role: 'block',
    category: spec.category,
    ...(spec.domain !== undefined ? { domain: spec.domain } : {}),
    doc: 'configured in blockingFunctions',
  };
}

/** "now": the callback is called before the function returns (invoke); otherwise it is started elsewhere (spawn). */
function callbackEntry(spec: CallbackFunctionSpec): ApiEntry {
  const doc = 'configured in callbackFunctions';
  if (spec.runs === 'now') return { name: spec.name, role: 'invoke', arg: spec.argIndex, doc };
  if (spec.runs === 'thread') return { name: spec.name, role: 'spawn', arg: spec.argIndex, doc };
  return { name: spec.name, role: 'spawn', arg: spec.argIndex, context: spec.runs, doc };
}

export function toApiEntries(config: Config): ConfiguredApi {
  const all = [
    ...config.lockFunctions.flatMap(lockEntries),
    ...config.blockingFunctions.map(blockingEntry),
    ...config.callbackFunctions.map(callbackEntry),
  ];
  return { c: all.filter((e) => !isGoName(e.name)), go: all.filter((e) => isGoName(e.name)) };
}
