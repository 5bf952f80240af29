// Copy-on-write helpers for the exploration state's maps and sets: a result is the input itself
// when nothing changes, so states can be compared by identity.

export function everyEntry<V>(m: ReadonlyMap<string, V>, keep: (v: V, k: string) => boolean): boolean {
  let all = true;
  m.forEach((v, k) => {
    if (all && !keep(v, k)) all = false;
  });
  return all;
}

export function filterMap<V>(m: ReadonlyMap<string, V>, keep: (v: V, k: string) => boolean): Map<string, V> {
  const out = new Map<string, V>();
  m.forEach((v, k) => {
    if (keep(v, k)) out.set(k, v);
  });
  return out;
}

export function everyKey(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  let all = true;
  a.forEach((k) => {
    if (all && !b.has(k)) all = false;
  });
  return all;
}

export function union(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = copySet(a);
  b.forEach((k) => out.add(k));
  return out;
}

export function without(s: Set<string>, key: string): Set<string> {
  if (!s.has(key)) return s;
  const out = copySet(s);
  out.delete(key);
  return out;
}

export function intersect(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  a.forEach((k) => {
    if (b.has(k)) out.add(k);
  });
  return out;
}

/**
 * Copies of state maps and sets: `new Map(m)` goes through the iterator protocol, an entry array
 * and a result object per element; exploration copies a state's maps at most nodes it changes.
 */
export function copyMap<K, V>(m: ReadonlyMap<K, V>): Map<K, V> {
  const out = new Map<K, V>();
  m.forEach((v, k) => out.set(k, v));
  return out;
}

export function copySet<T>(s: ReadonlySet<T>): Set<T> {
  const out = new Set<T>();
  s.forEach((v) => out.add(v));
  return out;
}
