import type { BlockFact, FunctionFacts, HeldLock } from '../core/facts';
import type { Finding, RelatedSite } from '../core/finding';
import { fingerprint, lineOf, lockName } from '../core/describe';
import type { FunctionIR, LockRef, Span } from '../ir/types';
import { chainRelated, chainText, MAX_CHAIN, spanKey, type ChainStep } from './contexts';
import type { Check, ProgramFacts } from './types';

export const sharedHandleTxn: Check = {
  meta: {
    id: 'shared-handle-txn',
    doc: `a transaction is begun on a shared handle from several threads without a lock

A WFP engine session (FwpmEngineOpen0) holds one explicit transaction at a time. When two
threads begin transactions on one global engine handle, the second FwpmTransactionBegin0 fails
with FWP_E_TXN_IN_PROGRESS (or waits for the first), and the calls that follow run outside any
transaction. Hold one lock across the whole begin … commit/abort, give each thread its own
session, or retry on FWP_E_TXN_IN_PROGRESS.`,
    defaultSeverity: 'warning',
    docPath: 'docs/checks/shared-handle-txn.md',
  },
  run(program: ProgramFacts): Finding[] {
    const begins = sharedBegins(program);
    if (begins.length === 0) return [];
    const threads = threadSources(program);
    const findings: Finding[] = [];
    for (const begin of begins) {
      const instances: ThreadInstance[] = [];
      for (const t of threads) {
        for (const path of pathsTo(program, t.routine, begin.facts.fn)) {
          const protectors = new Set([...path.protectors, ...begin.protectors]);
          for (let i = 0; i < t.copies; i++) instances.push({ thread: t, chain: path.chain, protectors });
        }
      }
      const race = firstRace(instances);
      if (race) findings.push(toFinding(begin, race[0], race[1]));
    }
    return findings;
  },
};

/** One `FwpmTransactionBegin0(handle, ...)` on a global or file-static handle, with the locks held on every path. */
interface Begin {
  facts: FunctionFacts;
  block: BlockFact;
  handle: LockRef;
  protectors: Set<string>;
}

/** A thread (or work item, or configured entry) that runs `routine`; `copies` 2 when spawned in a loop. */
interface ThreadSource {
  routine: FunctionIR;
  site?: { file: string; span: Span; api: string; by: FunctionIR };
  copies: number;
}

interface ThreadInstance {
  thread: ThreadSource;
  chain: ChainStep[];
  protectors: Set<string>;
}

/** A handle every thread can name: a global or a file-scope static (or a field of one). */
function isSharedHandle(ref: LockRef): boolean {
  return ref.cls !== undefined && /^(global|static):/.test(ref.cls);
}

/** Locks that serialize: anything exclusive but read sections; named by class (a local lock protects nothing across threads). */
function protectorOf(h: HeldLock): string | undefined {
  if (h.lockKind === 'rcu' || h.lockKind === 'epoch' || h.lockKind === 'irqoff' || h.mode === 'shared' || !h.lock.cls) return undefined;
  return h.lock.cls;
}

/** The transaction's status is compared with FWP_E_TXN_IN_PROGRESS: the caller retries or backs off. */
const RETRY_KEY = /TXN_IN_PROGRESS/;

function sharedBegins(program: ProgramFacts): Begin[] {
  const out: Begin[] = [];
  for (const facts of program.functions) {
    const fn = facts.fn;
    if (fn.incomplete || facts.overBudget) continue;
    const bySite = new Map<string, BlockFact[]>();
    for (const b of facts.blocks) {
      if (b.category !== 'transaction' || b.via || !b.lock || !isSharedHandle(b.lock)) continue;
      const key = spanKey(b.span);
      bySite.set(key, [...(bySite.get(key) ?? []), b]);
    }
    if (bySite.size === 0) continue;
    if (fn.nodes.some((n) => n.op.kind === 'assume' && RETRY_KEY.test(n.op.key))) continue;
    for (const blocks of bySite.values()) {
      // Locks held on every path reaching the begin.
      let protectors: Set<string> | undefined;
      for (const b of blocks) {
        const here = new Set(b.held.map(protectorOf).filter((x): x is string => x !== undefined));
        protectors = protectors ? new Set([...protectors].filter((p) => here.has(p))) : here;
      }
      out.push({ facts, block: blocks[0], handle: blocks[0].lock!, protectors: protectors ?? new Set() });
    }
  }
  return out;
}

function threadSources(program: ProgramFacts): ThreadSource[] {
  const out: ThreadSource[] = [];
  for (const facts of program.functions) {
    const fn = facts.fn;
    fn.nodes.forEach((node, i) => {
      const op = node.op;
      if (op.kind !== 'spawn') return;
      const routine = program.functionNamed(op.target, fn);
      if (routine) out.push({ routine, site: { file: fn.file, span: op.span, api: op.api, by: fn }, copies: onCycle(fn, i) ? 2 : 1 });
    });
  }
  const configured = new Set([...program.contexts.hardirq, ...program.contexts.softirq, ...program.contexts.nmi]);
  for (const facts of program.functions) {
    if (configured.has(facts.fn.name)) out.push({ routine: facts.fn, copies: 1 });
  }
  return out;
}

