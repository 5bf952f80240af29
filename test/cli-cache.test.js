'use strict';
// The CLI's disk cache, observed through --stats counters (never through timings): a second run
// is served from it, a damaged entry is a miss, a changed configuration or path is a miss, an
// unusable cache directory is a warning, and the size cap evicts.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const CLI = path.join(__dirname, '..', 'server', 'out', 'cli', 'main.js');

function run(args, cwd, env = {}) {
  const r = spawnSync(process.execPath, [CLI, '--stats', '--format', 'json', ...args], {
    cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: path.join(cwd, '.xdg'), ...env },
  });
  const stat = (re) => Number((r.stderr.match(re) || [])[1]);
  return {
    code: r.status, stdout: r.stdout, stderr: r.stderr,
    findings: r.stdout ? JSON.parse(r.stdout).findings : undefined,
    hits: stat(/ (\d+) hits/), misses: stat(/ (\d+) misses/), corrupt: stat(/ (\d+) corrupt/),
    written: stat(/ (\d+) written/), evicted: stat(/ (\d+) evicted/),
    result: (r.stderr.match(/whole-run result (hit|miss|not looked up)/) || [])[1],
  };
}

function workspace(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'locklint-cache-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const WRAPPED = `#include <pthread.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
void my_lock(pthread_mutex_t *l);
void my_unlock(pthread_mutex_t *l);
void f(void) {
  my_lock(&m);
  my_lock(&m);
  my_unlock(&m);
}
`;
const ABBA = (a, b, name) => `#include <pthread.h>
extern pthread_mutex_t ma, mb;
void ${name}(void) {
  pthread_mutex_lock(&${a});
  pthread_mutex_lock(&${b});
  pthread_mutex_unlock(&${b});
  pthread_mutex_unlock(&${a});
}
`;

function entryFiles(cacheDir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) { if (e.name !== 'results') walk(full); } else out.push(full);
    }
  };
  walk(cacheDir);
  return out;
}

test('a second run is served from the cache and reports the same findings', () => {
  const dir = workspace({ 'a.c': ABBA('ma', 'mb', 'one'), 'b.c': ABBA('mb', 'ma', 'two'), 'ok.go': 'package ok\n' });
  const cold = run(['--cache', 'c', '.'], dir);
  assert.strictEqual(cold.code, 1, cold.stderr);
  assert.deepStrictEqual([cold.hits, cold.misses, cold.written, cold.result], [0, 3, 3, 'miss']);
  const warm = run(['--cache', 'c', '.'], dir);
  assert.strictEqual(warm.result, 'hit', warm.stderr);
  assert.strictEqual(warm.stdout, cold.stdout);
  assert.strictEqual(warm.code, 1);

  // One file touched: the others come from their entries, the whole-run result is recomputed.
  fs.appendFileSync(path.join(dir, 'ok.go'), '// touched\n');
  const touched = run(['--cache', 'c', '.'], dir);
  assert.deepStrictEqual([touched.hits, touched.misses, touched.written, touched.result], [2, 1, 1, 'miss'], touched.stderr);
  assert.strictEqual(touched.stdout, cold.stdout);
});

test('the default cache lives under $XDG_CACHE_HOME/locklint; --no-cache writes nothing', () => {
  const dir = workspace({ 'a.c': ABBA('ma', 'mb', 'one') });
  const off = run(['--no-cache', '.'], dir);
  assert.match(off.stderr, /stats: cache off/);
  assert.ok(!fs.existsSync(path.join(dir, '.xdg')));
  const on = run(['.'], dir);
  assert.strictEqual(on.written, 1, on.stderr);
  assert.ok(fs.existsSync(path.join(dir, '.xdg', 'locklint', 'v1')));
  assert.strictEqual(on.stdout, off.stdout);
});

test('corrupted cache files are ignored and rewritten, never trusted', () => {
  const dir = workspace({ 'a.c': ABBA('ma', 'mb', 'one'), 'b.c': ABBA('mb', 'ma', 'two'), 'w.c': WRAPPED });
  const cold = run(['--cache', 'c', '.'], dir);
  const files = entryFiles(path.join(dir, 'c'));
  assert.strictEqual(files.length, 3);
  // Three kinds of damage: garbage, a truncated file, and a flipped byte inside the payload.
  fs.writeFileSync(files[0], 'not a cache file');
  fs.truncateSync(files[1], Math.floor(fs.statSync(files[1]).size / 2));
  const body = fs.readFileSync(files[2]);
  body[body.length - 10] ^= 1;
  fs.writeFileSync(files[2], body);
  fs.rmSync(path.join(path.dirname(path.dirname(files[0])), 'results'), { recursive: true, force: true });
  const again = run(['--cache', 'c', '.'], dir);
  assert.deepStrictEqual([again.hits, again.misses, again.corrupt, again.written], [0, 3, 3, 3], again.stderr);
  assert.strictEqual(again.stdout, cold.stdout);
  assert.doesNotMatch(again.stderr, /warning/);
  const third = run(['--cache', 'c', '--graph', 'g.svg', '.'], dir); // --graph: entries, not the result
  assert.deepStrictEqual([third.hits, third.corrupt], [3, 0]);
});

test('a changed configuration or path invalidates what it affects', () => {
  const dir = workspace({ 'src/w.c': WRAPPED, 'src/a.c': ABBA('ma', 'mb', 'one') });
  const before = run(['--cache', 'c', 'src'], dir);
  assert.deepStrictEqual(before.findings, [], before.stderr);
  // New lock functions change lowering: every entry is a miss, and the wrapper is now understood.
  fs.writeFileSync(path.join(dir, 'src', '.locklint.json'), JSON.stringify({ lockFunctions: [{ acquire: 'my_lock', release: 'my_unlock' }] }));
  const api = run(['--cache', 'c', 'src'], dir);
  assert.deepStrictEqual([api.hits, api.misses], [0, 2], api.stderr);
  assert.deepStrictEqual(api.findings.map((f) => f.check), ['double-lock']);
  // A severity changes the findings but not lowering: entries hit, the whole-run result does not.
  fs.writeFileSync(path.join(dir, 'src', '.locklint.json'), JSON.stringify({ lockFunctions: [{ acquire: 'my_lock', release: 'my_unlock' }], checks: { 'double-lock': 'info' } }));
  const sev = run(['--cache', 'c', 'src'], dir);
  assert.deepStrictEqual([sev.hits, sev.misses, sev.result], [2, 0, 'miss'], sev.stderr);
  assert.deepStrictEqual(sev.findings.map((f) => f.severity), ['info']);
  // The same content under another path is another entry (paths are inside the IR).
  fs.cpSync(path.join(dir, 'src'), path.join(dir, 'copy'), { recursive: true });
  const moved = run(['--cache', 'c', 'copy'], dir);
  assert.deepStrictEqual([moved.hits, moved.misses], [0, 2], moved.stderr);
  assert.match(moved.findings[0].file, /^copy\//);
});

test('an unusable cache directory is a warning, not a failure', () => {
  const dir = workspace({ 'a.c': ABBA('ma', 'mb', 'one'), 'b.c': ABBA('mb', 'ma', 'two'), 'blocker': 'a file where the cache folder should be' });
  const r = run(['--cache', 'blocker', '.'], dir);
  assert.strictEqual(r.code, 1, r.stderr);
  assert.match(r.stderr, /warning: cache disabled: cannot create/);
  assert.strictEqual(r.findings.length, 2);
  // A cache that exists but cannot be written. Root ignores permissions, so there every place an
  // entry or result would go is taken by a plain file instead of a read-only directory.
  run(['--cache', 'ro', '.'], dir);
  fs.appendFileSync(path.join(dir, 'a.c'), '/* changed */\n');
  const dirs = (d) => [d, ...fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).flatMap((e) => dirs(path.join(d, e.name)))];
  const all = dirs(path.join(dir, 'ro'));
  const asRoot = process.getuid && process.getuid() === 0;
  if (asRoot) {
    const [namespace] = entryFiles(path.join(dir, 'ro')).map((f) => path.dirname(path.dirname(f)));
    for (const name of [...Array(256).keys()].map((i) => i.toString(16).padStart(2, '0')).concat('results')) {
      fs.rmSync(path.join(namespace, name), { recursive: true, force: true });
      fs.writeFileSync(path.join(namespace, name), 'not a directory');
    }
  } else {
    all.forEach((d) => fs.chmodSync(d, 0o500));
  }
  const ro = run(['--cache', 'ro', '.'], dir);
  if (!asRoot) all.forEach((d) => fs.chmodSync(d, 0o700));
  assert.strictEqual(ro.code, 1, ro.stderr);
  assert.match(ro.stderr, /warning: cache not written/);
  assert.strictEqual(ro.findings.length, 2);
});

test('the size cap evicts least recently used files', () => {
  const files = {};
  for (let i = 0; i < 12; i++) files[`f${i}.c`] = ABBA('ma', 'mb', `fn${i}`);
  const dir = workspace(files);
  const r = run(['--cache', 'c', '--cache-max-size', '0.01', '.'], dir); // 10 KiB
  assert.ok(r.evicted > 0, r.stderr);
  const size = entryFiles(path.join(dir, 'c')).reduce((a, f) => a + fs.statSync(f).size, 0);
  assert.ok(size <= 0.01 * 2 ** 20, `${size} bytes left`);
  const again = run(['--cache', 'c', '--cache-max-size', '0.01', '.'], dir);
  assert.strictEqual(again.stdout, r.stdout);
});
