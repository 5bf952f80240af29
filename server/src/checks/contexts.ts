// Where functions run: entry points of interrupt contexts (registrations in the API tables,
// `context` table entries, configuration) and what is reachable from them through resolved calls.
// Shared by irq-unsafe (which context a lock is taken in) and shared-handle-txn (which threads
// reach a transaction).
import type { RelatedSite } from '../core/finding';
import type { ExecContext, FunctionIR, Op, Span } from '../ir/types';
import type { ProgramFacts } from './types';

type CallOp = Extract<Op, { kind: 'call' }>;

/** Bits of a context mask: process (thread) context and the three interrupt contexts. */
export const PROCESS = 1;
export const SOFTIRQ = 2;
export const HARDIRQ = 4;
export const NMI = 8;
export const ANY = PROCESS | SOFTIRQ | HARDIRQ | NMI;

export const CONTEXT_BIT: Record<ExecContext, number> = { softirq: SOFTIRQ, hardirq: HARDIRQ, nmi: NMI };

/** A function that runs in an interrupt context, and why locklint thinks so. */
export interface ContextEntry {
  context: ExecContext;
  fn: FunctionIR;
  /** The registration (`request_irq(irq, handler, ...)`), if there is one in the code. */
  registration?: { file: string; span: Span; api: string; by: FunctionIR };
  /** Configuration or API-table knowledge, when there is no registration site. */
  source?: 'configuration' | 'api table';
  /** Runs in process context too (BPF helpers: callable from any program type, NMI included). */
  alsoProcess?: boolean;
}

/** One resolved call on the way from an entry point to a function. */
export interface ChainStep {
  caller: FunctionIR;
  callee: FunctionIR;
  span: Span;
}

export interface Reach {
  entry: ContextEntry;
  chain: ChainStep[];
}

/** Every interrupt-context entry point of the program (registrations, table entries, configuration). */
export function contextEntries(program: ProgramFacts): ContextEntry[] {
  const entries: ContextEntry[] = [];
  const seen = new Set<string>();
  const add = (e: ContextEntry) => {
    const key = `${e.context}|${e.fn.qualifiedName}|${e.registration ? `${e.registration.file}:${e.registration.span.line}` : e.source}`;
    if (seen.has(key)) return;
    seen.add(key);
    entries.push(e);
  };
  const byName = new Map<string, FunctionIR[]>();
  for (const facts of program.functions) {
    const fn = facts.fn;
    byName.set(fn.name, [...(byName.get(fn.name) ?? []), fn]);
    if (fn.context) add({ context: fn.context, fn, source: 'api table', alsoProcess: fn.context === 'nmi' });
    for (const node of fn.nodes) {
      const op = node.op;
      if (op.kind !== 'spawn' || !op.context) continue;
      const target = program.functionNamed(op.target, fn);
      if (target) add({ context: op.context, fn: target, registration: { file: fn.file, span: op.span, api: op.api, by: fn } });
    }
  }
  for (const context of ['hardirq', 'softirq', 'nmi'] as const) {
    for (const name of program.contexts[context] ?? []) {
      for (const fn of byName.get(name) ?? []) add({ context, fn, source: 'configuration' });
    }
  }
  return entries;
}

/** How an entry came to run in its context, as a related site or a phrase. */
export function entryRelated(entry: ContextEntry): RelatedSite[] {
  if (!entry.registration) return [{ file: entry.fn.file, span: entry.fn.nameSpan, message: `${entry.fn.name}() runs in ${CONTEXT_NAME[entry.context]} context (${entry.source})` }];
  return [{ file: entry.registration.file, span: entry.registration.span, message: `${entry.fn.name}() registered to run in ${CONTEXT_NAME[entry.context]} context by ${entry.registration.api}()` }];
}

const CONTEXT_NAME: Record<ExecContext, string> = { hardirq: 'hardirq', softirq: 'softirq', nmi: 'NMI' };

