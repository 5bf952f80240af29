// Function summaries (go/analysis "facts"): what a call to a function does to its caller's
// lockset, in the callee's own terms (parameters, receiver, lock classes). Callers map them.
import type { FunctionIR, LockRef, Op, Span } from '../ir/types';
import type { CallEffect } from './explore';
import { lockKey } from './explore';
import type { AcquireFact, BlockFact, CallStep, ExitFact, FunctionFacts, HeldLock } from './facts';
import { applyContract } from './annotation-summary';

export interface SummaryAcquire {
  fact: AcquireFact;       // lock in callee terms; span = where it happens inside the callee
  via: CallStep[];         // path inside the callee down to the acquisition (ends at the acquire itself)
  must: boolean;           // taken on every path through the callee
}

export interface SummaryBlock {
  fact: BlockFact;
  via: CallStep[];
}

export interface FunctionSummary {
  acquires: SummaryAcquire[];
  blocks: SummaryBlock[];
  returnsHolding: HeldLock[];
  releases: LockRef[];
  /** Annotated releases the body does not make on every path: callers forget the lock (annotations). */
  forgets?: LockRef[];
}

const MAX_ACQUIRES = 24;
const MAX_BLOCKS = 6;
const MAX_DEPTH = 4;

export const EMPTY_SUMMARY: FunctionSummary = { acquires: [], blocks: [], returnsHolding: [], releases: [] };

/** A lock a caller can name: through a parameter, the receiver, or its class. */
function callerVisible(lock: LockRef): boolean {
  return lock.paramIndex !== undefined || lock.cls !== undefined;
}

export function summarize(facts: FunctionFacts): FunctionSummary {
  const fn = facts.fn;
  const acquires: SummaryAcquire[] = [];
  const seenAcq = new Set<string>();
  const normal = facts.exits.filter((e) => e.kind === 'return');
  for (const a of facts.acquires) {
    if (!callerVisible(a.lock) || a.try) continue;
    // Dropped and retaken (`unlock(l); schedule(); lock(l);`): the caller already holds it.
    if (facts.releasedUnacquired.has(lockKey(a.lock))) continue;
    if ((a.via?.length ?? 0) >= MAX_DEPTH) continue;
    const key = `${a.lock.cls ?? ''}|${a.lock.paramIndex ?? ''}|${a.lock.path}|${a.mode}|${droppedKey(a.dropped)}`;
    if (seenAcq.has(key)) continue;
    seenAcq.add(key);
    const step: CallStep = { callee: a.api, span: a.span, file: fn.file };
    const must = (!a.via || a.must === true) && normal.length > 0 && normal.every((e) => e.acquiredOnPath.has(lockKey(a.lock)));
    acquires.push({ fact: { ...a, held: [] }, via: a.via ? [...a.via] : [step], must });
    if (acquires.length >= MAX_ACQUIRES) break;
  }
  const blocks: SummaryBlock[] = [];
  const seenBlock = new Set<string>();
  // A callee that drops its caller's lock (`spin_unlock(&rq->lock); schedule(); spin_lock(...)`)
  // blocks without it: each blocking call carries the caller's locks dropped on every path to it
  // (`dropped`), which its callers do not charge it to.
  for (const b of facts.blocks) {
    if ((b.via?.length ?? 0) >= MAX_DEPTH) continue;
    // A condition wait only blocks on its own lock's behalf; callers see the wait.
    const key = `${b.api}|${b.category}|${droppedKey(b.dropped)}`;
    if (seenBlock.has(key)) continue;
    // Blocking that happens only inside the callee's own read section is reported there.
    if (b.category === 'synchronize' && b.held.some((h) => h.lockKind === 'rcu' || h.lockKind === 'epoch')) continue;
    seenBlock.add(key);
    const step: CallStep = { callee: b.api, span: b.span, file: fn.file };
    blocks.push({ fact: { ...b, held: [] }, via: b.via ? [...b.via] : [step] });
    if (blocks.length >= MAX_BLOCKS) break;
  }
  // A lock helper returns holding the lock on every normal exit.
  let returnsHolding: HeldLock[] = [];
  if (normal.length > 0 && !facts.overBudget) {
    // Not one it dropped and took back (`unlock(l); ...; lock(l);`): the caller already holds that.
    returnsHolding = normal[0].held.filter((h) => callerVisible(h.lock) && !facts.releasedUnacquired.has(h.key)
      && normal.every((e) => e.held.some((x) => x.key === h.key)))
      .map((h) => withResultField(h, normal));
  }
  // An unlock helper leaves the caller's lock released on every way out: not one that it retakes
  // before returning (drop-and-retake), and not a counted read section, whose depth a summary
  // cannot follow. Interrupts restored by a helper (`__bpf_spin_unlock_irqrestore()`) are released
  // for the caller: its saves are counted one per helper call, so the depths pair up.
  const dropped = [...facts.releasedUnacquired.entries()]
    .map(([key, r]) => ({ key, lock: r.as ?? r.lock, lockKind: r.lockKind }))
    .filter((d) => callerVisible(d.lock) && d.lockKind !== 'rcu' && d.lockKind !== 'epoch');
  const keptAt = (e: ExitFact, key: string) => e.held.some((h) => h.key === key);
  const releases = dropped
    .filter(({ key }) => normal.length > 0 && normal.every((e) => e.releasedOnPath.has(key) && !keptAt(e, key)))
    .map((d) => d.lock);
  // Released on some ways out only (`return 1` after dropping it, `return 0` still holding it,
  // also when both reach one `return res`): the caller cannot tell which without following the
  // return value, so it stops tracking it.
  const partial = dropped
    .filter(({ key, lock }) => !releases.includes(lock)
      && normal.some((e) => (e.releasedOnPath.has(key) || e.droppedOnSomePath?.has(key)) && !keptAt(e, key)))
    .map((d) => d.lock);
  return applyContract({ acquires, blocks, returnsHolding, releases, ...(partial.length > 0 ? { forgets: partial } : {}) }, facts);
}

