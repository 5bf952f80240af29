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
    const conditional = l.family === 'sparse';
    for (const e of dedupe(exits.filter((x) => holds(x, key) && !(conditional && conditionalRelease(x, releasing))))) {
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

/**
 * Sparse checks lock context per path and has no spelling for "releases only sometimes", so
 * kernel code writes `__releases(x)` on functions that release `x` on some returns and say which
 * by what they return or by what the caller already knows. A keeping exit is such a deliberate
 * conditional release (not a forgotten unlock) when:
 * - it returns a constant (`false`, `-EAGAIN`, `NULL`, `0`, a macro) that no releasing exit
 *   returns: the caller can tell the two outcomes apart (`do_signal_stop()` "returns true with
 *   siglock released"; `xfs_iget_recycle()` returns `-EAGAIN` still holding it); or
 * - it returns no value and the same exit is also reached having released `x`: the unlock sits
 *   in a branch that rejoins (`if (op == IMPORT) up_read(...)`), written conditional on purpose,
 *   unlike an early `return` that skips it.
 */
function conditionalRelease(keep: ExitFact, releasing: readonly ExitFact[]): boolean {
  if (keep.ret === undefined || keep.ret.trim() === '') {
    return releasing.some((r) => r.span.line === keep.span.line && r.span.col === keep.span.col);
  }
  const k = constantReturn(keep.ret);
  if (k === undefined) return false;
  return releasing.every((r) => r.ret !== undefined && r.ret.trim() !== '' && constantReturn(r.ret) !== k);
}

/** A returned constant, normalised (`(-EAGAIN)` → `-EAGAIN`); undefined for anything else. */
function constantReturn(ret: string): string | undefined {
  let r = ret.replace(/\s+/g, '');
  while (/^\(.*\)$/.test(r)) r = r.slice(1, -1);
  if (/^(true|false|NULL|nullptr)$/.test(r)) return r;
  if (/^-?(\d+[uUlL]*|0[xX][0-9a-fA-F]+[uUlL]*|[A-Z][A-Z0-9_]*)$/.test(r)) return r === '-0' ? '0' : r;
  return undefined;
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
