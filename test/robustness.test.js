'use strict';
// Issue 9: what a real workspace throws at locklint. Bad files, bad paths, bad configuration and
// pathological functions go through the real CLI (a process) and the engine (both parsers); each
// must finish without a crash, exit 0 or 1 (never 2), and give the same findings every time.
// Nothing asserts speed (bench/ does), but every test has a timeout so that a hang fails.
// Big inputs are generated in os.tmpdir() at test time.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { Engine } = require('../server/out/engine');
const { ALL_CHECKS } = require('../server/out/checks/index');
const { analyzeProgram } = require('../server/out/core/analyze');
const { computeProgramFacts, ProgramCache } = require('../server/out/core/program');
const { exploreFunction } = require('../server/out/core/explore');
const { runCli } = require('../server/out/cli/run');
const { parserFor } = require('./helpers/engine');

const CLI = path.join(__dirname, '..', 'server', 'out', 'cli', 'main.js');
const KERNEL = '/work/corpora/linux-source-6.1';
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

function run(args, cwd) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function tmpdir(label) {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `locklint-robust-${label}-`)));
}

function workspace(label, files) {
  const dir = tmpdir(label);
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return dir;
}

/** file:line:check of each finding in a JSON report, sorted. */
function jsonFindings(stdout) {
  return JSON.parse(stdout).findings.map((f) => `${f.file}:${f.line}:${f.check}`).sort();
}

/** Runs the CLI twice (json) and, where it loads, once with the native parser: same findings each time. */
function stableScan(dir, extra = []) {
  const first = run(['--format', 'json', ...extra, '.'], dir);
  assert.ok(first.code === 0 || first.code === 1, `exit ${first.code} (${first.signal ?? ''}): ${first.stderr}`);
  const again = run(['--format', 'json', ...extra, '.'], dir);
  assert.equal(again.code, first.code);
  assert.deepEqual(jsonFindings(again.stdout), jsonFindings(first.stdout), 'a second run gives the same findings');
  return { ...first, findings: jsonFindings(first.stdout) };
}

const PARSERS = ['wasm', 'native'];

async function engineFor(parser, options = {}) {
  const p = await parserFor(parser);
  return p ? Engine.create({ parser: p, maxFileSize: 64 * 1024 * 1024, ...options }) : undefined;
}

/** One file through the engine: its problems, findings (line:check, 1-based) and the function IRs. */
async function analyzeOne(parser, file, text, options) {
  const engine = await engineFor(parser, options);
  if (!engine) return undefined;
  const problems = engine.setFile(file, text);
  const result = engine.analyze();
  return {
    problems: problems.map((p) => p.message),
    internal: [...problems, ...result.problems].map((p) => p.message).filter((m) => /internal error|front end failed|check [\w-]+ failed/.test(m)),
    findings: result.findings.map((f) => `${f.span.line + 1}:${f.check}`).sort(),
    functions: engine.getEntry(file)?.ir.functions ?? [],
  };
}

const DOUBLE_C = `#include <pthread.h>
static pthread_mutex_t m;
void f(void) {
  pthread_mutex_lock(&m);
  pthread_mutex_lock(&m);
  pthread_mutex_unlock(&m);
}
`;
const DOUBLE_GO = `package p

import "sync"

var mu sync.Mutex

func f() {
	mu.Lock()
	mu.Lock()
	mu.Unlock()
}
`;

// ---------------------------------------------------------------------------------------------
// 1. Bad files

