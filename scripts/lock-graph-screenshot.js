#!/usr/bin/env node
// Renders the lock order graph page for some sources in headless chromium, as a person sees it:
//   node scripts/lock-graph-screenshot.js [--out docs/images/lock-graph.png] [--dom FILE] [paths...]
// Writes the page with `locklint --graph`, then runs chromium --screenshot (and --dump-dom with
// --dom). Exit 3 when chromium is missing. Used by test/graph.test.js (DOM) and for the docs image.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'server', 'out', 'cli', 'main.js');

function findChromium() {
  for (const candidate of [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function chromiumArgs(userDataDir) {
  return ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${userDataDir}`, '--hide-scrollbars'];
}

/** Writes the graph page for `paths`; returns its path. */
function writeGraphPage(paths, dir) {
  const html = path.join(dir, 'lock-graph.html');
  const run = spawnSync(process.execPath, [CLI, '--graph', html, '-q', '-f', 'json', ...paths], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 1) throw new Error(`locklint failed (${run.status}): ${run.stderr}`);
  return html;
}

/** Runs chromium on a page; returns the DOM after scripts ran (and writes a screenshot when asked). */
function render(chromium, page, { screenshot, width = 1400, height = 900 } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'locklint-chromium-'));
  try {
    const url = `file://${page}`;
    if (screenshot) {
      execFileSync(chromium, [...chromiumArgs(profile), `--window-size=${width},${height}`, `--screenshot=${screenshot}`, url], { stdio: 'ignore', timeout: 60000 });
    }
    return execFileSync(chromium, [...chromiumArgs(profile), '--dump-dom', url], { encoding: 'utf8', timeout: 60000, stdio: ['ignore', 'pipe', 'ignore'] });
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

function main(argv) {
  let out = path.join(ROOT, 'docs', 'images', 'lock-graph.png');
  let dom;
  const paths = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') out = path.resolve(argv[++i]);
    else if (argv[i] === '--dom') dom = path.resolve(argv[++i]);
    else paths.push(argv[i]);
  }
  if (paths.length === 0) paths.push('examples/bpf-hashmap-abba', 'test/fixtures/quickfix/c/lock_order_swap.c', 'test/fixtures/quickfix/go/lock_order_swap.go', 'test/fixtures/c/lock-order/bad_three_lock_cycle.c', 'test/fixtures/c/lock-order/ok_consistent_order.c', 'test/fixtures/c/lock-order/bad_abba_two_structs.c');
  const chromium = findChromium();
  if (!chromium) {
    process.stderr.write('lock-graph-screenshot: chromium not found (apt-get install chromium, or set CHROMIUM)\n');
    return 3;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'locklint-graph-'));
  const page = writeGraphPage(paths, dir);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const html = render(chromium, page, { screenshot: out });
  if (dom) fs.writeFileSync(dom, html);
  process.stdout.write(`${out}\n`);
  return 0;
}

module.exports = { findChromium, writeGraphPage, render };
if (require.main === module) process.exitCode = main(process.argv.slice(2));
