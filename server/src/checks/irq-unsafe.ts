import type { AcquireFact, FunctionFacts } from '../core/facts';
import type { Finding, RelatedSite } from '../core/finding';
import { fingerprint, lineOf, lockName } from '../core/describe';
import type { FunctionIR } from '../ir/types';
import {
  buildCallGraph, chainRelated, chainText, CONTEXT_BIT, contextEntries, ContextGuards, entryRelated, entryText,
  MAX_CHAIN, PROCESS, reachFromEntries, SOFTIRQ, type CallGraph, type ChainStep, type Reach,
} from './contexts';
import type { Check, ProgramFacts } from './types';

export const irqUnsafe: Check = {
  meta: {
    id: 'irq-unsafe',
    doc: `a lock is taken in interrupt context and elsewhere with interrupts enabled

A spinlock that an interrupt handler (hardirq), a softirq (timer, tasklet, NAPI poll) or an NMI
handler takes must not be held with that interrupt enabled anywhere else: if the interrupt
arrives on the CPU that holds the lock, the handler spins on it forever (lockdep's "inconsistent
{IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage"). Take it with spin_lock_irqsave()/spin_lock_irq() (or
spin_lock_bh() against softirqs). NMIs cannot be masked: any lock taken in NMI context can
deadlock this way; use a trylock there or a lock-free scheme.`,
    defaultSeverity: 'warning',
    docPath: 'docs/checks/irq-unsafe.md',
  },
  run(program: ProgramFacts): Finding[] {
    const entries = contextEntries(program);
    if (entries.length === 0) return [];
    const graph = buildCallGraph(program);
    const guards = new ContextGuards();
    const inContext = reachFromEntries(entries, graph, guards);

    const inUsages = new Map<string, Usage[]>();   // class|context -> acquisitions in that context
    const findings: Finding[] = [];
    const reported = new Set<string>();
    for (const [fn, reached] of inContext) {
      const facts = program.factsOf(fn);
      if (!facts) continue;
      for (const a of facts.acquires) {
        if (a.via || !a.lock.cls || a.lockKind === 'rcu' || a.lockKind === 'epoch' || a.lockKind === 'irqoff' || a.try) continue;
        const mask = guards.maskAt(fn, a.span);
        for (const [context, r] of reached) {
          if ((mask & CONTEXT_BIT[context]) === 0) continue;
          if (context === 'nmi') {
            const f = nmiFinding(facts, a, r);
            if (f && !reported.has(siteKey(fn, a))) {
              reported.add(siteKey(fn, a));
              findings.push(f);
            }
            continue;
          }
          if (a.lockKind !== 'spin') continue;
          const key = `${a.lock.cls}|${context}`;
          const list = inUsages.get(key);
          if (list) list.push({ fn, a, reach: r });
          else inUsages.set(key, [{ fn, a, reach: r }]);
        }
      }
    }
    // Where no spinlock is taken in interrupt context there is nothing to be inconsistent with,
    // and the (whole-program) walk of where interrupts are enabled can be skipped.
    const irqClasses = new Set([...inUsages.keys()].map((k) => k.slice(0, k.lastIndexOf('|'))));
    if (irqClasses.size > 0) {
      // Table-known helpers (fn.context) run in any context, process context included: not excluded.
      const interruptOnly = entries.filter((e) => !e.alsoProcess);
      const enabled = irqsEnabledReach(program, graph, guards,
        new Set(interruptOnly.map((e) => e.fn)), new Set(interruptOnly.filter((e) => e.context === 'softirq').map((e) => e.fn)));
      const onUsages: Usage[] = [];                  // acquisitions with hardirqs or softirqs enabled
      for (const [fn, on] of enabled) {
        const facts = program.factsOf(fn);
        if (!facts) continue;
        for (const a of facts.acquires) {
          // Plain raw_spin_lock() is core-kernel code that runs with interrupts disabled by its
          // callers far more often than locklint can see: not an "enabled" usage.
          if (a.via || a.lockKind !== 'spin' || !a.lock.cls || !irqClasses.has(a.lock.cls) || RAW_PLAIN.test(a.api)) continue;
          const mask = guards.maskAt(fn, a.span);
          const irqOff = a.irq === 'irq' || a.held.some((h) => h.irq === 'irq');
          const bhOff = irqOff || a.irq === 'bh' || a.held.some((h) => h.irq === 'bh');
          onUsages.push({
            fn, a,
            hardOn: !irqOff && (mask & (PROCESS | SOFTIRQ)) !== 0 ? on.hard : undefined,
            softOn: !bhOff && (mask & PROCESS) !== 0 ? on.soft : undefined,
          });
        }
      }
      reportInconsistent(onUsages, inUsages, reported, findings);
    }
    const incomplete = program.functions.filter((x) => x.fn.incomplete);
    return findings.filter((f) => !incomplete.some((x) => x.fn.file === f.file && within(f.span.line, x.fn)));
  },
};

