#!/usr/bin/env node
'use strict';
// Mutation fuzzer: `npm run fuzz -- --seconds N [--seed S] [--lsp-share 0.05] [--out DIR]`.
//
// Mutates the fixtures (test/fixtures/**, examples/**, earlier crashes) and random token soup, and
// runs each input through the engine with both parsers (WASM and, where it loads, native) in a
// worker thread, and a share of them through a live language server (didOpen + didChange). A
// failure is any exception (thrown, or caught and reported as an internal-error problem), a dead
// worker or server, findings that differ between the two parsers, or one input taking more than --max-ms (default 10 s). Each failing input is
// saved under <out>/<lang>/ (default test/fixtures/fuzz-crashes/, which test/fuzz-regressions.test.js
// replays). Exit status: 0 no failure, 1 failures, 2 usage error.
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { Worker, isMainThread, parentPort } = require('worker_threads');
const { spawn } = require('child_process');
const { pathToFileURL } = require('url');

const ROOT = path.join(__dirname, '..');
const SERVER = path.join(ROOT, 'server', 'out', 'server.js');

/** Problems that are caught exceptions, not findings about the code: each one is a bug. */
const INTERNAL_PROBLEM = /internal error|front end failed|could not parse this file|check [\w-]+ failed/i;

// ---------------------------------------------------------------------------------------------
// Worker: owns the engines, analyses one input per message.

