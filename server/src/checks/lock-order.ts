import type { Finding, RelatedSite } from '../core/finding';
import { buildLockGraph, classOf, findCycles, type OrderEdge, type OrderSite } from '../core/lock-graph';
import { fingerprint, lineOf, lockName, viaText } from '../core/describe';
import { declaredOrderViolations } from './declared-order';
import type { Check, ProgramFacts } from './types';

export const lockOrder: Check = {
  meta: {
    id: 'lock-order',
    doc: `two locks are taken in opposite orders on different paths

Somewhere lock B is acquired while lock A is held, and elsewhere A is acquired while B is held.
Two threads running those paths at the same time can each hold one lock and wait forever for the
other (an ABBA deadlock). Cycles through three or more lock classes are reported the same way.
Locks are compared by class: the same struct field, global or Go type field, whatever the instance.`,
    defaultSeverity: 'warning',
    docPath: 'docs/checks/lock-order.md',
  },
  run(program: ProgramFacts): Finding[] {
    const graph = buildLockGraph(program.functions, program.options.reportSameClassNesting);
    const findings: Finding[] = [];
    const reported = new Set<string>();
    for (const cycle of findCycles(graph)) {
      const reps = cycle.map(representative);
      cycle.forEach((edge, i) => {
        const site = reps[i];
        const where = `${site.fn.file}:${site.inner.span.line}:${site.inner.span.col}`;
        if (reported.has(where)) return;
        reported.add(where);
        findings.push(cycleFinding(cycle, reps, i));
      });
    }
    findings.push(...declaredOrderViolations(program, findings));
    return findings;
  },
};

function representative(edge: OrderEdge): OrderSite {
  return [...edge.sites].sort((a, b) =>
    (a.inner.via?.length ?? 0) - (b.inner.via?.length ?? 0)
    || (a.fn.file < b.fn.file ? -1 : a.fn.file > b.fn.file ? 1 : 0)
    || a.inner.span.line - b.inner.span.line)[0];
}

function stepText(site: OrderSite): string {
  return `${lockName(site.inner.lock.text)} acquired${viaText(site.inner.via)} while holding ${lockName(site.outer.lock.text)} in ${site.fn.name}() at ${site.fn.file}:${lineOf(site.inner.span)}`;
}

function cycleFinding(cycle: OrderEdge[], reps: OrderSite[], i: number): Finding {
  const here = reps[i];
  const others = reps.filter((_, j) => j !== i);
  const classes = cycle.map((e) => e.from);
  const message = cycle.length === 2
    ? `Lock order inversion: ${lockName(here.inner.lock.text)} is acquired${viaText(here.inner.via)} while holding ${lockName(here.outer.lock.text)} here, but ${others[0].fn.name}() acquires them in the opposite order (${stepText(others[0])}). Two threads taking these paths at once can deadlock.`
    : `Lock order cycle of ${cycle.length} locks (${[...classes, classes[0]].join(' → ')}): ${lockName(here.inner.lock.text)} is acquired${viaText(here.inner.via)} while holding ${lockName(here.outer.lock.text)} here; elsewhere ${others.map(stepText).join('; ')}.`;
  const related: RelatedSite[] = [];
  for (const site of reps) {
    related.push({ file: site.fn.file, span: site.outer.site, message: `${lockName(site.outer.lock.text)} acquired here in ${site.fn.name}()` });
    related.push({ file: site.fn.file, span: site.inner.span, message: `${lockName(site.inner.lock.text)} acquired${viaText(site.inner.via)} while holding ${lockName(site.outer.lock.text)}` });
    for (const step of site.inner.via ?? []) {
      related.push({ file: step.file, span: step.span, message: `call to ${step.callee}()` });
    }
  }
  return {
    check: 'lock-order',
    // A long cycle usually runs through a class that merges unrelated objects, and an order seen
    // only two or more calls deep rests on paths the callers may never take: say those quietly.
    severity: cycle.length > 4 || reps.some((r) => (r.inner.via?.length ?? 0) > 2) ? 'info' : 'warning',
    message,
    file: here.fn.file,
    span: here.inner.span,
    related,
    explanation: explainCycle(reps),
    fingerprint: fingerprint('lock-order', here.fn.qualifiedName, ...[...cycle.map((e) => e.from)].sort()),
    hint: {
      kind: 'lock-order',
      here: i,
      counts: cycle.map((e) => e.sites.length),
      threads: reps.map((r) => ({
        fn: r.fn.name,
        file: r.fn.file,
        outer: { text: r.outer.lock.text, path: r.outer.key, cls: classOf(r.outer.lock), span: r.outer.site, irq: r.outer.irq, via: r.outer.via !== undefined },
        inner: {
          text: r.inner.lock.text, path: r.inner.lock.path, cls: classOf(r.inner.lock), span: r.inner.span, irq: r.inner.irq,
          via: r.inner.via !== undefined, calls: (r.inner.via ?? []).map((s) => ({ callee: s.callee, file: s.file, span: s.span })),
        },
      })),
    },
  };
}

/** A lockdep-style story: one column per thread, each taking its outer lock then waiting for the inner one. */
export function explainCycle(reps: OrderSite[]): string {
  const width = 44;
  const cell = (s: string) => (s.length > width - 2 ? s.slice(0, width - 3) + '…' : s).padEnd(width);
  const lines: string[] = [];
  lines.push('Possible deadlock: lock order inversion');
  lines.push('');
  lines.push(reps.map((r, i) => cell(`Thread ${i + 1}: ${r.fn.name}()`)).join(''));
  lines.push(reps.map(() => cell('----')).join(''));
  reps.forEach((r, i) => {
    const row = reps.map(() => cell(''));
    row[i] = cell(`lock(${r.outer.lock.text})  line ${lineOf(r.outer.site)}`);
    lines.push(row.join('').trimEnd());
  });
  reps.forEach((r, i) => {
    const row = reps.map(() => cell(''));
    row[i] = cell(`lock(${r.inner.lock.text})  line ${lineOf(r.inner.span)} <- waits`);
    lines.push(row.join('').trimEnd());
  });
  lines.push('');
  lines.push(reps.map((r) => `${r.outer.lock.cls} --> ${r.inner.lock.cls}`).join('\n'));
  lines.push('');
  lines.push(' *** DEADLOCK: each thread holds the lock the next one waits for ***');
  lines.push('Fix: acquire these locks in one global order everywhere, or release the first before taking the second.');
  return lines.join('\n');
}
