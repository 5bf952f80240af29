// Lock orders the source declares (`ACQUIRED_BEFORE`/`ACQUIRED_AFTER`): one acquisition against
// the declared order is a lock-order finding on its own, without waiting for the opposite order
// to show up somewhere in the workspace.
import type { Finding } from '../core/finding';
import type { DeclaredOrder } from '../ir/types';
import { classOf } from '../core/lock-graph';
import { fingerprint, lockName, viaText } from '../core/describe';
import type { ProgramFacts } from './types';

const UNORDERED = new Set(['rcu', 'epoch', 'irqoff']);

/** Findings for acquisitions of `first` while `second` is held, where a cycle finding is not already reported. */
export function declaredOrderViolations(program: ProgramFacts, reported: readonly Finding[]): Finding[] {
  const orders = new Map<string, { order: DeclaredOrder; file: string }>();
  for (const [file, ir] of program.files) {
    for (const order of ir.lockOrders ?? []) orders.set(`${order.first.cls}\u0000${order.second.cls}`, { order, file });
  }
  if (orders.size === 0) return [];
  const taken = new Set(reported.map((f) => `${f.file}:${f.span.line}:${f.span.col}`));
  const out: Finding[] = [];
  for (const facts of program.functions) {
    for (const inner of facts.acquires) {
      const first = classOf(inner.lock);
      if (!first || inner.try || UNORDERED.has(inner.lockKind)) continue;
      for (const outer of inner.held) {
        const second = classOf(outer.lock);
        const hit = second && orders.get(`${first}\u0000${second}`);
        if (!hit || UNORDERED.has(outer.lockKind)) continue;
        const fn = facts.fn;
        const where = `${fn.file}:${inner.span.line}:${inner.span.col}`;
        if (taken.has(where)) continue;
        taken.add(where);
        out.push({
          check: 'lock-order',
          severity: 'warning',
          message: `${lockName(inner.lock.text)} is acquired${viaText(inner.via)} while holding ${lockName(outer.lock.text)}, against the declared order \`${hit.order.annotation}\` (${first} before ${second}). A thread following the declared order can deadlock with this one.`,
          file: fn.file,
          span: inner.span,
          related: [
            { file: fn.file, span: outer.site, message: `${lockName(outer.lock.text)} acquired here` },
            { file: hit.file, span: hit.order.span, message: `order declared here: ${first} before ${second}` },
            ...(inner.via ?? []).map((s) => ({ file: s.file, span: s.span, message: `call to ${s.callee}()` })),
          ],
          fingerprint: fingerprint('lock-order', 'declared', fn.qualifiedName, first, second),
        });
      }
    }
  }
  return out;
}