if (!isMainThread) {
  const { Engine } = require(path.join(ROOT, 'server', 'out', 'engine'));
  const { createWasmParser, createNativeParser } = require(path.join(ROOT, 'server', 'out', 'syntax', 'parser'));
  const ready = (async () => {
    const engines = [];
    engines.push({ name: 'wasm', engine: await Engine.create({ parser: await createWasmParser(), maxFileSize: 64 * 1024 * 1024 }) });
    const native = createNativeParser();
    if (native) engines.push({ name: 'native', engine: await Engine.create({ parser: native, maxFileSize: 64 * 1024 * 1024 }) });
    return engines;
  })();
  let warm = false;
  parentPort.on('message', async ({ id, lang, text }) => {
    const engines = await ready;
    const file = `fuzz/input.${lang}`;
    const results = {};
    let error;
    const started = process.hrtime.bigint();
    for (const { name, engine } of engines) {
      try {
        const problems = engine.setFile(file, text);
        const result = engine.analyze();
        const internal = [...problems.map((p) => p.message), ...result.problems.map((p) => p.message)].filter((m) => INTERNAL_PROBLEM.test(m));
        if (internal.length > 0 && !error) error = `${name}: ${internal[0]}`;
        results[name] = result.findings.map((f) => `${f.span.line}:${f.span.col}:${f.check}`).sort().join(',');
      } catch (err) {
        if (!error) error = `${name}: ${err && err.stack ? err.stack : err}`;
      } finally {
        try { engine.removeFile(file); } catch { /* reported above if it matters */ }
      }
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const parity = results.native === undefined || results.wasm === results.native;
    const differ = parity ? undefined : `wasm [${results.wasm}] native [${results.native}]`;
    parentPort.postMessage({ id, ms, error, parity, differ, backends: engines.map((e) => e.name), first: !warm });
    warm = true;
  });
  return;
}

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const a = { seconds: 60, seed: Date.now() % 2147483647, lspShare: 0.05, maxMs: 10000, out: path.join(ROOT, 'test', 'fixtures', 'fuzz-crashes'), quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v)) usage(`${arg} needs a number`);
      return v;
    };
    if (arg === '--seconds') a.seconds = num();
    else if (arg === '--seed') a.seed = num();
    else if (arg === '--lsp-share') a.lspShare = num();
    else if (arg === '--max-ms') a.maxMs = num();
    else if (arg === '--out') a.out = path.resolve(argv[++i] ?? usage('--out needs a directory'));
    else if (arg === '--quiet') a.quiet = true;
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument ${arg}`);
  }
  return a;
}

function usage(message) {
  if (message) process.stderr.write(`fuzz: ${message}\n`);
  process.stderr.write('usage: node scripts/fuzz.js [--seconds N] [--seed S] [--lsp-share 0..1] [--max-ms MS] [--out DIR] [--quiet]\n');
  process.exit(message ? 2 : 0);
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** mulberry32: small, seedable, good enough for choosing mutations. */
function rng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)], chance: (p) => next() < p };
}

function listSources(dir, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) listSources(full, out);
    else if (/\.(c|h|go)$/.test(e.name)) out.push(full);
  }
  return out;
}

function loadCorpus(out) {
  const corpus = { c: [], go: [] };
  const files = [...listSources(path.join(ROOT, 'test', 'fixtures')), ...listSources(path.join(ROOT, 'examples')), ...listSources(out)];
  for (const file of [...new Set(files)].sort()) {
    const lang = file.endsWith('.go') ? 'go' : 'c';
    const text = fs.readFileSync(file, 'latin1'); // bytes as chars: byte-level mutations stay byte-level
    if (text.length < 256 * 1024) corpus[lang].push(text);
  }
  return corpus;
}

const TOKENS = {
  common: ['{', '}', '(', ')', '[', ']', ';', ',', '=', '==', '!', '&&', '||', '&', '*', '->', '.', '\n', ' ', '\t', '"', "'", '/*', '*/', '//',
    'if', 'else', 'for', 'switch', 'case 1:', 'default:', 'break', 'continue', 'return', 'goto out', 'out:', '0', '1', '-1', 'NULL', 'x', 'err'],
  c: ['#if 0', '#ifdef CONFIG_X', '#else', '#endif', '#define LOCK(x) spin_lock(x)', 'static', 'struct s', 'int', 'void', 'do', 'while (0)', 'while (1)',
    'spin_lock(&s->lock)', 'spin_unlock(&s->lock)', 'mutex_lock(&m)', 'mutex_unlock(&m)', 'pthread_mutex_lock(&a)', 'pthread_mutex_unlock(&a)',
    'spin_lock_irqsave(&l, flags)', 'spin_unlock_irqrestore(&l, flags)', 'rcu_read_lock()', 'rcu_read_unlock()', 'synchronize_rcu()', 'msleep(10)',
    'mutex_trylock(&m)', 'down_read(&sem)', 'up_read(&sem)', 'list_for_each_entry(pos, head, list)', 'guard(mutex)(&m)', 'scoped_guard(spinlock, &l)',
    '({ x; })', '__attribute__((unused))', 'goto *p', 'sizeof(struct s)', '(void)', 'f(', 'BUG()'],
  go: ['package p', 'import "sync"', 'func', 'go func() {', 'defer', 'select {', 'case <-ch:', 'ch <- 1', '<-ch', 'range', ':=', 'var mu sync.Mutex',
    'type T struct { mu sync.RWMutex }', 'mu.Lock()', 'mu.Unlock()', 's.mu.RLock()', 's.mu.RUnlock()', 'defer mu.Unlock()', 'wg.Wait()', 'mu.TryLock()',
    'time.Sleep(1)', 'func() {', '}()', 'panic("x")', 'fallthrough', 'L:', 'goto L', 'break L', 'interface{}', 'chan int', '...'],
};

const GARBAGE = ['\u0000', '\r', '\r\n', '\ufeff', '\ufffd', '\u00e9', '\u{1F600}', '\ud800', '\\', '\u2028', '\u000b', '\u00a0', '`', '@', '$', '#'];