function reportInconsistent(onUsages: readonly Usage[], inUsages: ReadonlyMap<string, Usage[]>, reported: Set<string>, findings: Finding[]): void {
    for (const u of onUsages) {
      if (reported.has(siteKey(u.fn, u.a))) continue;
      // Hardirq first: an acquisition unsafe against both is reported once, as the worse.
      for (const context of ['hardirq', 'softirq'] as const) {
        const enabledBy = context === 'hardirq' ? u.hardOn : u.softOn;
        if (!enabledBy) continue;
        const ins = (inUsages.get(`${u.a.lock.cls}|${context}`) ?? [])
          .filter((i) => !(i.a.mode === 'shared' && u.a.mode === 'shared'))
          // Softirqs do not nest: the same acquisition in softirq context is not its own victim.
          .filter((i) => context === 'hardirq' || i.a !== u.a)
          // Struct-named classes (`struct netdev_private.lock`) are reused by unrelated drivers,
          // even side by side in drivers/net/ethernet/: both usages must be in one directory.
          .filter((i) => dirOf(i.fn.file) === dirOf(u.fn.file));
        if (ins.length === 0) continue;
        const other = [...ins].sort((x, y) => x.reach!.chain.length - y.reach!.chain.length)[0];
        reported.add(siteKey(u.fn, u.a));
        findings.push(inconsistentFinding(u, enabledBy, other, context));
        break;
      }
    }
}

const RAW_PLAIN = /^(raw_spin_lock|raw_spin_trylock|raw_read_lock|raw_write_lock|arch_spin_lock)(_nested|_bh)?$/;

interface Usage {
  fn: FunctionIR;
  a: AcquireFact;
  /** In-context usage: how the interrupt context reaches this function. */
  reach?: Reach;
  /** With hardirqs / softirqs enabled: the chain from a root that enters this function that way. */
  hardOn?: EnabledReach;
  softOn?: EnabledReach;
}

interface EnabledReach {
  root: FunctionIR;
  chain: ChainStep[];
  /** The root is a softirq entry (hardirqs are enabled while softirqs run). */
  inSoftirq?: boolean;
  /** The root is a thread or work routine (a spawn target): process context for certain. */
  knownThread?: boolean;
}

function dirOf(file: string): string {
  return file.slice(0, file.lastIndexOf('/') + 1);
}

function siteKey(fn: FunctionIR, a: AcquireFact): string {
  return `${fn.file}:${a.span.line}:${a.span.col}`;
}

function within(line: number, fn: FunctionIR): boolean {
  return line >= fn.span.line && line <= fn.span.endLine;
}

/**
 * Functions that may run with hardirqs (`hard`) or softirqs (`soft`) enabled: roots of the call
 * graph (no known caller: thread functions, file operations, init code) and softirq entries, then
 * their callees through calls not made under an irq- (or bh-) disabling lock.
 */
function irqsEnabledReach(
  program: ProgramFacts, graph: CallGraph, guards: ContextGuards,
  interruptEntries: ReadonlySet<FunctionIR>, softirqEntries: ReadonlySet<FunctionIR>,
): Map<FunctionIR, { hard?: EnabledReach; soft?: EnabledReach }> {
  const out = new Map<FunctionIR, { hard?: EnabledReach; soft?: EnabledReach }>();
  const threadRoutines = new Set<FunctionIR>();
  for (const facts of program.functions) {
    for (const node of facts.fn.nodes) {
      if (node.op.kind !== 'spawn' || node.op.context) continue;
      const target = program.functionNamed(node.op.target, facts.fn);
      if (target) threadRoutines.add(target);
    }
  }
  for (const kind of ['hard', 'soft'] as const) {
    let frontier: { fn: FunctionIR; r: EnabledReach }[] = [];
    const seed = (fn: FunctionIR, r: EnabledReach) => {
      const slot = out.get(fn) ?? {};
      if (slot[kind]) return;
      slot[kind] = r;
      out.set(fn, slot);
      frontier.push({ fn, r });
    };
    for (const facts of program.functions) {
      const fn = facts.fn;
      if (interruptEntries.has(fn)) {
        if (kind === 'hard' && softirqEntries.has(fn)) seed(fn, { root: fn, chain: [], inSoftirq: true });
        continue;
      }
      if (graph.callersOf(fn).length === 0) seed(fn, { root: fn, chain: [], knownThread: threadRoutines.has(fn) });
    }
    const bits = kind === 'hard' ? PROCESS | SOFTIRQ : PROCESS;
    for (let depth = 0; depth < MAX_CHAIN && frontier.length > 0; depth++) {
      const current = frontier;
      frontier = [];
      for (const { fn, r } of current) {
        const facts = program.factsOf(fn);
        if (!facts) continue;
        for (const call of facts.calls) {
          const off = call.held.some((h) => h.irq === 'irq' || (kind === 'soft' && h.irq === 'bh'));
          if (off || (guards.maskAt(fn, call.op.span) & bits) === 0) continue;
          for (const callee of program.targetsOf(call.op, fn)) {
            if (interruptEntries.has(callee)) continue;
            seed(callee, { ...r, chain: [...r.chain, { caller: fn, callee, span: call.op.span }] });
          }
        }
      }
    }
  }
  return out;
}

