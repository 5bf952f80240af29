import type { Finding } from '../core/finding';
import type { FunctionIR, Op } from '../ir/types';
import { lockKey } from '../core/explore';
import type { ExitFact, FunctionFacts, HeldLock } from '../core/facts';
import { fingerprint, lineOf, lockName } from '../core/describe';
import { classifyReturn, type ReturnKind } from '../core/returns';
import { ZERO } from '../core/sign-facts';
import { annotatedReturnsHolding } from '../core/annotations';
import { pathFactsReliable } from './path-checks-common';
import type { Check, ProgramFacts } from './types';

/** What an unbalanced exit means for kinds that are not ordinary locks. */
const CONSEQUENCE: Partial<Record<string, string>> = {
  rcu: 'The read-side section never ends: every synchronize on it waits forever.',
  epoch: 'The epoch is never left: every synchronize on it waits forever.',
  irqoff: 'Interrupts (or softirqs) stay disabled on this CPU after it returns.',
};

export const leakedLock: Check = {
  meta: {
    id: 'leaked-lock',
    doc: `a lock acquired in a function is still held when it returns on some path

An early return, a goto past the unlock, or a continue that skips the release leaves the lock
held; the next thread that wants it waits forever. Functions that hand the lock to their caller on
purpose (lock helpers, lookups that return holding the lock on success) are recognised.`,
    defaultSeverity: 'warning',
    docPath: 'docs/checks/leaked-lock.md',
  },
  run(program: ProgramFacts): Finding[] {
    const findings: Finding[] = [];
    for (const facts of program.functions) {
      if (!pathFactsReliable(facts)) continue;
      findings.push(...leaksIn(facts, program.languageOf(facts.fn.file)));
    }
    return findings;
  },
};

function isHandOff(lock: HeldLock): boolean {
  // The caller can name it (a parameter, the receiver, a global, an object it gets back); a
  // function-local lock (no class) cannot be handed to anyone.
  return lock.lock.paramIndex !== undefined || lock.lock.cls !== undefined;
}

function leaksIn(facts: FunctionFacts, language: 'c' | 'go'): Finding[] {
  const fn = facts.fn;
  const normal = facts.exits.filter((e) => e.kind === 'return');
  const findings: Finding[] = [];
  for (const [key, first] of facts.acquiredKeys) {
    if (annotatedReturnsHolding(facts.annotations, key)) continue; // its annotation hands it to the caller
    // Locks handed over by a callee are named differently by the helpers that take and release
    // them (`get_hash_bucket()` / `put_hash_bucket()`): following them needs annotations.
    // Reported only in the clearest shape: some path releases it, and an error return does not.
    if (first.via && !viaHelperLeak(facts, key, language)) continue;
    // Entered holding it: released for a while (around a callback) and taken back before returning.
    if (facts.releasedUnacquired.has(key)) continue;
    const holding: ExitFact[] = [];
    const free: ExitFact[] = [];
    for (const exit of normal) (exit.held.some((h) => h.key === key) ? holding : free).push(exit);
    if (holding.length === 0) continue;
    if (!first.via && !isLeakShape(facts, first, key, holding, free, language)) continue;
    const reported = new Set<string>();
    for (const exit of holding) {
      const where = `${exit.span.line}:${exit.span.col}`;
      if (reported.has(where)) continue;
      reported.add(where);
      const release = free.length > 0 ? free[0] : undefined;
      const atEnd = exit.ret === undefined && exit.span.endLine === fn.span.endLine;
      findings.push({
        check: 'leaked-lock',
        severity: 'warning',
        message: `${lockName(first.lock.text)} acquired at line ${lineOf(first.site)} is still held when ${fn.name}() ${atEnd ? 'reaches its end' : 'returns here'}${release ? '; other paths release it' : ''}. ${CONSEQUENCE[first.lockKind] ?? 'Any thread that takes it next will wait forever.'}`,
        file: fn.file,
        span: exit.span,
        related: [
          { file: fn.file, span: first.site, message: `${lockName(first.lock.text)} acquired here` },
          ...(release ? [{ file: fn.file, span: release.span, message: 'this exit releases it' }] : []),
        ],
        fingerprint: fingerprint('leaked-lock', fn.qualifiedName, key, exit.ret),
        hint: {
          kind: 'leaked-lock', lock: { text: first.lock.text, path: key, cls: first.lock.cls }, acquire: first.site, api: first.api,
          exitRet: exit.ret, atEnd, heldAtExit: exit.held.map((h) => h.key),
          everyPathHolds: !free.some((e) => e.span.line === exit.span.line && e.span.col === exit.span.col),
        },
      });
    }
  }
  return findings;
}

const HANDS_OFF = /queue|schedule|work|thread|tasklet|timer|complete|wake/i;