test('odd encodings, line ends, NUL bytes, truncation and broken braces: no crash, right lines, stable', { timeout: 60000 }, () => {
  const renamed = (text, name) => text.replace('void f(void)', `void ${name}(void)`).replace('func f()', `func ${name}()`);
  const dir = workspace('badfiles', {
    'lf.c': DOUBLE_C,
    'crlf.c': DOUBLE_C.replace(/\n/g, '\r\n'),
    'cr.c': DOUBLE_C.replace(/\n/g, '\r'),                                       // old Mac line ends
    'bom.c': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(DOUBLE_C)]),
    'bad-utf8.c': Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80, 0x0a]), Buffer.from(DOUBLE_C)]),
    // NUL bytes after the 8 KiB binary probe: analysed, the code after them too.
    'late-nul.c': Buffer.concat([Buffer.from(DOUBLE_C + `/*${'x'.repeat(9000)}*/\n`), Buffer.from([0, 0, 0x0a]), Buffer.from(renamed(DOUBLE_C, 'g').split('\n').slice(2).join('\n'))]),
    'binary.c': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0xff, 0xfe, 0x10]),
    'binary.go': crypto.randomBytes(4096).map((b) => b || 1),             // binary without a NUL: garbage text
    'truncated.c': DOUBLE_C.slice(0, DOUBLE_C.indexOf('pthread_mutex_lock(&m);\n  pthread_mutex_lock(&m)') + 30),
    // f() sits inside a block that never closes: nothing is reported inside it; h() after it is.
    'unbalanced.c': `void a(void) { {{{ \n${DOUBLE_C}\n}}}}}}}\n${renamed(DOUBLE_C, 'h')}`,
    // k() does not parse (its double lock is not reported); ok() after it does.
    'unparsable.c': `#define X(a) a ## ## )\nvoid k(void) { @@@ $$$ ((( ;;; pthread_mutex_lock(&m); pthread_mutex_lock(&m); }\nstatic int (*(*p)[3])(int) = ;\n${renamed(DOUBLE_C, 'ok')}`,
    'crlf.go': DOUBLE_GO.replace(/\n/g, '\r\n'),
    'bom.go': '\ufeff' + DOUBLE_GO,
    'broken.go': `package p\n\nfunc broken() {\n\tmu.Lock(\n\tmu.Lock()\n\tif {{ }\n}\n\n${DOUBLE_GO.split('\n').slice(6).join('\n').replace('func f()', 'func g()')}`,
  });
  const r = stableScan(dir);
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.findings, [
    'bad-utf8.c:6:double-lock', 'bom.c:5:double-lock', 'bom.go:9:double-lock', 'broken.go:11:double-lock', 'cr.c:5:double-lock',
    'crlf.c:5:double-lock', 'crlf.go:9:double-lock', 'late-nul.c:12:double-lock', 'late-nul.c:5:double-lock', 'lf.c:5:double-lock',
    'unbalanced.c:15:double-lock', 'unparsable.c:8:double-lock',
  ]);
  assert.match(r.stderr, /binary\.c: skipped: looks like a binary file/);
  const native = PARSERS.includes('native') && run(['--format', 'json', '--parser', 'native', '.'], dir);
  if (native && native.code !== 2) assert.deepEqual(jsonFindings(native.stdout), r.findings, 'the native parser agrees');
});

