// The workspace lock-order graph: lock classes as nodes, "B acquired while holding A" as edges,
// and the elementary cycles that make deadlocks possible.
import type { FunctionIR } from '../ir/types';
import type { AcquireFact, FunctionFacts, HeldLock } from './facts';
import { stronglyConnected } from './scc';

export interface OrderSite {
  fn: FunctionIR;
  outer: HeldLock;
  inner: AcquireFact;
}

export interface OrderEdge {
  from: string;
  to: string;
  sites: OrderSite[];
  /** Every site holds the outer lock shared and takes the inner one shared: readers do not block readers. */
  readOnly: boolean;
}

export interface LockGraph {
  edges: Map<string, Map<string, OrderEdge>>;   // from -> to -> edge
}

const UNORDERED_KINDS = new Set(['rcu', 'epoch', 'irqoff']);

export function classOf(lock: { cls?: string; subclass?: string }): string | undefined {
  if (!lock.cls) return undefined;
  return lock.subclass ? `${lock.cls}/${lock.subclass}` : lock.cls;
}

export function buildLockGraph(functions: readonly FunctionFacts[], sameClassNesting = false): LockGraph {
  const edges = new Map<string, Map<string, OrderEdge>>();
  for (const facts of functions) {
    for (const inner of facts.acquires) {
      if (inner.try || UNORDERED_KINDS.has(inner.lockKind)) continue;
      const to = classOf(inner.lock);
      if (!to) continue;
      for (const outer of inner.held) {
        if (UNORDERED_KINDS.has(outer.lockKind)) continue;
        const from = classOf(outer.lock);
        if (!from) continue;
        if (from === to && !(sameClassNesting && outer.lock.path !== inner.lock.path)) continue;
        let row = edges.get(from);
        if (!row) edges.set(from, (row = new Map()));
        let edge = row.get(to);
        if (!edge) row.set(to, (edge = { from, to, sites: [], readOnly: true }));
        edge.sites.push({ fn: facts.fn, outer, inner });
        if (!(outer.mode === 'shared' && inner.mode === 'shared')) edge.readOnly = false;
      }
    }
  }
  return { edges };
}

/** Components of the class graph with more than one lock class: where cycles live. */
export function stronglyConnectedClasses(graph: LockGraph): string[][] {
  const nodes = new Set<string>();
  for (const [from, row] of graph.edges) {
    nodes.add(from);
    for (const to of row.keys()) nodes.add(to);
  }
  return stronglyConnected([...nodes].sort(), (n) => [...(graph.edges.get(n)?.keys() ?? [])].sort())
    .filter((c) => c.length > 1)
    .map((c) => c.sort());
}

/**
 * Elementary cycles, shortest first: for each edge u->v inside a component, the shortest path
 * back from v to u closes a cycle. Bounded per component so a huge tangle stays cheap.
 */
export function findCycles(graph: LockGraph, maxPerComponent = 64): OrderEdge[][] {
  const cycles: OrderEdge[][] = [];
  const seen = new Set<string>();
  for (const component of stronglyConnectedClasses(graph)) {
    const members = new Set(component);
    let found = 0;
    const candidates: OrderEdge[][] = [];
    for (const u of component) {
      for (const [v, edge] of graph.edges.get(u) ?? []) {
        if (!members.has(v)) continue;
        const back = shortestPath(graph, v, u, members);
        if (!back) continue;
        const cycle = [edge, ...back];
        if (cycle.every((e) => e.readOnly)) continue;
        const key = canonical(cycle);
        if (seen.has(key)) continue;
        seen.add(key);
        candidates.push(cycle);
        if (++found >= maxPerComponent) break;
      }
      if (found >= maxPerComponent) break;
    }
    candidates.sort((a, b) => a.length - b.length);
    cycles.push(...candidates);
  }
  return cycles;
}

function canonical(cycle: OrderEdge[]): string {
  const names = cycle.map((e) => e.from);
  let best = 0;
  for (let i = 1; i < names.length; i++) if (names[i] < names[best]) best = i;
  return [...names.slice(best), ...names.slice(0, best)].join(' -> ');
}

function shortestPath(graph: LockGraph, from: string, to: string, within: Set<string>): OrderEdge[] | undefined {
  const prev = new Map<string, OrderEdge>();
  const queue = [from];
  const visited = new Set([from]);
  while (queue.length > 0) {
    const n = queue.shift()!;
    if (n === to) break;
    for (const [m, edge] of graph.edges.get(n) ?? []) {
      if (!within.has(m) || visited.has(m)) continue;
      visited.add(m);
      prev.set(m, edge);
      queue.push(m);
    }
  }
  if (from !== to && !prev.has(to)) return undefined;
  const path: OrderEdge[] = [];
  let cur = to;
  while (cur !== from) {
    const e = prev.get(cur)!;
    path.unshift(e);
    cur = e.from;
  }
  return path;
}
