// Builds the API lookup used by the front ends from the bundled tables plus user configuration.
import type { ApiEntry, ApiIndex, ApiTableFile } from './types';
import posix from './tables/posix.json';
import linux from './tables/linux.json';
import windows from './tables/windows.json';
import ebpfWindows from './tables/ebpf-windows.json';
import goSync from './tables/go-sync.json';

export const BUNDLED_TABLES: readonly ApiTableFile[] = [posix, linux, windows, ebpfWindows, goSync] as ApiTableFile[];

/** Go methods that are recognised on receivers of unknown type: the sync.Locker vocabulary. */
const UNTYPED_GO_METHODS = new Set(['Lock', 'Unlock', 'RLock', 'RUnlock', 'TryLock', 'TryRLock']);

export function buildApiIndex(extra: readonly ApiEntry[] = [], extraGo: readonly ApiEntry[] = []): ApiIndex {
  const c = new Map<string, ApiEntry>();
  const go = new Map<string, ApiEntry>();
  const goUntypedMethods = new Map<string, ApiEntry>();
  for (const table of BUNDLED_TABLES) {
    const target = table.language === 'go' ? go : c;
    for (const entry of table.functions) target.set(entry.name, entry);
  }
  // User entries win over bundled ones with the same name.
  for (const entry of extra) c.set(entry.name, entry);
  for (const entry of extraGo) go.set(entry.name, entry);
  for (const [name, entry] of go) {
    const method = name.split('.').pop()!;
    // RWMutex's entries describe the unknown-receiver case best: Lock/Unlock exclusive, RLock/RUnlock shared.
    if (UNTYPED_GO_METHODS.has(method) && (name.startsWith('sync.RWMutex.') || !goUntypedMethods.has(method))) {
      goUntypedMethods.set(method, entry);
    }
  }
  return { c, go, goUntypedMethods };
}
