// Which held lock a name stands for when it is not spelled the same: through a local alias
// (`inode = dentry->d_inode`), a call's result (`b = get_bucket()` … `b->lock`), the lock's class
// (a callee's name this function cannot compare), or a parameter's name for a callee's callers.
import type { FunctionIR, LockRef } from '../ir/types';
import type { HeldLock } from './facts';

/** What name matching reads of an exploration state: the held locks and the path's assumptions. */
export interface PathView {
  held: readonly HeldLock[];
  assume: ReadonlyMap<string, unknown>;
}

/** The root variable of a lock key (`dev` of `dev.lock`, `tbl[].l`, `m/1`): what `split(/[.[/]/)[0]` gives. */
export function keyRoot(k: string): string {
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c === 46 /* . */ || c === 91 /* [ */ || c === 47 /* / */) return k.slice(0, i);
  }
  return k;
}

export function lockKey(lock: LockRef): string {
  return lock.subclass ? `${lock.path}/${lock.subclass}` : lock.path;
}

/** Assumption keys that record a local alias: `alias:cur=dev.ops`. */
export const ALIAS = 'alias:';

/** `path` with its leading `prefix` (whole segments) replaced by `by`; undefined when it does not start so. */
function rebased(path: string, prefix: string, by: string): string | undefined {
  if (!path.startsWith(prefix)) return undefined;
  const c = path.charCodeAt(prefix.length);
  if (path.length !== prefix.length && c !== 46 /* . */ && c !== 91 /* [ */ && c !== 47 /* / */) return undefined;
  return by + path.slice(prefix.length);
}

/** The local aliases known on this path, as [variable, expression it names] (`cur`, `dev.ops`). */
function aliasesOf(state: PathView): [string, string][] {
  const out: [string, string][] = [];
  for (const key of state.assume.keys()) {
    if (!key.startsWith(ALIAS)) continue;
    const eq = key.indexOf('=', ALIAS.length);
    out.push([key.slice(ALIAS.length, eq), key.slice(eq + 1)]);
  }
  return out;
}

/**
 * The held lock `lock` names through a local alias: `spin_unlock(&cur->lock)` after `cur = op`.
 * `throughFields`: also a name that spells out an aliased field chain, a callee's
 * `dentry->d_inode->i_lock` while this function holds it as `inode->i_lock` after
 * `inode = dentry->d_inode`. Stores to fields are not assignments in the IR, so the chain may
 * have changed since (`old_parent = dentry->d_parent; dentry->d_parent = target->d_parent;`):
 * only a callee's name, which it could not spell through our local, is matched so.
 */
export function aliasHeld(state: PathView, lock: LockRef, throughFields = false): HeldLock | undefined {
  if (!lock.root || state.assume.size === 0) return undefined;
  for (const [to, from] of aliasesOf(state)) {
    const other = rebased(lock.path, to, from) ?? (throughFields || from === keyRoot(from) ? rebased(lock.path, from, to) : undefined);
    const h = other === undefined ? undefined : state.held.find((x) => x.lock.path === other);
    if (h) return h;
  }
  return undefined;
}

/**
 * The held lock a release through a call's result (`spin_unlock(&rx_ring(mac)->lock)`) names: the
 * instance cannot be compared, so the only lock of its class this function took itself stands
 * for it. A release named by a path (`&b->lock` while holding `&a->lock`) is never matched so.
 */
export function soleOfClass(state: PathView, lock: LockRef): HeldLock | undefined {
  if (lock.root || !lock.cls || lock.path.startsWith('<')) return undefined;
  const same = state.held.filter((h) => h.lock.cls === lock.cls);
  return same.length === 1 && !same[0].via && !same[0].entry ? same[0] : undefined;
}

