import type { Finding } from '../core/finding';
import { fingerprint, lineOf, lockName } from '../core/describe';
import { pathFactsReliable } from './path-checks-common';
import type { Check, ProgramFacts } from './types';

export const unlockNotHeld: Check = {
  meta: {
    id: 'unlock-not-held',
    doc: `a lock is released on a path where it is not held

Releasing a lock twice corrupts it: a kernel spinlock or pthread mutex may let two threads in at
once or hang the next locker, and Go aborts with "sync: unlock of unlocked mutex".`,
    defaultSeverity: 'error',
    docPath: 'docs/checks/unlock-not-held.md',
  },
  run(program: ProgramFacts): Finding[] {
    const findings: Finding[] = [];
    for (const facts of program.functions) {
      if (!pathFactsReliable(facts)) continue;
      const fn = facts.fn;
      for (const r of facts.releasesNotHeld) {
        const deferred = r.api === 'defer';
        // An earlier release further down the source means the path came round a loop (or back
        // through a goto): correlations there are what the analysis misses most, so say it softer.
        const straight = deferred || r.afterFailedTry || r.previousRelease.line < r.span.line;
        findings.push({
          check: 'unlock-not-held',
          severity: straight ? 'error' : 'warning',
          message: deferred
            ? `${lockName(r.lock.text)} is unlocked here and then again by the deferred unlock when ${fn.name}() returns: the second unlock finds it not held.`
            : r.afterFailedTry
              ? `${lockName(r.lock.text)} is released here but it is not held on this path: the attempt to take it at line ${lineOf(r.previousRelease)} failed.`
              : `${lockName(r.lock.text)} is released here but it is not held on this path: it was already released at line ${lineOf(r.previousRelease)}.`,
          file: fn.file,
          span: r.span,
          related: [{ file: fn.file, span: r.previousRelease, message: r.afterFailedTry ? 'the lock attempt that failed' : `${lockName(r.lock.text)} released earlier here` }],
          fingerprint: fingerprint('unlock-not-held', fn.qualifiedName, r.lock.path),
        });
      }
    }
    return findings;
  },
};