/** Each mutator: (text, r, other) -> text. `other` is a second corpus text of the same language. */
const MUTATORS = {
  byteflip(text, r) {
    if (!text) return text;
    const chars = text.split('');
    for (let n = 1 + r.int(8); n > 0; n--) {
      const i = r.int(chars.length);
      chars[i] = r.chance(0.3) ? r.pick(GARBAGE) : String.fromCharCode(r.chance(0.5) ? r.int(128) : r.int(256));
    }
    return chars.join('');
  },
  linedel(text, r) {
    const lines = text.split('\n');
    for (let n = 1 + r.int(4); n > 0 && lines.length > 1; n--) lines.splice(r.int(lines.length), 1 + r.int(3));
    return lines.join('\n');
  },
  linedup(text, r) {
    const lines = text.split('\n');
    for (let n = 1 + r.int(4); n > 0; n--) {
      const i = r.int(lines.length);
      const block = lines.slice(i, i + 1 + r.int(5));
      const times = r.chance(0.1) ? 50 + r.int(500) : 1 + r.int(3);
      lines.splice(r.int(lines.length + 1), 0, ...Array(times).fill(block).flat());
    }
    return lines.join('\n');
  },
  brace(text, r) {
    let out = text;
    for (let n = 1 + r.int(5); n > 0; n--) {
      const i = r.int(out.length + 1);
      if (r.chance(0.5)) {
        out = out.slice(0, i) + r.pick(['{', '}', '(', ')', '{{{{', '}}}}', '[', ']']) + out.slice(i);
      } else {
        const j = out.slice(i).search(/[{}()]/);
        if (j >= 0) out = out.slice(0, i + j) + out.slice(i + j + 1);
      }
    }
    return out;
  },
  splice(text, r, other) {
    const a = r.int(text.length + 1);
    const b = r.int(other.length + 1);
    return text.slice(0, a) + other.slice(b, b + r.int(other.length - b + 1));
  },
  tokens(text, r, other, lang) {
    const pool = [...TOKENS.common, ...TOKENS[lang]];
    let out = text;
    for (let n = 1 + r.int(10); n > 0; n--) {
      const i = r.int(out.length + 1);
      out = out.slice(0, i) + ' ' + r.pick(pool) + ' ' + out.slice(i);
    }
    return out;
  },
  truncate(text, r) {
    return text.slice(0, r.int(text.length + 1));
  },
  random(_text, r, _other, lang) {
    const pool = [...TOKENS.common, ...TOKENS[lang], ...TOKENS[lang]];
    const parts = [lang === 'go' ? 'package p\n' : ''];
    for (let n = r.int(600); n > 0; n--) parts.push(r.chance(0.03) ? r.pick(GARBAGE) : r.pick(pool), r.chance(0.2) ? '\n' : ' ');
    return parts.join('');
  },
  /** Pathological shapes: deep nesting, long chains, many branches, many labels. */
  deep(_text, r, _other, lang) {
    const n = 50 + r.int(lang === 'go' ? 3000 : 3000);
    const lock = lang === 'go' ? (i) => `l${i % 40}.Lock()` : (i) => `spin_lock(&l${i % 40});`;
    const cond = (i) => (lang === 'go' ? `if c${i} ` : `if (c${i}) `);
    const head = lang === 'go' ? 'package p\nfunc f() {\n' : 'void f(void) {\n';
    switch (r.int(4)) {
      case 0: return head + '{'.repeat(n) + lock(0) + '}'.repeat(r.chance(0.5) ? n : r.int(n)) + '\n}\n';
      case 1: return head + Array.from({ length: n }, (_, i) => `${cond(i)}{ ${lock(i)} }\n`).join('') + '}\n';
      case 2: return head + Array.from({ length: n }, (_, i) => (lang === 'go' ? `L${i}: if c${i} { goto L${r.int(n)} }\n` : `L${i}: if (c${i}) goto L${r.int(n)};\n`)).join('') + '}\n';
      default: return head + Array.from({ length: n }, (_, i) => `${cond(i)}{\n`).join('') + lock(1) + '\n}'.repeat(n) + '\n}\n';
    }
  },
};