test('a 20 MB generated file is skipped with one clear message; with a raised limit it is analysed', { timeout: 180000 }, () => {
  const dir = tmpdir('huge');
  const head = `#include <pthread.h>
static pthread_mutex_t a, b;
void ab(void) { pthread_mutex_lock(&a); pthread_mutex_lock(&b); pthread_mutex_unlock(&b); pthread_mutex_unlock(&a); }
void ba(void) { pthread_mutex_lock(&b); pthread_mutex_lock(&a); pthread_mutex_unlock(&a); pthread_mutex_unlock(&b); }
`;
  const parts = [head];
  let size = head.length;
  for (let i = 0; size < 20 * 1024 * 1024; i++) {
    const line = `#define REG_${i}_CTRL 0x${(i * 4).toString(16)} /* control register ${i} */\n`;
    parts.push(line);
    size += line.length;
  }
  fs.writeFileSync(path.join(dir, 'regs.h'), parts.join(''));
  fs.writeFileSync(path.join(dir, 'small.c'), DOUBLE_C);
  try {
    const skipped = run(['.'], dir);
    assert.equal(skipped.code, 1, skipped.stderr);
    const messages = skipped.stderr.split('\n').filter((l) => l.includes('regs.h'));
    assert.equal(messages.length, 1, skipped.stderr);
    assert.match(messages[0], /regs\.h: skipped: \d+ bytes is over the 1048576-byte limit \(raise maxFileSize in \.locklint\.json or --max-file-size\)/);
    assert.match(skipped.stdout, /small\.c:5:3: error/);

    const analysed = run(['--format', 'json', '--max-file-size', String(32 * 1024 * 1024), '.'], dir);
    assert.equal(analysed.code, 1, analysed.stderr);
    assert.doesNotMatch(analysed.stderr, /regs\.h/);
    assert.deepEqual(jsonFindings(analysed.stdout), ['regs.h:3:lock-order', 'regs.h:4:lock-order', 'small.c:5:double-lock']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a 100,000-line function completes with both languages', { timeout: 120000 }, async () => {
  const c = 'void big(int *c)\n{\n\tspin_lock(&l);\n' + Array.from({ length: 100000 }, (_, i) => (i % 10 === 0 ? `\tif (c[${i}]) step(${i});\n` : `\tn += ${i};\n`)).join('') + '\tspin_lock(&l);\n}\n';
  const go = 'package p\n\nfunc big(c []bool) {\n\tmu.Lock()\n' + Array.from({ length: 100000 }, (_, i) => (i % 10 === 0 ? `\tif c[${i}] { step(${i}) }\n` : `\tn += ${i}\n`)).join('') + '\tmu.Lock()\n}\n';
  for (const [file, text, line] of [['big.c', c, 100004], ['big.go', go, 100005]]) {
    const r = await analyzeOne('wasm', file, text);
    assert.deepEqual(r.internal, [], file);
    // Within the default limits the lock taken again at the end is still found.
    assert.ok(r.findings.includes(`${line}:double-lock`) || r.problems.some((p) => /too large/.test(p)), `${file}: ${r.findings} ${r.problems}`);
  }
});

test('5,000 nested blocks, a 10,000-case switch and a 10,000-arm else-if chain: no stack overflow', { timeout: 120000 }, async () => {
  const cases = {
    'nested.c': 'void f(void)\n{\n' + '{'.repeat(5000) + 'spin_lock(&l); spin_lock(&l);' + '}'.repeat(5000) + '\n}\n',
    'nested-if.c': 'void f(int c)\n{\n' + 'if (c) {\n'.repeat(5000) + 'g();\n' + '}\n'.repeat(5000) + '}\n',
    'nested.go': 'package p\n\nfunc f() {\n' + '{\n'.repeat(5000) + 'mu.Lock()\nmu.Lock()\n' + '}\n'.repeat(5000) + '}\n',
    'nested-if.go': 'package p\n\nfunc f(c bool) {\n' + 'if c {\n'.repeat(5000) + 'g()\n' + '}\n'.repeat(5000) + '}\n',
    'switch.c': 'void f(int c)\n{\n\tswitch (c) {\n' + Array.from({ length: 10000 }, (_, i) => `\tcase ${i}: spin_lock(&l${i % 7}); spin_unlock(&l${i % 7}); break;\n`).join('') + '\t}\n}\n',
    'switch.go': 'package p\n\nfunc f(c int) {\n\tswitch c {\n' + Array.from({ length: 10000 }, (_, i) => `\tcase ${i}:\n\t\tmu${i % 7}.Lock()\n\t\tmu${i % 7}.Unlock()\n`).join('') + '\t}\n}\n',
    'elseif.c': 'void f(int c)\n{\n\tif (c == 0) g();\n' + Array.from({ length: 10000 }, (_, i) => `\telse if (c == ${i + 1}) h(${i});\n`).join('') + '}\n',
    'elseif.go': 'package p\n\nfunc f(c int) {\n\tif c == 0 { g() }' + Array.from({ length: 10000 }, (_, i) => ` else if c == ${i + 1} { h(${i}) }`).join('') + '\n}\n',
    'parens.c': 'int f(void) { return ' + '('.repeat(5000) + '1' + ')'.repeat(5000) + '; }\n',
    'calls.go': 'package p\n\nfunc f() { ' + 'g('.repeat(3000) + ')'.repeat(3000) + ' }\n',
    'literals.go': 'package p\n\nfunc f() { ' + 'func() { '.repeat(2000) + 'mu.Lock()' + ' }()'.repeat(2000) + ' }\n',
    'conds.c': 'void f(void) { if (' + Array.from({ length: 5000 }, (_, i) => `a${i}`).join(' && ') + ') g(); }\n',
  };
  // Every shape with WASM; the cheap ones with the native parser too (the big ones only cost time there).
  const runs = [...Object.keys(cases).map((f) => ['wasm', f]), ...['nested.c', 'nested-if.c', 'nested.go', 'parens.c', 'calls.go', 'conds.c'].map((f) => ['native', f])];
  for (const [parser, file] of runs) {
    {
      const text = cases[file];
      const r = await analyzeOne(parser, file, text);
      if (!r) continue; // native binding not installed here
      assert.deepEqual(r.internal, [], `${parser} ${file}`);
      // Deep nesting is cut at the front end's depth limit: the function is flagged, nothing inside it reported.
      if (/^nested\./.test(file)) assert.ok(r.problems.some((p) => /nest/.test(p)), `${parser} ${file}: ${r.problems}`);
      if (/^nested\./.test(file)) assert.deepEqual(r.findings, [], `${parser} ${file}`);
    }
  }
});

test('macro-heavy kernel files: no crash, same findings twice and with both parsers, sources untouched', { timeout: 120000 }, (t) => {
  const picks = ['kernel/workqueue.c', 'mm/slub.c', 'fs/ext4/inode.c', 'kernel/locking/rtmutex.c', 'include/linux/spinlock.h'];
  const present = picks.filter((p) => fs.existsSync(path.join(KERNEL, p)));
  if (present.length === 0) return t.skip(`${KERNEL} is not available here`);
  const dir = tmpdir('kernel');
  for (const p of present) {
    fs.mkdirSync(path.join(dir, path.dirname(p)), { recursive: true });
    fs.copyFileSync(path.join(KERNEL, p), path.join(dir, p));
  }
  const before = treeHashes(dir);
  setMode(dir, 0o555, 0o444); // read-only copy: locklint must never write into a user's tree
  try {
    const r = stableScan(dir);
    assert.doesNotMatch(r.stderr, /internal error|front end failed|check [\w-]+ failed|fatal/);
    const native = run(['--format', 'json', '--parser', 'native', '.'], dir);
    if (native.code !== 2) assert.deepEqual(jsonFindings(native.stdout), r.findings, 'the native parser agrees');
    assert.deepEqual(treeHashes(dir), before, 'every file (and the file list) unchanged');
  } finally {
    setMode(dir, 0o755, 0o644);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function treeHashes(dir) {
  const out = {};
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

function setMode(dir, dirMode, fileMode) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      fs.chmodSync(full, 0o755);
      setMode(full, dirMode, fileMode);
      fs.chmodSync(full, dirMode);
    } else {
      fs.chmodSync(full, fileMode);
    }
  }
  fs.chmodSync(dir, dirMode);
}

// ---------------------------------------------------------------------------------------------
// 4. Bounded work

test('60 sequential conditional locks (2^60 lock sets) degrade to silence instead of hanging', { timeout: 60000 }, async () => {
  const n = 60;
  const c = `#include <pthread.h>\npthread_mutex_t ${Array.from({ length: n }, (_, i) => `l${i}`).join(', ')};\nvoid many(int *c)\n{\n`
    + Array.from({ length: n }, (_, i) => `\tif (c[${i}]) pthread_mutex_lock(&l${i});\n`).join('')
    + '\tpthread_mutex_lock(&l0);\n' // a double lock on some paths: path-based, so not reported over budget
    + Array.from({ length: n }, (_, i) => `\tif (c[${i}]) pthread_mutex_unlock(&l${i});\n`).join('') + '}\n';
  const go = `package p\n\nimport "sync"\n\nvar ${Array.from({ length: n }, (_, i) => `l${i}`).join(', ')} sync.Mutex\n\nfunc many(c []bool) {\n`
    + Array.from({ length: n }, (_, i) => `\tif c[${i}] {\n\t\tl${i}.Lock()\n\t}\n`).join('')
    + Array.from({ length: n }, (_, i) => `\tif c[${i}] {\n\t\tl${i}.Unlock()\n\t}\n`).join('') + '}\n';
  for (const parser of PARSERS) {
    for (const [file, text] of [['many.c', c], ['many.go', go]]) {
      const r = await analyzeOne(parser, file, text);
      if (!r) continue;
      assert.deepEqual(r.internal, []);
      const facts = exploreFunction(r.functions.find((f) => f.name === 'many'));
      assert.equal(facts.overBudget, true, `${parser} ${file}: over budget`);
      assert.deepEqual(r.findings.filter((f) => /double-lock|leaked-lock|unlock-not-held/.test(f)), [], `${parser} ${file}: path checks silent`);
    }
  }
});

test('1,000 sequential branches and 200 gotos are explored without running out of budget', { timeout: 60000 }, async () => {
  // Depth-first exploration re-walked the rest of the function after every join: 1,000 ifs took
  // ~20 s and ended over budget (no findings). Joins are now explored once, merged.
  const ifs = 'void seq(int *c)\n{\n\tspin_lock(&l);\n\tif (c[1000]) {\n\t\tspin_unlock(&l);\n\t\treturn;\n\t}\n' + Array.from({ length: 1000 }, (_, i) => `\tif (c[${i}]) g${i}();\n`).join('') + '\treturn;\n}\n';
  const ifsGo = 'package p\n\nfunc seq(c []bool) {\n\tmu.Lock()\n\tif c[1000] {\n\t\tmu.Unlock()\n\t\treturn\n\t}\n' + Array.from({ length: 1000 }, (_, i) => `\tif c[${i}] {\n\t\tmu2.Lock()\n\t\tmu2.Unlock()\n\t}\n`).join('') + '\treturn\n}\n';
  const gotos = 'void jumpy(int *c)\n{\n' + Array.from({ length: 200 }, (_, i) => `L${i}:\n\tif (c[${i}]) goto L${(i * 7) % 200};\n\tif (c[${i + 1}]) spin_lock(&l); else spin_unlock(&l);\n`).join('') + '}\n';
  const gotosGo = 'package p\n\nfunc jumpy(c []bool) {\n' + Array.from({ length: 200 }, (_, i) => `L${i}:\n\tif c[${i}] {\n\t\tgoto L${(i * 7) % 200}\n\t}\n\tif c[${i + 1}] {\n\t\tmu.Lock()\n\t} else {\n\t\tmu.Unlock()\n\t}\n`).join('') + '}\n';
  for (const parser of PARSERS) {
    const seq = await analyzeOne(parser, 'seq.c', ifs);
    if (!seq) continue;
    assert.equal(exploreFunction(seq.functions[0]).overBudget, false);
    assert.deepEqual(seq.findings, ['1008:leaked-lock'], 'the lock still held at the last return is found');
    const seqGo = await analyzeOne(parser, 'seq.go', ifsGo);
    assert.equal(exploreFunction(seqGo.functions[0]).overBudget, false);
    assert.deepEqual(seqGo.findings, ['4009:leaked-lock']);
    for (const [file, text] of [['jumpy.c', gotos], ['jumpy.go', gotosGo]]) {
      const r = await analyzeOne(parser, file, text);
      assert.deepEqual(r.internal, []);
      exploreFunction(r.functions[0]); // completes, within budget or degraded
      assert.deepEqual((await analyzeOne(parser, file, text)).findings, r.findings, `${parser} ${file}: stable`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// 5 (engine level). A crashing check is isolated

test('a check that throws is reported as a problem and the other checks still report', { timeout: 30000 }, async () => {
  const engine = await engineFor('wasm');
  engine.setFile('a.c', DOUBLE_C);
  const files = new Map([['a.c', engine.getEntry('a.c').ir]]);
  const { facts, index } = computeProgramFacts(files.get('a.c').functions, new ProgramCache(), { interprocedural: true });
  const boom = { meta: { id: 'boom', doc: 'always throws', defaultSeverity: 'error', docPath: '' }, run() { throw new Error('kaboom'); } };
  const result = analyzeProgram(files, facts, { checks: [boom, ...ALL_CHECKS], severities: {}, reportSameClassNesting: false }, index);
  assert.equal(result.problems.length, 1);
  assert.match(result.problems[0].message, /check boom failed: Error: kaboom/);
  assert.deepEqual(result.findings.map((f) => `${f.span.line + 1}:${f.check}`), ['5:double-lock']);
});

// ---------------------------------------------------------------------------------------------
// 2. Bad paths and environment

function captureCli(args, cwd) {
  const out = { stdout: '', stderr: '' };
  const io = { cwd, stdout: (s) => { out.stdout += s; }, stderr: (s) => { out.stderr += s; }, stderrIsTTY: false, stdoutIsTTY: false, env: { NO_COLOR: '1' } };
  return runCli(args, io).then((code) => ({ code, ...out }));
}

/** Replaces fs[name] while `body` runs: fs errors the test cannot provoke for real (root ignores modes). */
async function withFsHook(name, hook, body) {
  const original = fs[name];
  fs[name] = function hooked(...args) { return hook(original, ...args); };
  try {
    return await body();
  } finally {
    fs[name] = original;
  }
}

const eacces = (p) => Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES', errno: -13, path: String(p) });

test('permission denied on a directory and a file: one message each, the scan goes on (mocked fs errors)', { timeout: 30000 }, async () => {
  const dir = workspace('eacces', { 'locked/inner.c': DOUBLE_C, 'secret.c': DOUBLE_C, 'ok/bad.c': DOUBLE_C });
  const denied = (p) => String(p).endsWith(`${path.sep}locked`) || String(p).endsWith('secret.c');
  const r = await withFsHook('readdirSync', (orig, p, ...rest) => { if (denied(p)) throw eacces(p); return orig(p, ...rest); },
    () => withFsHook('readFileSync', (orig, p, ...rest) => { if (denied(p)) throw eacces(p); return orig(p, ...rest); },
      () => captureCli(['.'], dir)));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /locklint: locked: permission denied, skipped/);
  assert.match(r.stderr, /locklint: secret\.c: .*permission denied/);
  assert.match(r.stdout, /ok\/bad\.c:5:3: error/);
  assert.doesNotMatch(r.stdout, /secret\.c|inner\.c/);
});

test('permission denied for real (mode 000)', { timeout: 30000, skip: IS_ROOT ? 'running as root: modes do not deny root; the mocked-fs test above covers this path' : false }, () => {
  const dir = workspace('mode000', { 'locked/inner.c': DOUBLE_C, 'secret.c': DOUBLE_C, 'ok/bad.c': DOUBLE_C });
  fs.chmodSync(path.join(dir, 'locked'), 0o000);
  fs.chmodSync(path.join(dir, 'secret.c'), 0o000);
  try {
    const r = run(['.'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /locked: permission denied, skipped/);
    assert.match(r.stderr, /secret\.c: .*permission denied/);
  } finally {
    fs.chmodSync(path.join(dir, 'locked'), 0o755);
    fs.chmodSync(path.join(dir, 'secret.c'), 0o644);
  }
});

test('a file deleted or changed between discovery and reading', { timeout: 30000 }, async () => {
  const dir = workspace('vanish', { 'vanish.c': DOUBLE_C, 'grows.c': DOUBLE_C, 'stay.c': DOUBLE_C });
  const r = await withFsHook('statSync', (orig, p, ...rest) => {
    if (String(p).endsWith('vanish.c') && fs.existsSync(p)) fs.rmSync(p);
    const st = orig(p, ...rest);
    // Changed after its size was checked: read as it is now, a second function appended.
    if (String(p).endsWith('grows.c')) fs.appendFileSync(p, DOUBLE_C.replace('void f(void)', 'void f2(void)').split('\n').slice(2).join('\n'));
    return st;
  }, () => captureCli(['--format', 'json', '.'], dir));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /vanish\.c: .*no such file or directory/i);
  assert.deepEqual(jsonFindings(r.stdout), ['grows.c:10:double-lock', 'grows.c:5:double-lock', 'stay.c:5:double-lock']);
});

test('symlink loops, self links and dangling links', { timeout: 30000 }, () => {
  const dir = workspace('links', { 'a/bad.c': DOUBLE_C });
  fs.symlinkSync(dir, path.join(dir, 'a', 'up'));                  // loop through the root
  fs.symlinkSync(path.join(dir, 'self'), path.join(dir, 'self'));  // ELOOP
  fs.symlinkSync(path.join(dir, 'nowhere.c'), path.join(dir, 'dangling.c'));
  fs.symlinkSync(path.join(dir, 'a', 'bad.c'), path.join(dir, 'alias.c'));
  const r = stableScan(dir);
  assert.equal(r.code, 1);
  assert.ok(r.findings.includes('a/bad.c:5:double-lock'), r.findings.join());
  assert.ok(r.findings.length <= 2, `each real file once, plus at most its alias: ${r.findings}`);
  const named = run(['self', 'dangling.c'], dir);
  assert.equal(named.code, 0, named.stderr);
  assert.match(named.stderr, /self: too many levels of symbolic links/);
  assert.match(named.stderr, /dangling\.c: no such file or directory/);
});

test('non-ASCII and space-containing paths in text, JSON and SARIF', { timeout: 30000 }, () => {
  const dir = workspace('ünï cödé', { 'dir with space/файл с пробелом.c': DOUBLE_C, '日本/ロック.go': DOUBLE_GO });
  const r = stableScan(dir);
  assert.deepEqual(r.findings, ['dir with space/файл с пробелом.c:5:double-lock', '日本/ロック.go:9:double-lock']);
  const text = run(['.'], dir);
  assert.match(text.stdout, /dir with space\/файл с пробелом\.c:5:3: error/);
  const sarif = JSON.parse(run(['--format', 'sarif', '.'], dir).stdout);
  const uris = sarif.runs[0].results.map((x) => x.locations[0].physicalLocation.artifactLocation.uri);
  assert.deepEqual(uris.map((u) => decodeURIComponent(u).replace(/^.*?(dir with space|日本)/, '$1')).sort(), ['dir with space/файл с пробелом.c', '日本/ロック.go']);
  for (const u of uris) assert.doesNotMatch(u, / /, 'URIs are percent-encoded');
});

test('an empty workspace, and one with no C or Go file', { timeout: 30000 }, () => {
  const empty = tmpdir('empty');
  const r = run(['.'], empty);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /no C or Go files found/);
  const other = workspace('other', { 'README.md': '# hi\n', 'main.rs': 'fn main() {}\n', 'empty.c': '', 'blank.go': '\n\n' });
  const o = run(['--format', 'json', '.'], other);
  assert.equal(o.code, 0, o.stderr);
  assert.deepEqual(jsonFindings(o.stdout), []);
});

// A cache directory that cannot be created or written: test/cli-cache.test.js ('an unusable cache
// directory is a warning, not a failure').

// ---------------------------------------------------------------------------------------------
// 3. Bad configuration (CLI; the server side is in robustness-lsp.test.js)

test('bad .locklint.json: exit 2 with file:line:col and the key, for each kind of mistake', { timeout: 30000 }, () => {
  const cases = [
    ['{\n  "checks": {\n', /\.locklint\.json:3:1: error: invalid JSON/],
    ['{\n  "checks": { "double-lock": "error" },\n  "colour": true\n}\n', /\.locklint\.json:3:3: error: unknown key "colour".*\(\/colour\)/],
    ['{\n  "exclude": "vendor"\n}\n', /\.locklint\.json:2:14: error: exclude must be an array.*\(\/exclude\)/],
    ['{ "maxFileSize": -5 }', /\.locklint\.json:1:18: error: maxFileSize must be a positive integer.*\(\/maxFileSize\)/],
    ['{\n  "lockFunctions": [{ "acquire": "my_lock", "release": "my_unlock" }],\n  "blockingFunctions": ["my_lock"]\n}\n',
      /\.locklint\.json:3:\d+: error: "my_lock" is listed both as a lock function.*\(\/blockingFunctions\/0\)/],
    ['[]', /\.locklint\.json:1:1: error: the configuration must be an object/],
    ['\ufeff{ "checks": { "double-lock": 3 } }', /\.locklint\.json:1:\d+: error: .*double-lock.*\(\/checks\/double-lock\)/],
  ];
  for (const [config, expected] of cases) {
    const dir = workspace('config', { 'a.c': DOUBLE_C, '.locklint.json': config });
    const r = run(['.'], dir);
    assert.equal(r.code, 2, `${JSON.stringify(config)}: ${r.stderr}`);
    assert.match(r.stderr, expected, JSON.stringify(config));
    assert.equal(r.stdout, '', 'no report on a bad configuration');
  }
});