export function entryText(entry: ContextEntry): string {
  const context = CONTEXT_NAME[entry.context];
  if (entry.registration) return `${entry.fn.name}() runs in ${context} context (registered with ${entry.registration.api}() in ${entry.registration.by.name}() at ${entry.registration.file}:${entry.registration.span.line + 1})`;
  return entry.source === 'api table'
    ? entry.alsoProcess
      ? `${entry.fn.name}() may run in ${context} context (a BPF helper callable from perf_event programs)`
      : `${entry.fn.name}() runs in ${context} context (a callback the kernel runs there)`
    : `${entry.fn.name}() runs in ${context} context (configuration \`contexts.${entry.context}\`)`;
}

export function chainRelated(chain: readonly ChainStep[]): RelatedSite[] {
  return chain.map((s) => ({ file: s.caller.file, span: s.span, message: `${s.caller.name}() calls ${s.callee.name}()` }));
}

export function chainText(entry: FunctionIR, chain: readonly ChainStep[]): string {
  return [entry, ...chain.map((s) => s.callee)].map((f) => `${f.name}()`).join(' → ');
}

/**
 * Per function: which contexts may run each node, from `in_nmi()` / `in_interrupt()` / `in_task()`
 * tests that dominate it (`if (in_nmi()) { trylock } else { lock }`). Keyed by op span.
 */
export class ContextGuards {
  private readonly cache = new WeakMap<FunctionIR, Map<string, number>>();

  /** Contexts that may execute the op at `span` (ANY when there is no guard or no such op). */
  maskAt(fn: FunctionIR, span: Span): number {
    let masks = this.cache.get(fn);
    if (!masks) {
      masks = computeMasks(fn);
      this.cache.set(fn, masks);
    }
    return masks.get(spanKey(span)) ?? ANY;
  }
}

export function spanKey(span: Span): string {
  return `${span.line}:${span.col}:${span.endLine}:${span.endCol}`;
}

/** What a context test tells on each branch: [mask when true, mask when false]. */
const GUARDS: Record<string, [number, number]> = {
  'in_nmi()': [NMI, PROCESS | SOFTIRQ | HARDIRQ],
  'in_irq()': [HARDIRQ | NMI, PROCESS | SOFTIRQ],
  'in_hardirq()': [HARDIRQ | NMI, PROCESS | SOFTIRQ],
  'in_interrupt()': [SOFTIRQ | HARDIRQ | NMI, PROCESS],
  'in_task()': [PROCESS, SOFTIRQ | HARDIRQ | NMI],
  'in_serving_softirq()': [SOFTIRQ, ANY & ~SOFTIRQ],
};

const NO_GUARDS = new Map<string, number>();

function computeMasks(fn: FunctionIR): Map<string, number> {
  const n = fn.nodes.length;
  // Almost no function tests its context: then every op may run in any, and there is nothing to flow.
  if (!fn.nodes.some((node) => node.op.kind === 'assume' && Object.hasOwn(GUARDS, node.op.key))) return NO_GUARDS;
  const inMask = new Array<number>(n).fill(0);
  if (n === 0) return new Map();
  inMask[0] = ANY;
  const constraint = (i: number): number => {
    const op = fn.nodes[i].op;
    if (op.kind !== 'assume') return ANY;
    // Own keys only: an assume key such as `constructor` must not find Object.prototype's.
    const g = Object.hasOwn(GUARDS, op.key) ? GUARDS[op.key] : undefined;
    return g ? g[op.value ? 0 : 1] : ANY;
  };
  const work = [0];
  let steps = 0;
  while (work.length > 0 && steps++ < n * 8 + 64) {
    const i = work.pop()!;
    const out = inMask[i] & constraint(i);
    for (const s of fn.nodes[i].succ) {
      if (s < 0 || s >= n) continue;
      const next = inMask[s] | out;
      if (next !== inMask[s]) {
        inMask[s] = next;
        work.push(s);
      }
    }
  }
  const masks = new Map<string, number>();
  fn.nodes.forEach((node, i) => {
    const op = node.op;
    const span = op.kind === 'acquire' || op.kind === 'call' || op.kind === 'block' || op.kind === 'spawn' ? op.span : undefined;
    if (!span) return;
    const key = spanKey(span);
    masks.set(key, (masks.get(key) ?? 0) | (inMask[i] & constraint(i)));
  });
  return masks;
}