const KINDS = Object.keys(MUTATORS);

function makeInput(r, corpus) {
  const lang = r.chance(0.5) ? 'c' : 'go';
  const pool = corpus[lang].length > 0 ? corpus[lang] : [''];
  const kind = r.chance(0.05) ? 'deep' : r.chance(0.05) ? 'random' : r.pick(KINDS.filter((k) => k !== 'deep' && k !== 'random'));
  let text = r.pick(pool);
  text = MUTATORS[kind](text, r, r.pick(pool), lang);
  // Sometimes stack a second mutation.
  if (r.chance(0.25) && kind !== 'deep') text = MUTATORS[r.pick(['byteflip', 'linedel', 'brace', 'tokens'])](text, r, r.pick(pool), lang);
  return { lang, kind, text };
}

// ---------------------------------------------------------------------------------------------
// The engine worker, with a watchdog.

class EngineRunner {
  constructor(maxMs) {
    this.maxMs = maxMs;
    this.start();
  }

  start() {
    this.worker = new Worker(__filename, { resourceLimits: { maxOldGenerationSizeMb: 3072, stackSizeMb: 8 } });
    this.pending = undefined;
    this.fresh = true;
    this.worker.on('message', (msg) => {
      const p = this.pending;
      if (!p || p.id !== msg.id) return;
      this.pending = undefined;
      clearTimeout(p.timer);
      p.resolve(msg);
    });
    const dead = (why) => {
      const p = this.pending;
      this.pending = undefined;
      if (p) {
        clearTimeout(p.timer);
        p.resolve({ id: p.id, ms: Date.now() - p.started, error: `worker died: ${why}` });
      }
      this.worker = undefined;
    };
    this.worker.on('error', (err) => dead(err && err.stack ? err.stack : String(err)));
    this.worker.on('exit', (code) => dead(`exit code ${code}`));
  }

  run(id, lang, text) {
    if (!this.worker) this.start();
    return new Promise((resolve) => {
      const started = Date.now();
      // A fresh worker's first input also pays for loading both parsers.
      const limit = this.maxMs * 2 + (this.fresh ? 30000 : 0);
      this.fresh = false;
      const timer = setTimeout(async () => {
        if (!this.pending || this.pending.id !== id) return;
        this.pending = undefined;
        const w = this.worker;
        this.worker = undefined;
        if (w) {
          w.removeAllListeners('exit');
          w.removeAllListeners('error');
          await w.terminate();
        }
        resolve({ id, ms: Date.now() - started, error: `hang: no answer within ${limit} ms`, hang: true });
      }, limit);
      this.pending = { id, resolve, timer, started };
      this.worker.postMessage({ id, lang, text });
    });
  }

