'use strict';
// The server in a foreign LSP client: Neovim's built-in client, driven headless by
// shared/editors/nvim-diag.sh (initialize, publishDiagnostics, codeAction, didChange, shutdown).
// Skipped with a message when Neovim or the harness is not there.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const HARNESS = path.join(ROOT, '..', 'shared', 'editors', 'nvim-diag.sh');
const SERVER = path.join(ROOT, 'server', 'out', 'server.js');
const FIXTURES = path.join(__dirname, 'fixtures', 'lsp');

function whySkip() {
  if (spawnSync('nvim', ['--version'], { stdio: 'ignore' }).error) return 'neovim not installed: apt-get install neovim (0.7+) to run this test';
  if (!fs.existsSync(HARNESS)) return `neovim harness not found at ${HARNESS}`;
  if (!fs.existsSync(SERVER)) return `${SERVER} not built: run "npm run build"`;
  return undefined;
}

function workspace(name) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `locklint-nvim-${name}-`)));
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

function runHarness(file, extra = []) {
  const res = spawnSync(HARNESS, [ROOT, file, '--timeout', '30', ...extra], { encoding: 'utf8', timeout: 120000 });
  let json;
  try {
    json = JSON.parse(res.stdout.trim().split('\n').pop());
  } catch {
    assert.fail(`nvim-diag printed no JSON (exit ${res.status}):\n${res.stdout}\n${res.stderr}`);
  }
  assert.equal(res.status, 0, `nvim-diag exit ${res.status}: ${res.stderr}\n${JSON.stringify(json.errors)}`);
  return json;
}

test('neovim: diagnostics with code and related information, a quick fix, a re-publish after an edit', { timeout: 150000 }, (t) => {
  const skip = whySkip();
  if (skip) return t.skip(skip);
  const dir = workspace('single');
  const file = path.join(dir, 'relock.c');
  const out = runHarness(file, ['--settings', JSON.stringify({ locklint: { scanOnStartup: false } })]);
  assert.equal(out.serverInfo.name, 'locklint');
  const dl = out.diagnostics.find((d) => d.code === 'double-lock');
  assert.ok(dl, JSON.stringify(out.diagnostics));
  assert.equal(dl.line, 10);
  assert.equal(dl.source, 'locklint');
  assert.equal(dl.severity, 'error');
  assert.deepEqual(dl.relatedInformation.map((r) => [r.file, r.line]), [[file, 8]]);
  assert.deepEqual(out.codeActions.map((a) => [a.title, a.hasEdit]), [
    ['Remove the second acquisition pthread_mutex_lock(&lb->lock)', true],
    ['Explain this double-lock finding', false],
    ['Suppress double-lock on this line', true],
    ['Open documentation for double-lock', false],
  ]);
  assert.ok(out.editDiagnostics.some((d) => d.code === 'double-lock' && d.line === 11), 'moved down by the inserted line');
  assert.equal(out.serverExitCode, 0);
});

test('neovim: the startup scan reports a lock-order cycle whose other half is in a closed file', { timeout: 150000 }, (t) => {
  const skip = whySkip();
  if (skip) return t.skip(skip);
  const dir = workspace('cycle');
  const file = path.join(dir, 'a.c');
  const out = runHarness(file, ['--wait-for-code', 'lock-order']);
  const cycle = out.diagnostics.find((d) => d.code === 'lock-order');
  assert.ok(cycle, JSON.stringify(out.diagnostics));
  assert.equal(cycle.line, 12);
  assert.ok(cycle.relatedInformation.some((r) => r.file === path.join(dir, 'b.c')), 'points into b.c');
  assert.ok(out.otherFilePublishCount >= 1, 'b.c was published too');
  assert.equal(out.serverExitCode, 0);
});