/** `&hash[idx]`, `(dev->priv)`, `b` as a lock path with indexes elided (`hash[]`, `dev.priv`); undefined for other shapes. */
function returnedPath(ret: string | undefined): string | undefined {
  const r = ret?.replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1').replace(/^&/, '');
  if (!r || !/^[A-Za-z_]\w*(?:(?:\.|->)[A-Za-z_]\w*|\[[^\][]*\])*$/.test(r)) return undefined;
  return r.replace(/->/g, '.').replace(/\[[^\]]*\]/g, '[]');
}

/** `h` with the field of the returned object it is, when every exit returns that same object. */
function withResultField(h: HeldLock, exits: readonly ExitFact[]): HeldLock {
  const { resultField: _inherited, ...plain } = h;
  const path = h.lock.path.replace(/\[[^\]]*\]/g, '[]');
  let field: string | undefined;
  for (const e of exits) {
    const base = returnedPath(e.ret);
    if (base === undefined || !path.startsWith(base)) return plain;
    const rest = path.slice(base.length);
    if (rest !== '' && rest[0] !== '.' && rest[0] !== '[') return plain;
    if (field !== undefined && field !== rest) return plain;
    field = rest;
  }
  return field === undefined ? plain : { ...plain, resultField: field };
}

function droppedKey(dropped: readonly LockRef[] | undefined): string {
  return dropped ? dropped.map(lockKey).sort().join(',') : '';
}

/**
 * A callee's dropped locks in caller terms; null when one cannot be named there: the caller may
 * hold it under a name we cannot match, so the entry is left out (silence beats noise).
 */