/** Resolved calls of every function, and the callers of each: the call graph both ways. */
export interface CallGraph {
  callsOf(fn: FunctionIR): readonly { op: CallOp; targets: FunctionIR[] }[];
  callersOf(fn: FunctionIR): readonly FunctionIR[];
}

export function buildCallGraph(program: ProgramFacts): CallGraph {
  const calls = new Map<FunctionIR, { op: CallOp; targets: FunctionIR[] }[]>();
  const callers = new Map<FunctionIR, FunctionIR[]>();
  for (const facts of program.functions) {
    const fn = facts.fn;
    const list: { op: CallOp; targets: FunctionIR[] }[] = [];
    for (const node of fn.nodes) {
      const ops = node.op.kind === 'defer' ? node.op.ops : [node.op];
      for (const op of ops) {
        if (op.kind !== 'call') continue;
        const targets = program.targetsOf(op, fn);
        if (targets.length === 0) continue;
        list.push({ op, targets });
        for (const t of targets) {
          const cs = callers.get(t);
          // fn's calls come one after another: a repeat of fn can only be the last entry.
          if (!cs) callers.set(t, [fn]);
          else if (cs[cs.length - 1] !== fn) cs.push(fn);
        }
      }
    }
    calls.set(fn, list);
  }
  return {
    callsOf: (fn) => calls.get(fn) ?? [],
    callersOf: (fn) => callers.get(fn) ?? [],
  };
}

/** Longest call chain followed from an entry point: deeper than this, context is a guess. */
export const MAX_CHAIN = 12;
/** Interrupt context is followed less far, and not out of the entry's directory tree (see below). */
export const MAX_CONTEXT_CHAIN = 4;

function dirOf(file: string): string {
  return file.slice(0, file.lastIndexOf('/') + 1);
}

/**
 * A call from a driver into another subsystem (`mod_timer()`, `wake_up()`) reaches code whose
 * locking is designed for every context and whose other callers disable interrupts in ways
 * locklint does not see: interrupt context is followed within one directory tree only.
 */
export function sameTree(a: FunctionIR, b: FunctionIR): boolean {
  const da = dirOf(a.file);
  const db = dirOf(b.file);
  return da.startsWith(db) || db.startsWith(da);
}

/**
 * Everything reachable from each entry through resolved calls that a context guard does not
 * exclude, with the shortest chain (breadth first) to each function.
 */
export function reachFromEntries(
  entries: readonly ContextEntry[], graph: CallGraph, guards: ContextGuards,
): Map<FunctionIR, Map<ExecContext, Reach>> {
  const reach = new Map<FunctionIR, Map<ExecContext, Reach>>();
  const record = (fn: FunctionIR, r: Reach): boolean => {
    let m = reach.get(fn);
    if (!m) reach.set(fn, (m = new Map()));
    if (m.has(r.entry.context)) return false;
    m.set(r.entry.context, r);
    return true;
  };
  for (const entry of entries) {
    const bit = CONTEXT_BIT[entry.context];
    if (!record(entry.fn, { entry, chain: [] })) continue;
    let frontier: { fn: FunctionIR; chain: ChainStep[] }[] = [{ fn: entry.fn, chain: [] }];
    for (let depth = 0; depth < MAX_CONTEXT_CHAIN && frontier.length > 0; depth++) {
      const next: typeof frontier = [];
      for (const { fn, chain } of frontier) {
        for (const { op, targets } of graph.callsOf(fn)) {
          if ((guards.maskAt(fn, op.span) & bit) === 0) continue;
          for (const callee of targets) {
            if (!sameTree(fn, callee)) continue;
            const step = [...chain, { caller: fn, callee, span: op.span }];
            if (record(callee, { entry, chain: step })) next.push({ fn: callee, chain: step });
          }
        }
      }
      frontier = next;
    }
  }
  return reach;
}
