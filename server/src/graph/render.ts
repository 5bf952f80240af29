// Renders a GraphModel: dagre lays it out (here, in Node, so the page needs no script library),
// then plain SVG, wrapped in a self-contained HTML page with click-through. Pure: strings out.
import * as dagre from '@dagrejs/dagre';
import type { GraphModel, GraphSite } from './model';

export interface LaidOut {
  width: number;
  height: number;
  nodes: { id: string; x: number; y: number; w: number; h: number }[];
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
}

const CHAR_W = 7.2;
const NODE_H = 36;

export function layoutGraph(model: GraphModel): LaidOut {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 70, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of model.nodes) g.setNode(n.id, { width: Math.max(80, n.label.length * CHAR_W + 24), height: NODE_H });
  for (const e of model.edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const graph = g.graph();
  return {
    width: Math.ceil(graph.width ?? 0),
    height: Math.ceil(graph.height ?? 0),
    nodes: model.nodes.map((n) => {
      const p = g.node(n.id);
      return { id: n.id, x: p.x, y: p.y, w: p.width, h: p.height };
    }),
    edges: model.edges.map((e) => ({ from: e.from, to: e.to, points: ((g.edge(e.from, e.to)?.points ?? []) as { x: number; y: number }[]).map((p) => ({ x: p.x, y: p.y })) })),
  };
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function siteAttr(site: GraphSite | undefined): string {
  return site ? ` data-file="${escapeXml(site.file)}" data-line="${site.line}"` : '';
}

export interface RenderOptions {
  /** How a site is shown in tooltips (e.g. relative to the workspace root). */
  displayPath?: (file: string) => string;
}

export function renderSvg(model: GraphModel, options: RenderOptions = {}): string {
  const show = options.displayPath ?? ((f: string) => f);
  const layout = layoutGraph(model);
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const width = Math.max(layout.width, 200);
  const height = Math.max(layout.height, 60);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="lock-graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="12">`);
  out.push('<defs>'
    + '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker>'
    + '<marker id="arrow-cycle" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#dc2626"/></marker>'
    + '</defs>');
  if (model.nodes.length === 0) out.push('<text x="20" y="35" fill="#6b7280">No lock is acquired while another is held.</text>');
  model.edges.forEach((e, i) => {
    const pts = layout.edges[i].points;
    if (pts.length === 0) return;
    const d = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    const title = `${e.from} → ${e.to}: ${e.count} site${e.count === 1 ? '' : 's'}\n${e.sites.map((s) => `${s.fn}() ${show(s.file)}:${s.line + 1}`).join('\n')}`;
    const cls = `edge${e.inCycle ? ' cycle' : ''}${e.readOnly ? ' read-only' : ''}`;
    out.push(`<g class="${cls}" data-from="${escapeXml(e.from)}" data-to="${escapeXml(e.to)}"${siteAttr(e.sites[0])}><title>${escapeXml(title)}</title>`
      + `<path d="${d}" fill="none" stroke="${e.inCycle ? '#dc2626' : '#6b7280'}" stroke-width="${e.inCycle ? 2.5 : 1.4}"${e.readOnly ? ' stroke-dasharray="4 3"' : ''} marker-end="url(#${e.inCycle ? 'arrow-cycle' : 'arrow'})"/>`
      + `<path d="${d}" fill="none" stroke="transparent" stroke-width="10"/></g>`);
  });
  for (const p of layout.nodes) {
    const n = byId.get(p.id)!;
    const title = `${n.id}\nacquired at ${n.acquisitions} site${n.acquisitions === 1 ? '' : 's'}${n.site ? `, first in ${n.site.fn}() ${show(n.site.file)}:${n.site.line + 1}` : ''}${n.inCycle ? '\npart of a lock-order cycle' : ''}`;
    out.push(`<g class="node${n.inCycle ? ' cycle' : ''}" data-class="${escapeXml(n.id)}"${siteAttr(n.site)}><title>${escapeXml(title)}</title>`
      + `<rect x="${(p.x - p.w / 2).toFixed(1)}" y="${(p.y - p.h / 2).toFixed(1)}" width="${p.w.toFixed(1)}" height="${p.h}" rx="6" fill="${n.inCycle ? '#fee2e2' : '#f3f4f6'}" stroke="${n.inCycle ? '#dc2626' : '#9ca3af'}" stroke-width="${n.inCycle ? 2 : 1}"/>`
      + `<text x="${p.x.toFixed(1)}" y="${(p.y + 4).toFixed(1)}" text-anchor="middle" fill="#111827">${escapeXml(n.label)}</text></g>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

export interface HtmlOptions extends RenderOptions {
  title?: string;
  /** Content-Security-Policy nonce for the inline script (VS Code webviews). */
  nonce?: string;
  cspSource?: string;
}

/**
 * A self-contained page: the SVG, a legend, the list of cycles with their sites. Clicking a node,
 * an edge or a site posts `{command: 'open', file, line}` to VS Code inside a webview, and opens a
 * `file://` link elsewhere.
 */
export function renderHtml(model: GraphModel, options: HtmlOptions = {}): string {
  const show = options.displayPath ?? ((f: string) => f);
  const title = options.title ?? 'locklint: lock order graph';
  const nonce = options.nonce ? ` nonce="${options.nonce}"` : '';
  const csp = options.cspSource !== undefined
    ? `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline' ${options.cspSource}; script-src 'nonce-${options.nonce}';">`
    : '';
  const cycleItems = model.cycles.map((c, i) => {
    const steps = c.map((cls, j) => {
      const to = c[(j + 1) % c.length];
      const edge = model.edges.find((e) => e.from === cls && e.to === to);
      const site = edge?.sites[0];
      return `<li><code>${escapeXml(cls)}</code> → <code>${escapeXml(to)}</code>${site ? ` in <a href="#" class="site"${siteAttr(site)}>${escapeXml(site.fn)}() ${escapeXml(show(site.file))}:${site.line + 1}</a>` : ''}${edge && edge.count > 1 ? ` (+${edge.count - 1} more)` : ''}</li>`;
    }).join('');
    return `<li class="cycle-item">Cycle ${i + 1}: <ul>${steps}</ul></li>`;
  }).join('\n');
  const summary = `${model.nodes.length} lock class${model.nodes.length === 1 ? '' : 'es'}, ${model.edges.length} order edge${model.edges.length === 1 ? '' : 's'}, ${model.cycles.length} cycle${model.cycles.length === 1 ? '' : 's'}`
    + (model.collapsed ? ` — showing ${model.collapsed.shown} of ${model.collapsed.total} classes (cycles and their neighbours)` : '');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
${csp}
<title>${escapeXml(title)}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 16px; color: #111827; background: #ffffff; }
  h1 { font-size: 18px; margin: 0 0 4px; }
  .summary { color: #4b5563; margin-bottom: 12px; }
  .legend { font-size: 12px; color: #4b5563; margin-bottom: 8px; }
  .legend span { display: inline-block; margin-right: 14px; }
  .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; vertical-align: -2px; margin-right: 4px; }
  .canvas { overflow: auto; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px; }
  .node, .edge, a.site { cursor: pointer; }
  .node:hover rect { stroke-width: 3; }
  .edge:hover path:first-of-type { stroke-width: 3.5; }
  ul.cycles { padding-left: 20px; }
  code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
<div class="summary" id="summary">${escapeXml(summary)}</div>
<div class="legend"><span><i class="swatch" style="background:#fee2e2;border:2px solid #dc2626"></i>class on a cycle</span><span><i class="swatch" style="background:#f3f4f6;border:1px solid #9ca3af"></i>lock class</span><span>A → B: B is acquired while A is held (red: part of a cycle, dashed: readers only)</span></div>
<div class="canvas">
${renderSvg(model, options)}
</div>
${model.cycles.length > 0 ? `<h2 style="font-size:15px">Cycles</h2>\n<ul class="cycles">\n${cycleItems}\n</ul>` : ''}
<script${nonce}>
(function () {
  var vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
  document.addEventListener('click', function (event) {
    var el = event.target;
    while (el && el !== document && !(el.getAttribute && el.getAttribute('data-file'))) el = el.parentNode;
    if (!el || el === document) return;
    event.preventDefault();
    var file = el.getAttribute('data-file');
    var line = Number(el.getAttribute('data-line'));
    if (vscode) vscode.postMessage({ command: 'open', file: file, line: line });
    else window.location.href = 'file://' + (file.charAt(0) === '/' ? '' : '/') + file.split('\\\\').join('/') + '#L' + (line + 1);
  });
})();
</script>
</body>
</html>
`;
}
