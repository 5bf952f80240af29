// A function summary corrected by the function's lock contract. Inference stays in charge where
// it can see the body; the annotation fills in what it cannot: a prototype without a body is
// exactly its contract, and a body whose paths disagree with the annotation still returns holding
// what it says it acquires (callers rely on it) while an annotated release it does not make on
// every path only makes callers forget the lock (a later unlock of it is then not a double unlock).
import type { FunctionAnnotations, LockRef } from '../ir/types';
import { annotatedKey, annotationApi } from './annotations';
import type { FunctionFacts, HeldLock } from './facts';
import type { FunctionSummary, SummaryAcquire } from './summary';

function callerVisible(lock: LockRef): boolean {
  return lock.paramIndex !== undefined || lock.cls !== undefined;
}

export function applyContract(summary: FunctionSummary, facts: FunctionFacts): FunctionSummary {
  // Held at entry is the caller's lock, not one handed back to it, even when dropped and retaken.
  const a: FunctionAnnotations | undefined = facts.annotations;
  const required = new Set((a?.requires ?? []).map((l) => annotatedKey(l.lock)));
  const inferred = summary.returnsHolding.filter((h) => !h.entry && !required.has(h.key));
  if (!a) return inferred.length === summary.returnsHolding.length ? summary : { ...summary, returnsHolding: inferred };
  const bodiless = facts.fn.nodes.length === 0;
  const returnsHolding = [...inferred];
  const acquires = [...summary.acquires];
  for (const l of a.acquires) {
    // Kernel helpers annotated `__acquires` often fail without the lock (sparse cannot tell):
    // where the body is known, inference decides what callers get back.
    if (!callerVisible(l.lock) || (!bodiless && l.family === 'sparse')) continue;
    const key = annotatedKey(l.lock);
    const own = facts.acquiredKeys.get(key);
    const held: HeldLock = {
      key, lock: l.lock, lockKind: own?.lockKind ?? l.lockKind ?? 'mutex', mode: l.mode, irq: own?.irq ?? 'none',
      site: own?.site ?? l.span, api: own?.api ?? annotationApi(l), depth: 1, deferredRelease: false,
    };
    if (!returnsHolding.some((h) => h.key === key)) returnsHolding.push(held);
    if (bodiless) acquires.push(contractAcquire(held, facts, false));
  }
  if (bodiless) {
    for (const l of a.tryAcquires) {
      if (!callerVisible(l.lock)) continue;
      acquires.push(contractAcquire({
        key: annotatedKey(l.lock), lock: l.lock, lockKind: l.lockKind ?? 'mutex', mode: l.mode, irq: 'none',
        site: l.span, api: annotationApi(l), depth: 1, deferredRelease: false,
      }, facts, true));
    }
  }
  const releases = [...summary.releases];
  const forgets: LockRef[] = [];
  // `__releases(x) __acquires(x)`: dropped for a while and taken back, the caller still holds it.
  const retaken = new Set(a.acquires.map((l) => l.lock.path));
  for (const l of a.releases) {
    if (!callerVisible(l.lock) || retaken.has(l.lock.path) || releases.some((r) => r.path === l.lock.path)) continue;
    (bodiless ? releases : forgets).push(l.lock);
  }
  return {
    ...summary, acquires, blocks: blocksForCallers(summary, facts), returnsHolding, releases,
    ...(forgets.length > 0 ? { forgets } : {}),
  };
}

/**
 * Blocking that happens only under a lock the function holds since entry (its annotation requires
 * it), in a way blocking-under-lock reports there (anything but a channel under a spinlock, a
 * wait under any lock), is reported in the function itself: callers holding that lock would
 * repeat the finding one call up.
 */
function blocksForCallers(summary: FunctionSummary, facts: FunctionFacts): FunctionSummary['blocks'] {
  const atomic = (h: HeldLock) => h.lockKind === 'spin' || (h.lockKind === 'rcu' && !h.sleepable) || h.lockKind === 'epoch' || h.irq !== 'none';
  const coveredBy = (category: string) => (h: HeldLock) => !!h.entry
    && (atomic(h) ? category !== 'channel' : category === 'wait' || category === 'condwait');
  const reportedHere = (api: string, category: string) => {
    const sites = facts.blocks.filter((b) => b.api === api && b.category === category && !b.via);
    return sites.length > 0 && sites.every((b) => b.held.some(coveredBy(category)));
  };
  const blocks = summary.blocks.filter((b) => b.via.length > 1 || !reportedHere(b.fact.api, b.fact.category));
  return blocks.length === summary.blocks.length ? summary.blocks : blocks;
}

/** A lock wrapper known only by its annotation acquires on every call (`must`), in its own name. */
function contractAcquire(h: HeldLock, facts: FunctionFacts, isTry: boolean): SummaryAcquire {
  return {
    fact: { lock: h.lock, lockKind: h.lockKind, mode: h.mode, irq: h.irq, span: h.site, api: facts.fn.name, try: isTry || undefined, held: [] },
    via: [{ callee: facts.fn.name, span: h.site, file: facts.fn.file }],
    must: !isTry,
  };
}
