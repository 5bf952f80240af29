// The workspace lock-order graph as a picture model: lock classes, order edges with their sites,
// cycles marked. Pure: built from function facts, rendered by render.ts (SVG/HTML).
import type { FunctionFacts } from '../core/facts';
import { buildLockGraph, findCycles, stronglyConnectedClasses } from '../core/lock-graph';

export interface GraphSite {
  file: string;
  line: number;   // 0-based
  fn: string;
}

export interface GraphNode {
  id: string;            // the lock class
  label: string;
  acquisitions: number;  // direct acquisition sites in the workspace
  inCycle: boolean;
  /** First acquisition site, for click-through. */
  site?: GraphSite;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** Where `to` is acquired while `from` is held (first few). */
  sites: GraphSite[];
  count: number;
  inCycle: boolean;
  readOnly: boolean;
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  cycles: string[][];
  /** Set when a large graph was cut down to its cycles and their neighbours. */
  collapsed?: { shown: number; total: number };
}

export interface GraphOptions {
  sameClassNesting?: boolean;
  /** Above this many classes, show only strongly connected components and their neighbours. */
  maxNodes?: number;
  full?: boolean;
  sitesPerEdge?: number;
}

export function buildGraphModel(facts: readonly FunctionFacts[], options: GraphOptions = {}): GraphModel {
  const graph = buildLockGraph(facts, options.sameClassNesting ?? false);
  const sitesPerEdge = options.sitesPerEdge ?? 5;
  const cycles = findCycles(graph);
  const cycleEdges = new Set<string>();
  const cycleNodes = new Set<string>();
  for (const cycle of cycles) for (const e of cycle) {
    cycleEdges.add(`${e.from}\u0000${e.to}`);
    cycleNodes.add(e.from);
  }

  const acquisitions = new Map<string, { count: number; site?: GraphSite }>();
  for (const f of facts) {
    for (const a of f.acquires) {
      if (a.via || !a.lock.cls) continue;
      const cls = a.lock.subclass ? `${a.lock.cls}/${a.lock.subclass}` : a.lock.cls;
      const entry = acquisitions.get(cls) ?? { count: 0 };
      entry.count++;
      entry.site ??= { file: f.fn.file, line: a.span.line, fn: f.fn.name };
      acquisitions.set(cls, entry);
    }
  }

  const edges: GraphEdge[] = [];
  const ids = new Set<string>();
  for (const [from, row] of graph.edges) {
    for (const [to, edge] of row) {
      ids.add(from);
      ids.add(to);
      const seen = new Set<string>();
      const sites: GraphSite[] = [];
      for (const s of edge.sites) {
        const key = `${s.fn.file}:${s.inner.span.line}`;
        if (seen.has(key)) continue;
        seen.add(key);
        sites.push({ file: s.fn.file, line: s.inner.span.line, fn: s.fn.name });
      }
      edges.push({
        from, to, sites: sites.slice(0, sitesPerEdge), count: sites.length,
        inCycle: cycleEdges.has(`${from}\u0000${to}`), readOnly: edge.readOnly,
      });
    }
  }
  let keep = ids;
  let collapsed: GraphModel['collapsed'];
  const max = options.maxNodes ?? 60;
  if (!options.full && ids.size > max) {
    const core = new Set(stronglyConnectedClasses(graph).flat());
    const shown = new Set(core);
    for (const e of edges) {
      if (core.has(e.from)) shown.add(e.to);
      if (core.has(e.to)) shown.add(e.from);
    }
    if (shown.size === 0) {
      // No cycles: the busiest classes.
      const degree = new Map<string, number>();
      for (const e of edges) for (const n of [e.from, e.to]) degree.set(n, (degree.get(n) ?? 0) + e.count);
      [...degree.entries()].sort((a, b) => b[1] - a[1]).slice(0, max).forEach(([n]) => shown.add(n));
    }
    keep = shown;
    collapsed = { shown: shown.size, total: ids.size };
  }
  const nodes: GraphNode[] = [...keep].sort().map((id) => ({
    id, label: id, acquisitions: acquisitions.get(id)?.count ?? 0, inCycle: cycleNodes.has(id), site: acquisitions.get(id)?.site,
  }));
  return {
    nodes,
    edges: edges.filter((e) => keep.has(e.from) && keep.has(e.to)).sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1)),
    cycles: cycles.map((c) => c.map((e) => e.from)),
    collapsed,
  };
}