  async close() {
    if (this.worker) await this.worker.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// A live language server (stdio, Content-Length framing).

class LspRunner {
  constructor(dir, maxMs) {
    this.dir = dir;
    this.maxMs = maxMs;
    this.nextId = 1;
    this.waiters = [];
    this.errors = [];
    this.exited = false;
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.on('exit', (code, signal) => {
      this.exited = `server exited (code ${code}, signal ${signal})`;
      for (const w of this.waiters.splice(0)) w.resolve(undefined);
    });
    this.proc.stdin.on('error', () => { /* reported through exit */ });
    this.proc.stderr.on('data', () => { /* the server logs through window/logMessage */ });
    let buf = Buffer.alloc(0);
    this.proc.stdout.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /Content-Length: *(\d+)/i.exec(buf.subarray(0, end).toString('ascii'));
        if (!m) { this.errors.push('bad header from the server'); buf = Buffer.alloc(0); return; }
        const len = Number(m[1]);
        if (buf.length < end + 4 + len) return;
        const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString('utf8'));
        buf = buf.subarray(end + 4 + len);
        this.receive(msg);
      }
    });
  }

  receive(msg) {
    if (msg.method !== undefined && msg.id !== undefined) {
      const result = msg.method === 'workspace/configuration' ? msg.params.items.map(() => ({ scanOnStartup: false, debounceMs: 0 })) : null;
      this.write({ jsonrpc: '2.0', id: msg.id, result });
      return;
    }
    // A logged error is a caught exception somewhere in the server.
    if (msg.method === 'window/logMessage' && msg.params.type === 1) this.errors.push(msg.params.message);
    for (const w of [...this.waiters]) {
      if (w.pred(msg)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    }
  }

  write(msg) {
    if (this.exited) return;
    const body = JSON.stringify(msg);
    this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  waitFor(pred, ms) {
    return new Promise((resolve) => {
      if (this.exited) return resolve(undefined);
      const w = { pred, resolve: (m) => { clearTimeout(timer); resolve(m); } };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(undefined);
      }, ms);
      this.waiters.push(w);
    });
  }

  async initialize() {
    const id = this.nextId++;
    const answered = this.waitFor((m) => m.id === id, 30000);
    this.write({ jsonrpc: '2.0', id, method: 'initialize', params: {
      processId: process.pid, rootUri: pathToFileURL(this.dir).href,
      workspaceFolders: [{ uri: pathToFileURL(this.dir).href, name: 'fuzz' }],
      capabilities: { workspace: { configuration: true } },
      initializationOptions: { settings: { scanOnStartup: false, debounceMs: 0 } },
    } });
    if (!(await answered)) throw new Error(`the server did not answer initialize: ${this.exited || 'timeout'}`);
    const ready = this.waitFor((m) => m.method === 'locklint/status' && m.params.state === 'ready', 30000);
    this.write({ jsonrpc: '2.0', method: 'initialized', params: {} });
    await ready;
  }

  /** didOpen, then a didChange (whole text or a random range edit), then didClose. */
  async run(n, lang, text, edited, r) {
    const errorsBefore = this.errors.length;
    const uri = pathToFileURL(path.join(this.dir, `case${n}.${lang}`)).href;
    const started = Date.now();
    const published = (version) => this.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === version, this.maxMs * 2);
    let got = published(1);
    this.write({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: lang, version: 1, text } } });
    let ok = await got;
    if (ok) {
      got = published(2);
      const lines = text.split('\n').length;
      const pos = () => ({ line: r.int(lines + 3), character: r.int(120) });
      const change = r.chance(0.5) ? { text: edited } : { range: { start: pos(), end: pos() }, text: edited.slice(0, r.int(200)) };
      this.write({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri, version: 2 }, contentChanges: [change] } });
      ok = await got;
    }
    this.write({ jsonrpc: '2.0', method: 'textDocument/didClose', params: { textDocument: { uri } } });
    const ms = Date.now() - started;
    if (this.exited) return { ms, error: this.exited };
    if (!ok) return { ms, error: `hang: no diagnostics within ${this.maxMs * 2} ms`, hang: true };
    if (this.errors.length > errorsBefore) return { ms, error: `server logged: ${this.errors[errorsBefore]}` };
    return { ms };
  }

  close() {
    if (!this.exited) this.proc.kill();
  }
}

// ---------------------------------------------------------------------------------------------