/** Whether node `start` lies on a cycle of the function's graph (a spawn inside a loop). */
function onCycle(fn: FunctionIR, start: number): boolean {
  const seen = new Set<number>();
  const work = [...fn.nodes[start].succ];
  while (work.length > 0) {
    const i = work.pop()!;
    if (i === start) return true;
    if (seen.has(i) || i < 0 || i >= fn.nodes.length) continue;
    seen.add(i);
    work.push(...fn.nodes[i].succ);
  }
  return false;
}

/** Call paths from a thread routine to `target`, each with the locks held at every call on it. */
function pathsTo(program: ProgramFacts, routine: FunctionIR, target: FunctionIR): { chain: ChainStep[]; protectors: Set<string> }[] {
  const out: { chain: ChainStep[]; protectors: Set<string> }[] = [];
  const seen = new Set<string>();
  const walk = (fn: FunctionIR, chain: ChainStep[], protectors: Set<string>) => {
    if (fn === target) {
      out.push({ chain, protectors });
      return;
    }
    if (chain.length >= MAX_CHAIN || out.length >= 8) return;
    const facts = program.factsOf(fn);
    if (!facts) return;
    for (const call of facts.calls) {
      const targets = program.targetsOf(call.op, fn);
      if (targets.length === 0) continue;
      const held = call.held.map(protectorOf).filter((x): x is string => x !== undefined);
      const next = new Set([...protectors, ...held]);
      for (const callee of targets) {
        const key = `${callee.qualifiedName}|${[...next].sort().join(',')}`;
        if (seen.has(key)) continue;
        seen.add(key);
        walk(callee, [...chain, { caller: fn, callee, span: call.op.span }], next);
      }
    }
  };
  walk(routine, [], new Set());
  return out;
}

/** Two thread instances that reach the begin without a lock in common. */
function firstRace(instances: ThreadInstance[]): [ThreadInstance, ThreadInstance] | undefined {
  for (let i = 0; i < instances.length; i++) {
    for (let j = i + 1; j < instances.length; j++) {
      const a = instances[i];
      const b = instances[j];
      if (![...a.protectors].some((p) => b.protectors.has(p))) return [a, b];
    }
  }
  return undefined;
}

function threadName(t: ThreadInstance): string {
  const s = t.thread.site;
  return s ? `${t.thread.routine.name}() (started with ${s.api}() in ${s.by.name}() at ${s.file}:${lineOf(s.span)}${t.thread.copies > 1 ? ', in a loop' : ''})` : `${t.thread.routine.name}() (configured entry point)`;
}

function toFinding(begin: Begin, a: ThreadInstance, b: ThreadInstance): Finding {
  const fn = begin.facts.fn;
  const same = a.thread === b.thread;
  const threads = same ? `two instances of ${threadName(a)}` : `${threadName(a)} and ${threadName(b)}`;
  const message = `Transaction begun with \`${begin.block.api}\` on the shared handle ${lockName(begin.handle.text)} without a lock held across it, and ${fn.name}() is reached from ${threads}. One engine session holds one transaction at a time: the second begin fails with FWP_E_TXN_IN_PROGRESS (or waits for the first). Hold a lock from begin to commit/abort, or use a per-thread handle.`;
  const related: RelatedSite[] = [];
  for (const t of same ? [a] : [a, b]) {
    const s = t.thread.site;
    if (s) related.push({ file: s.file, span: s.span, message: `${t.thread.routine.name}() started as a thread by ${s.api}()${t.thread.copies > 1 ? ' in a loop' : ''}` });
    related.push(...chainRelated(t.chain));
  }
  const left = [`Thread 1: ${chainText(a.thread.routine, a.chain)}`, `${begin.block.api}(${begin.handle.text})`];
  const width = Math.max(...left.map((s) => s.length)) + 4;
  const col = (s: string) => s.padEnd(width);
  const explanation = [
    `Concurrent transactions on ${begin.handle.text} (${begin.handle.cls})`,
    '',
    col(`Thread 1: ${chainText(a.thread.routine, a.chain)}`) + `Thread 2: ${chainText(b.thread.routine, b.chain)}`,
    col('----') + '----',
    `${begin.block.api}(${begin.handle.text})`,
    col('') + `${begin.block.api}(${begin.handle.text})  <- FWP_E_TXN_IN_PROGRESS`,
    '',
    `Both at ${fn.file}:${lineOf(begin.block.span)} in ${fn.name}(), with no lock held in common.`,
    'Fix: serialize begin … commit/abort with one lock, open a session per thread (FwpmEngineOpen0), or retry on FWP_E_TXN_IN_PROGRESS.',
  ].join('\n');
  return {
    check: 'shared-handle-txn',
    severity: 'warning',
    message,
    file: fn.file,
    span: begin.block.span,
    related,
    explanation,
    fingerprint: fingerprint('shared-handle-txn', fn.qualifiedName, begin.handle.cls),
  };
}