const SAFE_VARIANT: Record<'hardirq' | 'softirq', string> = {
  hardirq: 'spin_lock_irqsave()/spin_lock_irq()',
  softirq: 'spin_lock_bh() (or an irq-disabling variant)',
};

function inconsistentFinding(u: Usage, enabledBy: EnabledReach, other: Usage, context: 'hardirq' | 'softirq'): Finding {
  const fn = u.fn;
  const r = other.reach!;
  const ctxName = context;
  const enabledWhat = context === 'hardirq' ? 'interrupts' : 'softirqs';
  const IN = `IN-${ctxName.toUpperCase()}-${other.a.mode === 'shared' ? 'R' : 'W'}`;
  const ON = `${ctxName.toUpperCase()}-ON-${u.a.mode === 'shared' ? 'R' : 'W'}`;
  const where = other.fn === r.entry.fn ? `${other.fn.name}()` : `${other.fn.name}() (reached from ${chainText(r.entry.fn, r.chain)})`;
  const message = `${lockName(u.a.lock.text)} is taken here with ${enabledWhat} enabled (\`${u.a.api}\`), but it is also taken in ${ctxName} context by ${where} at ${other.fn.file}:${lineOf(other.a.span)}; ${entryText(r.entry)}. If that ${context === 'hardirq' ? 'interrupt' : 'softirq'} runs on this CPU while the lock is held here, it spins forever. Use ${SAFE_VARIANT[context]} here.`;
  const related: RelatedSite[] = [
    { file: other.fn.file, span: other.a.span, message: `${lockName(other.a.lock.text)} taken in ${ctxName} context in ${other.fn.name}()` },
    ...entryRelated(r.entry),
    ...chainRelated(r.chain),
    ...chainRelated(enabledBy.chain),
  ];
  const explanation = [
    `inconsistent {${IN}} -> {${ON}} usage: ${u.a.lock.cls}`,
    '',
    'Possible unsafe locking scenario:',
    '',
    '       CPU0',
    '       ----',
    `  lock(${u.a.lock.text});        ${fn.name}() line ${lineOf(u.a.span)}`,
    `  <${context === 'hardirq' ? 'Interrupt' : 'Softirq'}>`,
    `    lock(${other.a.lock.text});      ${other.fn.name}() line ${lineOf(other.a.span)} <- spins forever`,
    '',
    ' *** DEADLOCK ***',
    '',
    `${entryText(r.entry)}.`,
    ...(enabledBy.chain.length > 0 ? [`${fn.name}() runs with ${enabledWhat} enabled when called as ${chainText(enabledBy.root, enabledBy.chain)}.`] : []),
    `Fix: take the lock with ${SAFE_VARIANT[context]} outside ${ctxName} context.`,
  ].join('\n');
  return {
    check: 'irq-unsafe',
    // A function with no known caller may be a callback the kernel already runs with interrupts or
    // bottom halves disabled (ndo_poll_controller, packet handlers, mac80211 ops), and
    // local_irq_save()/disable_irq() are not modelled yet: on a sample of kernel drivers about
    // half of these were real. Say it quietly unless the code is known to run in a thread or
    // work item.
    severity: enabledBy.knownThread ? 'warning' : 'info',
    message,
    file: fn.file,
    span: u.a.span,
    related,
    explanation,
    fingerprint: fingerprint('irq-unsafe', fn.qualifiedName, u.a.lock.cls, context),
  };
}

function nmiFinding(facts: FunctionFacts, a: AcquireFact, r: Reach): Finding | undefined {
  const fn = facts.fn;
  const chain = r.chain.length > 0 ? ` (reached as ${chainText(r.entry.fn, r.chain)})` : '';
  const message = `${lockName(a.lock.text)} is acquired in NMI context: ${entryText(r.entry)}${chain}. NMIs are not masked by \`${a.api}\`: an NMI that arrives while this CPU holds the lock spins on it forever. In NMI context use a trylock and fail, or a lock-free scheme.`;
  return {
    check: 'irq-unsafe',
    severity: 'warning',
    message,
    file: fn.file,
    span: a.span,
    related: [...entryRelated(r.entry), ...chainRelated(r.chain)],
    explanation: [
      `{IN-NMI} usage of ${a.lock.cls}`,
      '',
      '       CPU0',
      '       ----',
      `  lock(${a.lock.text});        ${fn.name}() line ${lineOf(a.span)}`,
      '  <NMI>',
      `    lock(${a.lock.text});      ${fn.name}() line ${lineOf(a.span)} <- spins forever`,
      '',
      ' *** DEADLOCK ***',
      '',
      `${entryText(r.entry)}.`,
      'Fix: in NMI context (`if (in_nmi())`) only try the lock and give up on contention.',
    ].join('\n'),
    fingerprint: fingerprint('irq-unsafe', fn.qualifiedName, a.lock.cls, 'nmi'),
  };
}