function save(out, lang, kind, text) {
  const dir = path.join(out, lang);
  fs.mkdirSync(dir, { recursive: true });
  // Byte-level inputs round-trip as latin1; text with wider characters is saved as UTF-8 (the
  // regression test replays each file both ways).
  const bytes = Buffer.from(text, /[^\x00-\xff]/.test(text) ? 'utf8' : 'latin1');
  const name = `${kind}-${crypto.createHash('sha1').update(bytes).digest('hex').slice(0, 10)}.${lang === 'go' ? 'go' : 'c'}`;
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const r = rng(args.seed);
  const corpus = loadCorpus(args.out);
  const log = (s) => { if (!args.quiet) process.stdout.write(s + '\n'); };
  log(`fuzz: seed ${args.seed}, ${args.seconds} s, corpus ${corpus.c.length} C + ${corpus.go.length} Go files, lsp share ${args.lspShare}`);

  const stats = Object.fromEntries([...KINDS.map((k) => [k, 0]), ['lsp', 0]]);
  const failures = [];
  let inputs = 0;
  let maxMs = 0;
  let maxWhat = '';
  let parityDiffs = 0;
  let backends = [];
  const engine = new EngineRunner(args.maxMs);
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(require('os').tmpdir(), 'locklint-fuzz-')));
  let lsp;
  if (args.lspShare > 0) {
    lsp = new LspRunner(tmp, args.maxMs);
    await lsp.initialize();
  }
  const fail = (kind, lang, text, error, via) => {
    const file = save(args.out, lang, kind, text);
    failures.push({ kind, lang, via, error: String(error).split('\n').slice(0, 3).join(' | '), file });
    log(`fuzz: FAILURE (${via}, ${kind}, ${lang}): ${String(error).split('\n')[0]}\n      saved ${path.relative(process.cwd(), file)}`);
  };

  const deadline = Date.now() + args.seconds * 1000;
  while (Date.now() < deadline) {
    const { lang, kind, text } = makeInput(r, corpus);
    const id = inputs++;
    stats[kind]++;
    const res = await engine.run(id, lang, text);
    if (res.backends) backends = res.backends;
    if (res.ms > maxMs) { maxMs = res.ms; maxWhat = `${kind} ${lang} engine`; }
    if (res.parity === false) parityDiffs++;
    if (res.error) fail(kind, lang, text, res.error, 'engine');
    // The design promises the same findings from both parsers; a difference is a bug to keep.
    else if (res.parity === false) fail(kind, lang, text, `parsers differ: ${res.differ}`, 'engine');
    else if (res.ms > args.maxMs && !res.first) fail(kind, lang, text, `slow: ${Math.round(res.ms)} ms (limit ${args.maxMs})`, 'engine');

    if (lsp && !lsp.exited && r.chance(args.lspShare)) {
      stats.lsp++;
      const edited = MUTATORS.byteflip(text, r);
      const out = await lsp.run(id, lang, text, edited, r);
      if (out.ms > maxMs) { maxMs = out.ms; maxWhat = `${kind} ${lang} server`; }
      if (out.error) {
        fail(kind, lang, text, out.error, 'server');
        if (lsp.exited) {
          lsp = new LspRunner(tmp, args.maxMs);
          await lsp.initialize().catch((err) => log(`fuzz: cannot restart the server: ${err.message}`));
        }
      }
    }
  }
  await engine.close();
  if (lsp) lsp.close();
  fs.rmSync(tmp, { recursive: true, force: true });

  const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const perKind = Object.entries(stats).map(([k, n]) => `${k} ${n}`).join(', ');
  log(`fuzz: ${inputs} inputs in ${args.seconds} s (${perKind}); parsers: ${backends.join(' + ') || 'none answered'}`);
  log(`fuzz: failures ${failures.length} (crashes ${failures.filter((f) => !/^hang|^slow|^parsers differ/.test(f.error)).length}, hangs/slow ${failures.filter((f) => /^hang|^slow/.test(f.error)).length}, parser differences ${failures.filter((f) => /^parsers differ/.test(f.error)).length}); ` +
    `max time per input ${Math.round(maxMs)} ms (${maxWhat}); max RSS ${rssMb} MB; wasm/native finding differences ${parityDiffs}`);
  process.stdout.write(`FUZZ-SUMMARY ${JSON.stringify({ seed: args.seed, seconds: args.seconds, inputs, perKind: stats, failures: failures.length, maxMs: Math.round(maxMs), maxRssMb: rssMb, parityDiffs, backends })}\n`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`fuzz: fatal: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 2;
});
