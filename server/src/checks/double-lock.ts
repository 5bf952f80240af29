import type { Finding } from '../core/finding';
import { fingerprint, lineOf, lockName, viaText } from '../core/describe';
import { pathFactsReliable } from './path-checks-common';
import type { FunctionFacts } from '../core/facts';
import { lockKey } from '../core/explore';
import type { LockRef } from '../ir/types';
import type { Check, ProgramFacts } from './types';

export const doubleLock: Check = {
  meta: {
    id: 'double-lock',
    doc: `a lock is acquired again while it is already held

Non-recursive locks (spinlocks, mutexes, Go sync.Mutex) block forever when the thread that holds
them tries to take them again: the thread waits for itself.`,
    defaultSeverity: 'error',
    docPath: 'docs/checks/double-lock.md',
  },
  run(program: ProgramFacts): Finding[] {
    const findings: Finding[] = [];
    for (const facts of program.functions) {
      if (!pathFactsReliable(facts)) continue;
      for (const d of facts.doubleAcquires) {
        const fn = facts.fn;
        // The same site taken again on a later loop iteration: unless the lock is named by a
        // parameter or a global, the loop names a new instance each time far more often than it
        // forgets an unlock (for_each_cpu(t, m) lock(&cpu_rq(t)->lock), macro-assigned cursors).
        const sameSite = d.first.site.line === d.span.line && d.first.site.col === d.span.col;
        const stable = !/[([]/.test(d.lock.path)
          && (d.lock.paramIndex !== undefined || /^(global|static):/.test(d.lock.cls ?? ''));
        if (sameSite && !stable) continue;
        // A callee's lock known only by class may be another instance of that class.
        if (d.lock.path.startsWith('<')) continue;
        // Go's hand-off idiom: lock, start a goroutine that unlocks, lock again to wait for it.
        if (spawnedReleaser(program, facts, d.lock, d.span.line)) continue;
        // Certain when both acquisitions are in this body, one after the other; through a callee
        // or around a loop, path correlations the analysis cannot see are common in real code.
        const straight = !d.via?.length && d.span.line > d.first.site.line;
        findings.push({
          check: 'double-lock',
          severity: straight ? 'error' : 'warning',
          message: `${lockName(d.lock.text)} is acquired${viaText(d.via)} here while already held: it was acquired at line ${lineOf(d.first.site)} of ${fn.name}() and not released on this path. The thread will wait for itself forever.`,
          file: fn.file,
          span: d.span,
          related: [
            { file: fn.file, span: d.first.site, message: `${lockName(d.first.lock.text)} first acquired here` },
            ...(d.via ?? []).map((s) => ({ file: s.file, span: s.span, message: `call to ${s.callee}()` })),
          ],
          explanation: [
            `Possible recursive locking in ${fn.name}():`,
            `  lock(${d.first.lock.text})   line ${lineOf(d.first.site)}`,
            `  lock(${d.lock.text})   line ${lineOf(d.span)}${viaText(d.via)} <- waits for itself`,
            '',
            ' *** DEADLOCK ***',
            'Fix: release the lock before taking it again, or do not take it again on this path.',
          ].join('\n'),
          fingerprint: fingerprint('double-lock', fn.qualifiedName, d.lock.path),
        });
      }
    }
    return findings;
  },
};

/** A thread/goroutine started before `line` that releases `lock` it did not take (the spawner's). */
function spawnedReleaser(program: ProgramFacts, facts: FunctionFacts, lock: LockRef, line: number): boolean {
  const key = lockKey(lock);
  return facts.spawns.some((s) => {
    if (s.op.span.line > line) return false;
    const target = program.functionNamed(s.op.target, facts.fn);
    const tf = target ? program.factsOf(target) : undefined;
    return tf !== undefined && tf.releasedUnacquired.has(key);
  });
}