/**
 * The held lock a callee's release stands for when the callee names it by a route this function
 * cannot compare with its own name: through a call's result, mapped to its class only
 * (`iinfo = UDF_I(inode)` in both, `<struct udf_inode_info.i_data_sem>` here), or through pointer
 * fields from another variable (`iclog->ic_log->l_icloglock` while this function holds
 * `log->l_icloglock`). A callee releasing a lock it did not take releases its caller's: the one
 * lock of that class held here is that lock, as lockdep lets a class stand for its instance. Only
 * a guess at the instance: the caller forgets the lock rather than releasing it, so no
 * double-unlock verdict rests on it.
 */
export function classHeld(state: PathView, lock: LockRef): HeldLock | undefined {
  // An element of an array (`path->nodes[i]->lock`) is one of many instances of the class: the
  // one held here is no likelier than the others. So are two held locks of the class.
  if (!lock.cls || /^(global|static):/.test(lock.cls) || lock.path.includes('[')) return undefined;
  const same = state.held.filter((h) => h.lock.cls === lock.cls);
  if (same.length !== 1) return undefined;
  const h = same[0];
  if (lock.path === `<${lock.cls}>` || !lock.root || !h.lock.root) return h;
  // Named from one variable both ways, directly or through a local alias of ours, the two are told
  // apart: `dir->i_lock` after `dir = dentry->d_parent->d_inode` is not the callee's
  // `dentry->d_inode->i_lock`.
  const theirRoot = keyRoot(lock.path);
  if (keyRoot(h.lock.path) === theirRoot) return undefined;
  for (const [to, from] of aliasesOf(state)) {
    const mine = rebased(h.lock.path, to, from);
    if (mine !== undefined && keyRoot(mine) === theirRoot) return undefined;
  }
  // The same fields from another variable (`b->lock` while holding `a->lock`): another object.
  if (h.lock.path.slice(h.lock.root.length) === lock.path.slice(lock.root.length)) return undefined;
  return h;
}

/** The held lock a lock named in caller terms (a callee's release or drop) stands for: same key, same path, or an alias. */
export function heldByName(state: PathView, lock: LockRef): HeldLock | undefined {
  const key = lockKey(lock);
  return state.held.find((h) => h.key === key) ?? state.held.find((h) => h.lock.path === lock.path)
    ?? aliasHeld(state, lock, true) ?? resultHeld(state, lock);
}

/**
 * The held lock `lock` names through the result of the call that returned holding it: `b->lock`
 * after `b = get_bucket(e)`, when get_bucket() returns the object whose `lock` it holds
 * (`return &hash[idx];`), however the helper itself named it.
 */
export function resultHeld(state: PathView, lock: LockRef): HeldLock | undefined {
  if (!lock.root || state.assume.size === 0) return undefined;
  const field = lock.path.slice(lock.root.length);
  for (const [to, from] of aliasesOf(state)) {
    const callee = to === lock.root ? /^([A-Za-z_][\w.]*)\(/.exec(from)?.[1] : undefined;
    if (!callee) continue;
    const returned = state.held.filter((h) => h.resultField === field && h.via?.[0]?.callee === callee);
    if (returned.length === 1) return returned[0];
  }
  return undefined;
}

/**
 * A lock released through a local alias of a parameter's expression, named from that parameter
 * (`inode->i_lock` after `inode = dentry->d_inode` is `dentry->d_inode->i_lock`): callers can map
 * that name to the lock they hold, a local's name they cannot.
 */
export function parameterName(state: PathView, lock: LockRef, fn: FunctionIR): LockRef | undefined {
  if (!lock.root || lock.paramIndex !== undefined || state.assume.size === 0) return undefined;
  for (const [to, from] of aliasesOf(state)) {
    if (to !== lock.root) continue;
    const root = keyRoot(from);
    const paramIndex = root && root === fn.receiver ? -1 : fn.params.indexOf(root);
    if (!root || (paramIndex === -1 && root !== fn.receiver)) continue;
    return { ...lock, path: from + lock.path.slice(to.length), root, paramIndex };
  }
  return undefined;
}
