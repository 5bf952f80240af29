// What the workspace knows about one lock, asked for at a source position (hover): its class,
// where that class is acquired, what is held there, and which classes are ordered before and
// after it in the lock graph. Pure: answers from the function facts of the last analysis.
import type { LockKind, LockRef, Op, Site, Span } from '../ir/types';
import type { FunctionFacts, HeldLock } from './facts';
import { buildLockGraph, classOf, stronglyConnectedClasses } from './lock-graph';

export interface LockInfoNeighbour {
  cls: string;
  /** How many acquisitions establish this order. */
  sites: number;
  /** One of them, to link to. */
  example: Site & { fn: string };
}

export interface LockInfo {
  text: string;           // as written at the position: "&dev->lock", "e.mu"
  path: string;
  cls?: string;           // undefined: a function-local lock, not part of the workspace graph
  kind?: LockKind;
  /** The op that names it there. */
  at: Span;
  /** Direct acquisitions of the class anywhere in the workspace, sorted by file and line. */
  acquireSites: (Site & { fn: string })[];
  /** Locks held when this op runs (acquisitions and calls only; undefined where the analysis does not record it). */
  heldHere?: { text: string; cls?: string; line: number }[];
  before: LockInfoNeighbour[];   // X --> this: X is held while this class is taken
  after: LockInfoNeighbour[];    // this --> Y
  /** Other classes in the same strongly connected component of the order graph (a cycle runs through them). */
  cycleWith: string[];
}

function contains(span: Span | undefined, line: number, col: number): boolean {
  if (!span) return false;
  const afterStart = line > span.line || (line === span.line && col >= span.col);
  const beforeEnd = line < span.endLine || (line === span.endLine && col <= span.endCol);
  return afterStart && beforeEnd;
}

function size(span: Span): number {
  return (span.endLine - span.line) * 10000 + (span.endCol - span.col);
}

function lockOf(op: Op): { lock: LockRef; kind?: LockKind } | undefined {
  switch (op.kind) {
    case 'acquire': case 'release': return { lock: op.lock, kind: op.lockKind };
    case 'tryfail': return { lock: op.lock };
    case 'block': return op.lock ? { lock: op.lock } : undefined;
    case 'call': {
      const ref = op.receiverRef ?? op.args.find((a): a is LockRef => a !== null);
      return ref ? { lock: ref } : undefined;
    }
    default: return undefined;
  }
}

export function lockInfoAt(
  facts: readonly FunctionFacts[], file: string, line: number, col: number, sameClassNesting = false,
): LockInfo | undefined {
  let best: { op: Op; span: Span; lock: LockRef; kind?: LockKind; facts: FunctionFacts } | undefined;
  for (const f of facts) {
    if (f.fn.file !== file || !contains(f.fn.span, line, col)) continue;
    for (const node of f.fn.nodes) {
      const ops = node.op.kind === 'defer' ? node.op.ops : [node.op];
      for (const op of ops) {
        const span = 'span' in op ? op.span : undefined;
        if (!span || !contains(span, line, col)) continue;
        const named = lockOf(op);
        if (!named) continue;
        if (!best || size(span) < size(best.span)) best = { op, span, lock: named.lock, kind: named.kind, facts: f };
      }
    }
  }
  if (!best) return undefined;
  const cls = classOf(best.lock);

  const acquireSites: (Site & { fn: string })[] = [];
  const seen = new Set<string>();
  if (cls) {
    for (const f of facts) {
      for (const a of f.acquires) {
        if (a.via || classOf(a.lock) !== cls) continue;
        const key = `${f.fn.file}:${a.span.line}:${a.span.col}`;
        if (seen.has(key)) continue;
        seen.add(key);
        acquireSites.push({ file: f.fn.file, span: a.span, fn: f.fn.name });
      }
    }
    acquireSites.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.line - b.span.line));
  }

  let heldHere: LockInfo['heldHere'];
  const span = best.span;
  const same = (s: Span) => s.line === span.line && s.col === span.col;
  const heldLists: HeldLock[][] = [];
  if (best.op.kind === 'acquire') heldLists.push(...best.facts.acquires.filter((a) => !a.via && same(a.span)).map((a) => a.held));
  if (best.op.kind === 'call') heldLists.push(...best.facts.calls.filter((c) => same(c.op.span)).map((c) => c.held));
  if (best.op.kind === 'block') heldLists.push(...best.facts.blocks.filter((b) => same(b.span)).map((b) => b.held));
  if (heldLists.length > 0) {
    const byKey = new Map<string, HeldLock>();
    for (const list of heldLists) for (const h of list) if (!byKey.has(h.key)) byKey.set(h.key, h);
    heldHere = [...byKey.values()].map((h) => ({ text: h.lock.text, cls: classOf(h.lock), line: h.site.line }));
  }

  const before: LockInfoNeighbour[] = [];
  const after: LockInfoNeighbour[] = [];
  let cycleWith: string[] = [];
  if (cls) {
    const graph = buildLockGraph(facts, sameClassNesting);
    const neighbour = (other: string, sites: { fn: { name: string; file: string }; inner: { span: Span } }[]): LockInfoNeighbour => ({
      cls: other, sites: sites.length, example: { file: sites[0].fn.file, span: sites[0].inner.span, fn: sites[0].fn.name },
    });
    for (const [from, row] of graph.edges) {
      const edge = row.get(cls);
      if (edge && from !== cls) before.push(neighbour(from, edge.sites));
    }
    for (const [to, edge] of graph.edges.get(cls) ?? []) if (to !== cls) after.push(neighbour(to, edge.sites));
    before.sort((a, b) => b.sites - a.sites || (a.cls < b.cls ? -1 : 1));
    after.sort((a, b) => b.sites - a.sites || (a.cls < b.cls ? -1 : 1));
    cycleWith = (stronglyConnectedClasses(graph).find((c) => c.includes(cls)) ?? []).filter((c) => c !== cls);
  }
  return {
    text: best.lock.text, path: best.lock.path, cls, kind: best.kind, at: span,
    acquireSites, heldHere, before, after, cycleWith,
  };
}
