'use strict';
// The lock order graph: the model (classes, edges, cycles, collapsing), the SVG/HTML pages, the
// CLI's --graph, and the page as headless chromium renders it (skipped when chromium is missing).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Engine } = require('../server/out/engine');
const { buildGraphModel } = require('../server/out/graph/model');
const { renderHtml, renderSvg } = require('../server/out/graph/render');
const { parserFor, ROOT } = require('./helpers/engine');
const { findChromium, writeGraphPage, render } = require('../scripts/lock-graph-screenshot');

const SWAP_C = path.join(__dirname, 'fixtures', 'quickfix', 'c', 'lock_order_swap.c');

async function factsOf(files) {
  const engine = await Engine.create({ parser: await parserFor('wasm') });
  for (const f of files) engine.setFile(f, fs.readFileSync(f, 'utf8'));
  engine.analyze();
  return engine.functionFacts;
}

test('the model has the classes, the order edges with sites, and the cycle', async () => {
  const model = buildGraphModel(await factsOf([SWAP_C]));
  assert.deepEqual(model.nodes.map((n) => [n.id.replace(/^.*:/, ''), n.inCycle, n.acquisitions]), [['lock_a', true, 3], ['lock_b', true, 3]]);
  assert.deepEqual(model.edges.map((e) => [e.from.replace(/^.*:/, ''), e.to.replace(/^.*:/, ''), e.count, e.inCycle]), [['lock_a', 'lock_b', 2, true], ['lock_b', 'lock_a', 1, true]]);
  assert.deepEqual(model.edges[0].sites.map((s) => [s.fn, s.line + 1]), [['writer_one', 11], ['writer_two', 21]]);
  assert.equal(model.cycles.length, 1);
});

test('a large graph collapses to its cycles and their neighbours', async () => {
  const dir = path.join(__dirname, 'fixtures', 'c', 'lock-order');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.c')).map((f) => path.join(dir, f));
  const facts = await factsOf(files);
  const full = buildGraphModel(facts, { full: true });
  const small = buildGraphModel(facts, { maxNodes: 4 });
  assert.ok(small.collapsed && small.collapsed.total === full.nodes.length);
  assert.ok(small.nodes.length <= full.nodes.length);
  for (const n of full.nodes.filter((x) => x.inCycle)) assert.ok(small.nodes.some((s) => s.id === n.id), `${n.id} (on a cycle) stays`);
  assert.match(renderHtml(small), /showing \d+ of \d+ classes \(cycles and their neighbours\)/);
});

test('SVG and HTML: nodes, red cycle edges, click targets, escaped names', async () => {
  const model = buildGraphModel(await factsOf([SWAP_C]));
  const svg = renderSvg(model);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<g class="node cycle"/g) ?? []).length, 2);
  assert.equal((svg.match(/<g class="edge cycle"/g) ?? []).length, 2);
  assert.match(svg, /data-file="[^"]*lock_order_swap\.c" data-line="10"/);
  const html = renderHtml({ nodes: [{ id: 'struct <x>.lock', label: 'struct <x>.lock', acquisitions: 0, inCycle: false }], edges: [], cycles: [] }, { nonce: 'abc', cspSource: 'vscode-resource:' });
  assert.match(html, /struct &lt;x&gt;\.lock/);
  assert.match(html, /<script nonce="abc">/);
  assert.match(html, /Content-Security-Policy/);
});

test('the CLI writes the graph with --graph FILE.html and FILE.svg', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'locklint-graph-cli-'));
  for (const name of ['g.html', 'g.svg']) {
    const out = path.join(dir, name);
    const run = spawnSync(process.execPath, [path.join(ROOT, 'server', 'out', 'cli', 'main.js'), '--graph', out, '-q', SWAP_C], { encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr); // findings: exit 1, as without --graph
    const text = fs.readFileSync(out, 'utf8');
    assert.match(text, name.endsWith('.svg') ? /^<svg/ : /^<!DOCTYPE html>/);
    assert.match(text, /class="node cycle"/);
  }
  const bad = spawnSync(process.execPath, [path.join(ROOT, 'server', 'out', 'cli', 'main.js'), '--graph', path.join(dir, 'g.png'), SWAP_C], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--graph needs a \.html or \.svg file name/);
});

const chromium = findChromium();
test('headless chromium renders the page: nodes laid out, the cycle highlighted', { skip: chromium ? false : 'chromium not installed (/usr/bin/chromium): the rendered-page test is skipped', timeout: 90000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'locklint-graph-dom-'));
  const page = writeGraphPage([SWAP_C, path.join(ROOT, 'examples', 'bpf-hashmap-abba')], dir);
  const dom = render(chromium, page, { screenshot: path.join(dir, 'shot.png') });
  assert.ok(fs.statSync(path.join(dir, 'shot.png')).size > 1000, 'a screenshot was taken');
  assert.match(dom, /id="summary">4 lock classes, 4 order edges, 2 cycles</);
  const nodes = [...dom.matchAll(/<g class="node( cycle)?" data-class="([^"]+)"[^>]*>[\s\S]*?<rect x="([\d.-]+)" y="([\d.-]+)"/g)];
  assert.equal(nodes.length, 4);
  assert.ok(nodes.every((n) => n[1] === ' cycle'), 'every class here is on a cycle');
  assert.equal(new Set(nodes.map((n) => `${n[3]},${n[4]}`)).size, 4, 'laid out at distinct positions');
  assert.equal((dom.match(/<g class="edge cycle"/g) ?? []).length, 4, 'cycle edges highlighted');
  assert.match(dom, /Cycle 1:/);
});