/** A call or spawn after `line` passes a sibling field of the lock `key` (`&p->scan.work` for `p->scan.lock`). */
function handedOn(facts: FunctionFacts, key: string, line: number): boolean {
  const cut = Math.max(key.lastIndexOf('.'), key.lastIndexOf('->'));
  if (cut <= 0) return false;
  const owner = key.slice(0, cut);
  const within = (path: string | undefined) => path !== undefined && path !== key && (path.startsWith(owner + '.') || path.startsWith(owner + '->'));
  // Only calls that hand work to another context (queue_work, schedule_delayed_work, mod_timer,
  // tasklet_schedule, wake_up_process): `memcpy(&p->buf, …)` under a semaphore is no hand-off.
  return facts.calls.some((c) => c.op.span.line > line && HANDS_OFF.test(c.op.callee) && c.op.args.some((a) => within(a?.path)))
    || facts.spawns.some((s) => s.op.span.line > line && within(s.op.handle?.path));
}

/** Whether exits holding a lock the function took itself look like a leak rather than a helper returning it held. */
function isLeakShape(facts: FunctionFacts, first: HeldLock, key: string, holding: ExitFact[], free: ExitFact[], language: 'c' | 'go'): boolean {
  const fn = facts.fn;
    const handOff = isHandOff(first);
  // A function-local lock it never releases is left locked on purpose (`got.Lock() // no need to
  // unlock` at the end of a test): no other code can name it after the return.
  if (!handOff && !releasesSomewhere(facts, key)) return false;
    if (free.length === 0 && handOff) return false;           // a lock helper: every path returns holding it
    // A semaphore has no owner: one taken and then handed, with the object that holds it, to the
    // work or thread this function starts or queues afterwards (`down(&p->scan.lock)` …
    // `queue_work(wq, &p->scan.work)`, "will be unlocked in scan_work()") is released there.
    if (first.lockKind === 'semaphore' && handedOn(facts, key, first.site.line)) return false;
    // Exits without the lock that never took it (`if (!x) return -EINVAL; lock(&x->l); return 0;`)
    // make a helper that returns holding it on purpose; a leak is an exit holding a lock that
    // other exits release.
    if (handOff && !releasesSomewhere(facts, key)) return false;
    if (free.length === 0 && /(^|[.)_])(R?Lock|r?lock)$/.test(fn.name)) return false;   // a Lock() method wrapping another lock
    // Read sections are not handed over on some paths only (disabled interrupts are:
    // `try_to_grab_pending()` returns >= 0 with them off); a lock returned on an error path is a leak.
    const section = first.lockKind === 'rcu' || first.lockKind === 'epoch';
    const errorPathLeak = holding.some((e) => classifyReturn(e.ret, language) === 'error');
    // Reached through a pointer (`&OCFS2_I(inode)->ip_alloc_sem`), the caller can reach it too.
    const shared = handOff || first.lock.text.includes('->');
    if (shared && !section && conditionalHelper(holding, free, language)) return false;
    // Named for what it does: `foo_lock_irq()`, `ppu_access_get()`, `begin_op()` return holding it
    // on success by design (a leak on an error path is still reported above).
    if (handOff && !errorPathLeak && /lock|acquire|grab|enter|begin|_get$|Get$/i.test(fn.name) && !/unlock|release|put|exit|end/i.test(fn.name)) return false;
  return true;
}

/** A lock taken by a helper call: leaked when another exit released it and an error return still holds it. */
function viaHelperLeak(facts: FunctionFacts, key: string, language: 'c' | 'go'): boolean {
  const normal = facts.exits.filter((e) => e.kind === 'return');
  const released = normal.some((e) => e.releasedOnPath.has(key) && !e.held.some((h) => h.key === key));
  const errorHolding = normal.some((e) => e.held.some((h) => h.key === key) && classifyReturn(e.ret, language) === 'error');
  return released && errorHolding;
}

/** Returns holding the lock on success and releases it on failure: `x = lookup_locked(); if (!x) ...`. */
function conditionalHelper(holding: ExitFact[], free: ExitFact[], language: 'c' | 'go'): boolean {
  const holdingOk = holding.every((e) => outcome(e, language) !== 'error');
  const freeFail = free.every((e) => outcome(e, language) === 'error');
  return holdingOk && freeFail;
}

/**
 * What an exit returns: by its text, else, for a status variable, by what the paths to it tested
 * (`if (rc) { up_write(...); goto out; } ... out: return rc;` returns 0 holding, nonzero not).
 */
function outcome(exit: ExitFact, language: 'c' | 'go'): ReturnKind {
  const byText = classifyReturn(exit.ret, language);
  if (byText !== 'unknown' || language !== 'c' || exit.retSigns === undefined) return byText;
  if (exit.retSigns === ZERO) return 'success';
  return exit.retSigns !== 0 && (exit.retSigns & ZERO) === 0 ? 'error' : 'unknown';
}

/** Whether the function itself releases the lock anywhere (directly, by a deferred unlock, or under another name for it). */
function releasesSomewhere(facts: FunctionFacts, key: string): boolean {
  const releases = (op: Op): boolean =>
    (op.kind === 'release' && lockKey(op.lock) === key) || (op.kind === 'defer' && op.ops.some(releases));
  return facts.fn.nodes.some((n) => releases(n.op)) || facts.exits.some((e) => e.releasedOnPath.has(key));
}
