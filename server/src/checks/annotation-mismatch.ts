import type { Finding } from '../core/finding';
import type { AnnotatedLock, FunctionAnnotations, Op } from '../ir/types';
import type { ExitFact, FunctionFacts } from '../core/facts';
import { annotatedKey } from '../core/annotations';
import { fingerprint, lineOf, lockName } from '../core/describe';
import { classifyReturn } from '../core/returns';
import { pathFactsReliable } from './path-checks-common';
import type { Check, ProgramFacts } from './types';

export const annotationMismatch: Check = {
  meta: {
    id: 'annotation-mismatch',
    doc: `a function's lock annotation disagrees with what one of its paths does

\`__releases(x)\` / \`RELEASE(x)\` / \`+checklocksrelease:x\` but a path returns still holding \`x\`;
\`__must_hold(x)\` / \`REQUIRES(x)\` but a path returns having released it; \`__acquires(x)\` /
\`ACQUIRE(x)\` but a path that takes \`x\` returns without it. Callers trust the annotation, so
they leak the lock, release it twice, or touch what it protects without it.`,
    defaultSeverity: 'warning',
    docPath: 'docs/checks/annotation-mismatch.md',
  },
  run(program: ProgramFacts): Finding[] {
    const findings: Finding[] = [];
    for (const facts of program.functions) {
      const a = facts.annotations;
      if (!a || facts.fn.nodes.length === 0 || !pathFactsReliable(facts)) continue;
      findings.push(...mismatchesIn(facts, a, program.languageOf(facts.fn.file)));
    }
    return findings;
  },
};

type Role = 'releases' | 'requires' | 'acquires';

function mismatchesIn(facts: FunctionFacts, a: FunctionAnnotations, language: 'c' | 'go'): Finding[] {
  const exits = facts.exits.filter((e) => e.kind === 'return');
  const keys = (ls: readonly AnnotatedLock[]) => new Set(ls.map((l) => annotatedKey(l.lock)));
  // SAL's `_Requires_lock_held_(x) _Releases_lock_(x)` is entered holding x and returns without it.
  const released = keys(a.releases);
  const heldAfter = new Set([...[...keys(a.requires)].filter((k) => !released.has(k)), ...keys(a.acquires), ...keys(a.tryAcquires)]);
  const holds = (e: ExitFact, key: string) => e.held.some((h) => h.key === key);
  const out: Finding[] = [];
  const report = (role: Role, l: AnnotatedLock, e: ExitFact, what: string) => {
    const fn = facts.fn;
    out.push({
      check: 'annotation-mismatch',
      severity: 'warning',
      message: `${fn.name}() is annotated \`${l.annotation}\`, but ${what}. Callers rely on the annotation.`,
      file: fn.file,
      span: e.span,
      related: [{ file: l.file ?? fn.file, span: l.span, message: `annotated \`${l.annotation}\` here` }],
      fingerprint: fingerprint('annotation-mismatch', fn.qualifiedName, role, annotatedKey(l.lock), e.ret),
    });
  };
  for (const l of a.releases) {
    const key = annotatedKey(l.lock);
    // Read sections are counted, and summaries do not follow a callee that leaves one.
    if (heldAfter.has(key) || l.lockKind === 'rcu' || l.lockKind === 'epoch' || l.lockKind === 'irqoff') continue;
    // Judged only where the body releases it somewhere: a release through a helper that names
    // the lock differently (`raw_spin_rq_unlock(rq)` for `rq->lock`) is invisible, not missing.
    // Sparse's own bookkeeping (`__release(x)` on the path where a helper already dropped it) is
    // no evidence either.
    const releasing = exits.filter((e) => e.releasedOnPath.has(key) && !holds(e, key));
    if (releasing.length === 0 || !releasesItself(facts, key)) continue;
    for (const e of dedupe(exits.filter((x) => holds(x, key)))) {
      const other = releasing.find((r) => r.span.line !== e.span.line);
      report('releases', l, e, `it returns here still holding ${lockName(l.lock.text)}${other ? ` (the exit at line ${lineOf(other.span)} releases it)` : ' on this path'}`);
    }
  }
  for (const l of a.requires) {
    const key = annotatedKey(l.lock);
    if (released.has(key) && !keys(a.acquires).has(key)) continue;
    // Kernel functions routinely fail with the lock dropped and say so in the error code.
    const failing = (x: ExitFact) => l.family === 'sparse' && classifyReturn(x.ret, language) === 'error';
    for (const e of dedupe(exits.filter((x) => !holds(x, key) && x.releasedOnPath.has(key) && !failing(x)))) {
      report('requires', l, e, `it returns here having released ${lockName(l.lock.text)}, which its callers still expect to hold`);
    }
  }
  for (const l of a.acquires) {
    const key = annotatedKey(l.lock);
    const taken = facts.acquiredKeys.get(key);
    if (!taken) continue;
    // A sparse helper that fails with a status code without the lock is the kernel's conditional
    // lock helper (strictly `__cond_lock`); the checked conventions would spell TRY_ACQUIRE.
    const lenient = l.family === 'sparse';
    const missing = exits.filter((x) => !holds(x, key)
      && !(lenient && x.ret !== undefined && classifyReturn(x.ret, language) !== 'success'));
    for (const e of dedupe(missing)) {
      report('acquires', l, e, `it returns here without holding ${lockName(l.lock.text)} (taken at line ${lineOf(taken.site)} on other paths)`);
    }
  }
  return out;
}

/** The function itself unlocks `key` (not only sparse's `__release()` context statement, not only callees). */
function releasesItself(facts: FunctionFacts, key: string): boolean {
  const real = (op: Op): boolean => (op.kind === 'release' && annotatedKey(op.lock) === key && op.api !== '__release')
    || (op.kind === 'defer' && op.ops.some(real));
  return facts.fn.nodes.some((n) => real(n.op));
}

/** One report per return statement, whatever lock sets reach it. */
function dedupe(exits: readonly ExitFact[]): ExitFact[] {
  const seen = new Set<string>();
  return exits.filter((e) => {
    const k = `${e.span.line}:${e.span.col}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
