import type { Finding, Severity } from '../core/finding';
import type { BlockFact, FunctionFacts, HeldLock } from '../core/facts';
import { fingerprint, heldList, lineOf, lockName, viaText } from '../core/describe';
import type { Check, ProgramFacts } from './types';
import { provenWaits } from './wait-under-lock';

export const blockingUnderLock: Check = {
  meta: {
    id: 'blocking-under-lock',
    doc: `a blocking call is made while a lock is held

Under a spinlock, with interrupts disabled or inside an RCU/epoch read section, nothing may sleep:
a sleeping call there hangs the CPU or deadlocks ("sleeping function called from atomic context").
Under any lock, waiting for another thread (join, flush_work, WaitGroup.Wait) deadlocks if that
thread needs the lock. Go channel operations under a mutex are reported at info level.`,
    defaultSeverity: 'warning',
    docPath: 'docs/checks/blocking-under-lock.md',
  },
  run(program: ProgramFacts): Finding[] {
    const findings: Finding[] = [];
    // A wait whose awaited thread provably needs a held lock is wait-under-lock's finding, with
    // the proof; one finding per wait (ours again when that check is off). Waits in atomic
    // context stay here: a different bug.
    const proven: ReadonlySet<unknown> = program.isEnabled('wait-under-lock') ? provenWaits(program) : new Set();
    for (const facts of program.functions) {
      const language = program.languageOf(facts.fn.file);
      for (const block of facts.blocks) {
        const verdict = judge(block, language);
        if (verdict && proven.has(block) && !verdict.culprits.some(isAtomic)) continue;
        if (verdict) findings.push(toFinding(facts, block, verdict));
      }
    }
    return findings;
  },
};

interface Verdict {
  severity: Severity;
  culprits: HeldLock[];
  reason: string;
}

export function isAtomic(h: HeldLock): boolean {
  return h.lockKind === 'spin' || h.irq !== 'none' || (h.lockKind === 'rcu' && !h.sleepable) || h.lockKind === 'epoch';
}

/** A synchronize inside a read section of its own domain is sync-in-read-section's finding. */
export function isOwnReadSection(block: BlockFact, h: HeldLock): boolean {
  if (block.category !== 'synchronize' || (h.lockKind !== 'rcu' && h.lockKind !== 'epoch')) return false;
  if (block.domain) return h.lock.path === block.domain;
  return block.lock !== undefined && h.lock.path === block.lock.path;
}

/** Channels that are buffered by construction or only ever closed: waiting on them under a lock is routine. */
const ROUTINE_CHANNELS = /(\.Done\(\)|\.C\b|time\.After|\bticker\b|\btimer\b|\bctx\b)/;

function judge(block: BlockFact, language: 'c' | 'go'): Verdict | undefined {
  // A condition wait whose mutex we could not link (`c.L` set elsewhere) most likely waits on the
  // very lock that is held: that is how condition variables are used.
  if (block.category === 'condwait' && language === 'go'
    && !(block.lock && block.held.some((h) => h.lock.path === block.lock!.path))) return undefined;
  // A sleepable read section (SRCU) is no lock anyone waits on but its own synchronize
  // (isOwnReadSection / sync-in-read-section): its readers may sleep and wait freely.
  const held = block.held.filter((h) => !(block.category === 'condwait' && block.lock && h.lock.path === block.lock.path)
    && !(h.sleepable && !isOwnReadSection(block, h)));
  if (held.length === 0) return undefined;
  if (held.some((h) => isOwnReadSection(block, h))) return undefined;
  const atomic = held.filter(isAtomic);
  if (atomic.length > 0 && block.category !== 'channel') {
    const inRead = atomic.every((h) => h.lockKind === 'rcu' || h.lockKind === 'epoch');
    return {
      severity: 'warning',
      culprits: atomic,
      reason: inRead
        ? 'inside a read-side section, where the code must not sleep'
        : 'while holding a spinlock (or with interrupts disabled), where the code must not sleep',
    };
  }
  const sleeping = held.filter((h) => !isAtomic(h));
  if (sleeping.length === 0) return undefined;
  if (block.category === 'wait' || block.category === 'condwait') {
    return {
      // Kernel code waits for work under mutexes all the time, and the work rarely needs that
      // mutex; without knowing what the awaited work locks (wait-under-lock), say it quietly.
      severity: language === 'c' && block.category === 'wait' ? 'info' : 'warning',
      culprits: sleeping,
      reason: block.category === 'wait'
        ? 'while holding a lock: if the awaited thread or work needs that lock, neither can proceed'
        : 'on a condition while holding another lock, which stays held while waiting',
    };
  }
  if (block.category === 'sleep' && language === 'go') {
    // Kernel code sleeps under mutexes by design; a Go program sleeping under a mutex stalls every
    // goroutine that needs it for the whole sleep.
    return {
      severity: 'info',
      culprits: sleeping,
      reason: 'while holding a lock: every goroutine that needs the lock waits out the whole sleep',
    };
  }
  if (block.category === 'channel') {
    if (ROUTINE_CHANNELS.test(block.api)) return undefined;
    return {
      severity: 'info',
      culprits: sleeping.length > 0 ? sleeping : atomic,
      reason: 'while holding a lock: if the other side of the channel needs the lock, neither can proceed',
    };
  }
  return undefined;
}

function toFinding(facts: FunctionFacts, block: BlockFact, v: Verdict): Finding {
  const fn = facts.fn;
  // Two or more calls down, the blocking path often hangs on a flag or context test the caller
  // decides (`may_sleep`, `in_atomic()`, GFP flags): a real hint, but said quietly.
  if ((block.via?.length ?? 0) > 2) v = { ...v, severity: 'info' };
  const what = block.category === 'channel' ? `channel operation \`${block.api}\`` : `\`${block.api}()\``;
  return {
    check: 'blocking-under-lock',
    severity: v.severity,
    message: `${what}${viaText(block.via)} may block ${v.reason}; held: ${heldList(v.culprits)} (acquired at line ${v.culprits.map((h) => lineOf(h.site)).join(', ')}).`,
    file: fn.file,
    span: block.span,
    related: [
      ...v.culprits.map((h) => ({ file: fn.file, span: h.site, message: `${lockName(h.lock.text)} acquired here` })),
      ...(block.via ?? []).map((s) => ({ file: s.file, span: s.span, message: `call to ${s.callee}()` })),
    ],
    explanation: [
      `In ${fn.name}():`,
      ...v.culprits.map((h) => `  lock(${h.lock.text})   line ${lineOf(h.site)}`),
      `  ${block.api}${viaText(block.via)}   line ${lineOf(block.span)} <- blocks with the lock held`,
      '',
      'Fix: release the lock before blocking, or move the blocking call out of the critical section.',
    ].join('\n'),
    fingerprint: fingerprint('blocking-under-lock', fn.qualifiedName, block.api, ...v.culprits.map((h) => h.lock.path)),
  };
}