function mapDropped(dropped: readonly LockRef[] | undefined, call: Extract<Op, { kind: 'call' }>): LockRef[] | undefined | null {
  if (!dropped?.length) return undefined;
  const out: LockRef[] = [];
  for (const d of dropped) {
    const m = mapLock(d, call);
    if (!m) return null;
    out.push(m);
  }
  return out;
}

/** Maps a callee lock into the caller's terms at one call site; undefined if it cannot be named. */
export function mapLock(lock: LockRef, call: Extract<Op, { kind: 'call' }>): LockRef | undefined {
  if (lock.paramIndex !== undefined && lock.paramIndex >= 0) {
    const arg = call.args[lock.paramIndex];
    if (arg) {
      const rest = lock.path.slice(lock.root.length);
      const sep = lock.text.includes('->') ? '->' : '.';
      return {
        text: rest ? `${arg.text.replace(/^&/, '')}${rest.replace(/^\./, sep)}` : arg.text,
        path: arg.path + rest,
        root: arg.root,
        cls: lock.cls ?? (arg.cls ? arg.cls + rest : undefined),
        paramIndex: arg.paramIndex,
        subclass: lock.subclass,
      };
    }
  }
  if (lock.paramIndex === -1 && call.receiverRef) {
    const arg = call.receiverRef;
    const rest = lock.path.slice(lock.root.length);
    return {
      text: `${arg.text}${rest}`,
      path: arg.path + rest,
      root: arg.root,
      cls: lock.cls,
      paramIndex: arg.paramIndex,
      subclass: lock.subclass,
    };
  }
  if (!lock.cls) return undefined;
  // Known only by class (a global, or a field reached through something the caller cannot name):
  // the class stands for the instance, as lockdep does.
  const global = /^(global|static):/.test(lock.cls);
  return { text: lock.text, path: global ? lock.path : `<${lock.cls}>`, root: global ? lock.root : '', cls: lock.cls, subclass: lock.subclass };
}

function mapHeld(h: HeldLock, call: Extract<Op, { kind: 'call' }>, span: Span): HeldLock | undefined {
  const lock = mapLock(h.lock, call);
  return lock ? { ...h, lock, key: lockKey(lock), site: span, deferredRelease: false } : undefined;
}

/** The effect of one call, in caller terms. */
export function effectOf(summary: FunctionSummary, call: Extract<Op, { kind: 'call' }>, caller: FunctionIR): CallEffect {
  const step: CallStep = { callee: call.callee, span: call.span, file: caller.file };
  const acquires: CallEffect['acquires'] = [];
  for (const a of summary.acquires) {
    const lock = mapLock(a.fact.lock, call);
    const dropped = mapDropped(a.fact.dropped, call);
    if (lock && dropped !== null) acquires.push({ fact: { ...a.fact, lock, dropped }, via: [step, ...a.via], must: a.must });
  }
  const blocks: CallEffect['blocks'] = [];
  for (const b of summary.blocks) {
    const dropped = mapDropped(b.fact.dropped, call);
    if (dropped === null) continue;
    blocks.push({ fact: { ...b.fact, lock: b.fact.lock ? mapLock(b.fact.lock, call) : undefined, dropped }, via: [step, ...b.via] });
  }
  const returnsHolding: HeldLock[] = [];
  for (const h of summary.returnsHolding) {
    const m = mapHeld(h, call, call.span);
    if (m) returnsHolding.push({ ...m, via: [step] });
  }
  const releases: string[] = [];
  const releasedLocks: LockRef[] = [];
  for (const r of summary.releases) {
    const lock = mapLock(r, call);
    if (lock) {
      releases.push(lockKey(lock));
      releasedLocks.push(lock);
    }
  }
  const forgottenLocks = (summary.forgets ?? []).map((r) => mapLock(r, call)).filter((l): l is LockRef => !!l);
  const forgets = forgottenLocks.map(lockKey);
  return { acquires, blocks, returnsHolding, releases, releasedLocks, ...(forgets.length > 0 ? { forgets, forgottenLocks } : {}) };
}
