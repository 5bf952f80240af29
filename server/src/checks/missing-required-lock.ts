import type { Finding } from '../core/finding';
import type { AnnotatedLock, FunctionIR, LockRef, Op } from '../ir/types';
import type { CallFact, FunctionFacts, HeldLock } from '../core/facts';
import { lockKey } from '../core/explore';
import { mapLock } from '../core/summary';
import { fingerprint, lineOf, lockName } from '../core/describe';
import { pathFactsReliable } from './path-checks-common';
import type { Check, ProgramFacts } from './types';

export const missingRequiredLock: Check = {
  meta: {
    id: 'missing-required-lock',
    doc: `a function is called without a lock its annotation requires, or with one it excludes

\`__must_hold(x)\`, \`REQUIRES(x)\`, \`_Requires_lock_held_(x)\` and gVisor's \`+checklocks:x\` say
the callee touches state that \`x\` protects: calling it without \`x\` is a data race or a broken
invariant. \`EXCLUDES(x)\` and \`_Requires_lock_not_held_(x)\` say the callee takes \`x\` itself:
calling it with \`x\` held self-deadlocks.`,
    defaultSeverity: 'warning',
    docPath: 'docs/checks/missing-required-lock.md',
  },
  run(program: ProgramFacts): Finding[] {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const facts of program.functions) {
      if (!pathFactsReliable(facts) || facts.calls.length === 0) continue;
      for (const call of facts.calls) {
        for (const target of program.targetsOf(call.op, facts.fn)) {
          const contract = program.factsOf(target)?.annotations;
          if (!contract) continue;
          for (const l of contract.requires) {
            const f = missing(program, facts, call, target, l);
            if (f && !seen.has(f.fingerprint + f.span.line)) {
              seen.add(f.fingerprint + f.span.line);
              findings.push(f);
            }
          }
          for (const l of contract.excludes) {
            const f = excluded(facts, call, target, l);
            if (f && !seen.has(f.fingerprint + f.span.line)) {
              seen.add(f.fingerprint + f.span.line);
              findings.push(f);
            }
          }
        }
      }
    }
    return findings;
  },
};

type CallOp = Extract<Op, { kind: 'call' }>;

/** The held lock that is `lock` (same instance, or the same class when the call site can only name the class). */
function holding(held: readonly HeldLock[], lock: LockRef): HeldLock | undefined {
  const key = lockKey(lock);
  return held.find((h) => h.key === key || h.lock.path === lock.path)
    ?? (lock.cls ? held.find((h) => h.lock.cls === lock.cls) : undefined);
}

/**
 * Whether the caller is in a position to hold the lock itself. Code checked by Clang, SAL or
 * checklocks annotates every function on the way, so a caller without the lock is a bug there;
 * kernel code is not sparse-clean, and an unannotated helper is usually called with the lock
 * held: there only a caller that manages the lock itself, or states its own contract, is judged.
 */
function callerAccountable(facts: FunctionFacts, lock: LockRef, l: AnnotatedLock): boolean {
  const key = lockKey(lock);
  // Entered holding it (releases it without taking it): its own callers hold it.
  if (facts.releasedUnacquired.has(key) || [...facts.releasedUnacquired.values()].some((r) => lock.cls && r.lock.cls === lock.cls)) return false;
  if (l.family !== 'sparse') return true;
  if (facts.annotations) return true;
  for (const [k, h] of facts.acquiredKeys) if (!h.via && (k === key || (lock.cls && h.lock.cls === lock.cls))) return true;
  return false;
}

function contractFile(l: AnnotatedLock, target: FunctionIR): string {
  return l.file ?? target.file;
}

/**
 * Whether a callee of this function may return with the lock dropped (it released the caller's
 * lock on some path and did not take it back): past such a call the caller no longer knows
 * whether it holds it, and "not held" is not a finding.
 */
function droppedByCallee(program: ProgramFacts, facts: FunctionFacts, key: string): boolean {
  for (const c of facts.calls) {
    for (const t of program.targetsOf(c.op, facts.fn)) {
      const tf = program.factsOf(t);
      if (!tf) continue;
      // Returns on some path with the caller's lock released (not dropped and retaken).
      const leaves = (k: string) => tf.exits.some((e) => e.kind === 'return' && e.releasedOnPath.has(k) && !e.held.some((h) => h.key === k));
      const dropped = [...tf.releasedUnacquired.entries()].filter(([k]) => leaves(k)).map(([, r]) => r.lock)
        .concat((tf.annotations?.releases ?? []).map((r) => r.lock));
      if (dropped.some((r) => {
        const m = mapLock(r, c.op as CallOp);
        return m !== undefined && lockKey(m) === key;
      })) return true;
    }
  }
  return false;
}

function missing(program: ProgramFacts, facts: FunctionFacts, call: CallFact, target: FunctionIR, l: AnnotatedLock): Finding | undefined {
  const lock = mapLock(l.lock, call.op as CallOp);
  if (!lock || holding(call.held, lock) || !callerAccountable(facts, lock, l) || droppedByCallee(program, facts, lockKey(lock))) return undefined;
  const fn = facts.fn;
  return {
    check: 'missing-required-lock',
    severity: 'warning',
    message: `${target.name}() requires ${lockName(lock.text)} (\`${l.annotation}\`), but ${fn.name}() calls it here without holding it.`,
    file: fn.file,
    span: call.op.span,
    related: [{ file: contractFile(l, target), span: l.span, message: `${target.name}() is annotated \`${l.annotation}\`` }],
    fingerprint: fingerprint('missing-required-lock', fn.qualifiedName, target.qualifiedName, lock.cls ?? lock.path),
  };
}

function excluded(facts: FunctionFacts, call: CallFact, target: FunctionIR, l: AnnotatedLock): Finding | undefined {
  const lock = mapLock(l.lock, call.op as CallOp);
  const held = lock && holding(call.held, lock);
  if (!lock || !held) return undefined;
  const fn = facts.fn;
  return {
    check: 'missing-required-lock',
    severity: 'warning',
    message: `${target.name}() must not be called with ${lockName(lock.text)} held (\`${l.annotation}\`), but ${fn.name}() holds it here (acquired at line ${lineOf(held.site)}): if it takes the lock, the thread deadlocks on itself.`,
    file: fn.file,
    span: call.op.span,
    related: [
      { file: fn.file, span: held.site, message: `${lockName(held.lock.text)} acquired here` },
      { file: contractFile(l, target), span: l.span, message: `${target.name}() is annotated \`${l.annotation}\`` },
    ],
    fingerprint: fingerprint('missing-required-lock', fn.qualifiedName, target.qualifiedName, 'excludes', lock.cls ?? lock.path),
  };
}
