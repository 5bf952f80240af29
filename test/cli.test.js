'use strict';
// The CLI as a user runs it: a real process, real files, exit codes and output formats.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const CLI = path.join(__dirname, '..', 'server', 'out', 'cli', 'main.js');

// The default disk cache goes to a throwaway folder, not the user's.
const CACHE_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'locklint-cli-cache-'));

function run(args, cwd) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: CACHE_HOME } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workspace(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'locklint cli ')); // a space on purpose
  for (const [name, text] of Object.entries(files)) {
    const full = path.join(dir, name);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
  }
  return dir;
}

const DOUBLE = `#include <pthread.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
void f(void) {
  pthread_mutex_lock(&m);
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
}
`;
const CLEAN = `#include <pthread.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
void g(void) { pthread_mutex_lock(&m); pthread_mutex_unlock(&m); }
`;

test('the built CLI is an executable script (`npx locklint` runs it directly)', () => {
  assert.match(fs.readFileSync(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  assert.ok((fs.statSync(CLI).mode & 0o111) !== 0, `mode ${(fs.statSync(CLI).mode & 0o777).toString(8)}`);
});

test('exit code 0 and no report body when nothing is found', () => {
  const dir = workspace({ 'ok.c': CLEAN });
  const r = run(['.'], dir);
  assert.strictEqual(r.code, 0, r.stderr);
});

test('text output: file:line:col, severity, message and check id; exit 1', () => {
  const dir = workspace({ 'src/bad.c': DOUBLE });
  const r = run(['.'], dir);
  assert.strictEqual(r.code, 1, r.stderr);
  assert.match(r.stdout, /src\/bad\.c:5:3: error: .*\[double-lock\]/);
  assert.match(r.stdout, /note: .*first acquired here/);
});

test('json and sarif formats, --output writes a file', () => {
  const dir = workspace({ 'bad.c': DOUBLE });
  const json = run(['--format', 'json', '.'], dir);
  assert.strictEqual(json.code, 1);
  const parsed = JSON.parse(json.stdout);
  assert.ok(Array.isArray(parsed.findings) && parsed.findings.length === 1);
  const out = path.join(dir, 'report.sarif');
  const sarif = run(['-f', 'sarif', '-o', out, '.'], dir);
  assert.strictEqual(sarif.code, 1);
  const log = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.strictEqual(log.version, '2.1.0');
  assert.strictEqual(log.runs[0].results[0].ruleId, 'double-lock');
});

test('usage errors exit 2', () => {
  assert.strictEqual(run(['--format', 'xml'], os.tmpdir()).code, 2);
  assert.strictEqual(run(['--bogus'], os.tmpdir()).code, 2);
});

test('a broken config names the file, line and key, and exits 2', () => {
  const dir = workspace({ 'bad.c': DOUBLE, '.locklint.json': '{\n  "checks": { "lock-ordr": "off" }\n}\n' });
  const r = run(['.'], dir);
  assert.strictEqual(r.code, 2);
  assert.match(r.stderr, /\.locklint\.json:2:\d+: error: .*lock-ordr/);
  const bad = workspace({ 'bad.c': DOUBLE, '.locklint.json': '{ "checks": ' });
  assert.strictEqual(run(['.'], bad).code, 2);
});

test('config turns a check off; suppression comments silence a line', () => {
  const off = workspace({ 'bad.c': DOUBLE, '.locklint.json': '{ "checks": { "double-lock": "off" } }' });
  assert.strictEqual(run(['.'], off).code, 0);
  const suppressed = workspace({ 'bad.c': DOUBLE.replace('  pthread_mutex_lock(&m);\n  pthread_mutex_unlock', '  pthread_mutex_lock(&m); // locklint-ignore double-lock: test\n  pthread_mutex_unlock') });
  assert.strictEqual(run(['.'], suppressed).code, 0);
});

test('.gitignore and --exclude skip files; binary and unreadable inputs are reported, the run goes on', () => {
  const dir = workspace({ 'gen/bad.c': DOUBLE, '.gitignore': 'gen/\n', 'x/bad.c': DOUBLE, 'bin.c': Buffer.from([0x7f, 0x45, 0, 1, 2]), 'ok.go': 'package ok\n' });
  const r = run(['--exclude', 'x/**', '.'], dir);
  assert.strictEqual(r.code, 0, r.stdout);
  assert.match(r.stderr, /bin\.c: skipped: looks like a binary file/);
  const missing = run(['does-not-exist', '.'], dir);
  assert.match(missing.stderr, /does-not-exist: no such file or directory/);
});

test('symlink loops do not hang the scan', () => {
  const dir = workspace({ 'a/bad.c': DOUBLE });
  fs.symlinkSync(dir, path.join(dir, 'a', 'loop'));
  const r = run(['.'], dir);
  assert.strictEqual(r.code, 1);
  assert.strictEqual((r.stdout.match(/\[double-lock\]/g) || []).length, 1);
});
