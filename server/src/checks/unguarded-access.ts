import type { Finding } from '../core/finding';
import type { LockRef } from '../ir/types';
import type { AccessFact, FunctionFacts, HeldLock } from '../core/facts';
import { lockKey } from '../core/explore';
import { fingerprint, lineOf, lockName } from '../core/describe';
import { pathFactsReliable } from './path-checks-common';
import type { Check, ProgramFacts } from './types';

export const unguardedAccess: Check = {
  meta: {
    id: 'unguarded-access',
    doc: `a guarded field is read or written without the lock that guards it

\`GUARDED_BY(mu)\` (Clang, Abseil), \`PT_GUARDED_BY(mu)\` (the data the field points to) and gVisor's
\`// +checklocks:mu\` on a struct field or global say that every access holds \`mu\` — of the same
object: \`e->data\` needs \`e->mu\`. A read needs the lock held in either mode, a write needs it
held exclusively (a write under a read lock races with the other readers). Functions that
require the lock by annotation (\`REQUIRES(mu)\`, \`__must_hold\`, \`+checklocks:\` on the function)
hold it from entry; objects the function itself just allocated are not shared yet.`,
    defaultSeverity: 'warning',
    docPath: 'docs/checks/unguarded-access.md',
  },
  run(program: ProgramFacts): Finding[] {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const facts of program.functions) {
      const accesses = facts.accesses ?? [];
      if (accesses.length === 0 || !pathFactsReliable(facts)) continue;
      for (const access of accesses) {
        const f = unguarded(facts, access);
        if (!f) continue;
        const key = `${f.fingerprint}:${f.span.line}:${f.span.col}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push(f);
      }
    }
    return findings;
  },
};

/** The held lock that is `lock`: same instance, or (when the path cannot tell instances apart) the same class. */
function holding(held: readonly HeldLock[], lock: LockRef): HeldLock | undefined {
  const key = lockKey(lock);
  return held.find((h) => h.key === key || h.lock.path === lock.path)
    ?? (lock.cls ? held.find((h) => h.lock.cls === lock.cls) : undefined);
}

/** Entered holding the guard (the function releases it without taking it): its callers hold it. */
function enteredHolding(facts: FunctionFacts, lock: LockRef): boolean {
  const key = lockKey(lock);
  for (const [k, r] of facts.releasedUnacquired) if (k === key || (lock.cls && r.lock.cls === lock.cls)) return true;
  return false;
}

function unguarded(facts: FunctionFacts, access: AccessFact): Finding | undefined {
  const { op, held } = access;
  if (op.guards.length === 0) return undefined;
  let readHold: HeldLock | undefined;
  for (const g of op.guards) {
    const h = holding(held, g);
    if (h && (h.mode === 'exclusive' || !op.write)) return undefined;
    if (h) readHold ??= h;
    if (enteredHolding(facts, g)) return undefined;
  }
  const fn = facts.fn;
  const guard = op.guards[0];
  const decl = op.guard;
  const what = op.write ? 'writes' : 'reads';
  const message = readHold
    ? `${fn.name}() writes ${lockName(op.target)} holding ${lockName(readHold.lock.text)} only for reading (acquired at line ${lineOf(readHold.site)}); \`${decl.annotation}\` needs it held exclusively for a write: other readers may read it meanwhile.`
    : `${fn.name}() ${what} ${lockName(op.target)} without holding ${lockName(guard.text)}, which guards it (\`${decl.annotation}\`): take the lock, or annotate ${fn.name}() as requiring it.`;
  const related = [{ file: decl.file ?? fn.file, span: decl.span, message: `\`${decl.field}\` is declared \`${decl.annotation}\`` }];
  if (readHold) related.unshift({ file: fn.file, span: readHold.site, message: `${lockName(readHold.lock.text)} read-locked here` });
  return {
    check: 'unguarded-access',
    severity: 'warning',
    message,
    file: fn.file,
    span: op.span,
    related,
    fingerprint: fingerprint('unguarded-access', fn.qualifiedName, decl.field, op.write ? 'write' : 'read', readHold ? 'shared' : ''),
  };
}
