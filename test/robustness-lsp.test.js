'use strict';
// Issue 9, the language server side: the real `node server/out/server.js --stdio` fed malformed
// JSON-RPC, impossible edits, requests for documents it never saw, a storm of edits, cancellations
// at awkward moments and broken configuration files. It must keep answering, and its final
// diagnostics must match the final text. Every wait is for a message, with a timeout.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { analyzeFiles } = require('./helpers/engine');

const SERVER = path.join(__dirname, '..', 'server', 'out', 'server.js');
const WAIT_MS = 20000;
const SCAN_COMMAND = 'locklint.server.scanWorkspace';
const uriOf = (file) => pathToFileURL(file).href;

const DOUBLE_C = `#include <pthread.h>
static pthread_mutex_t m;
void f(void)
{
	pthread_mutex_lock(&m);
	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
}
`;

function workspace(label, files = {}) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `locklint-robust-lsp-${label}-`)));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** The JSON-RPC client of test/lsp.test.js, trimmed: Content-Length framing, waits with timeouts. */
class LspClient {
  constructor(settings = {}) {
    this.settings = settings;
    this.inbox = [];
    this.waiters = [];
    this.pending = new Map();
    this.nextId = 1;
    this.stderr = '';
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => {
      // Requests the server never answered (it exited) settle now rather than time out later.
      for (const settle of this.pending.values()) settle({ exited: true });
      this.pending.clear();
      resolve({ code, signal });
    }));
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    let buf = Buffer.alloc(0);
    this.proc.stdout.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /Content-Length: *(\d+)/i.exec(buf.subarray(0, end).toString('ascii'));
        if (!m) throw new Error(`bad header from server: ${buf.subarray(0, end)}`);
        const length = Number(m[1]);
        if (buf.length < end + 4 + length) return;
        const body = buf.subarray(end + 4, end + 4 + length).toString('utf8');
        buf = buf.subarray(end + 4 + length);
        this.receive(JSON.parse(body));
      }
    });
  }

  receive(msg) {
    if (msg.method !== undefined && msg.id !== undefined) {
      const result = msg.method === 'workspace/configuration' ? msg.params.items.map((i) => (i.section === 'locklint' ? this.settings : null)) : null;
      this.write({ jsonrpc: '2.0', id: msg.id, result });
    } else if (msg.id !== undefined && this.pending.has(msg.id)) {
      const resolve = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      resolve(msg);
    }
    this.inbox.push(msg);
    for (const w of [...this.waiters]) {
      if (w.pred(msg)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(msg);
      }
    }
  }

  write(msg) {
    this.writeRaw(JSON.stringify(msg));
  }

  writeRaw(body, headers = '') {
    this.proc.stdin.write(`${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  notify(method, params) {
    this.write({ jsonrpc: '2.0', method, params });
  }

  /** Sends a request; returns { id, response } where response resolves with the whole message. */
  send(method, params, timeoutMs = WAIT_MS) {
    const id = this.nextId++;
    this.write({ jsonrpc: '2.0', id, method, params });
    const response = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to ${method} within ${timeoutMs} ms\n${this.stderr}`)), timeoutMs);
      this.pending.set(id, (m) => { clearTimeout(timer); resolve(m); });
    });
    return { id, response };
  }

  request(method, params, timeoutMs) {
    return this.send(method, params, timeoutMs).response;
  }

  mark() {
    return this.inbox.length;
  }

  waitFor(pred, what, from = 0, timeoutMs = WAIT_MS) {
    const already = this.inbox.slice(from).find(pred);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nserver stderr: ${this.stderr}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  async diagnostics(uri, from, pred = () => true, what = '') {
    const msg = await this.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && pred(m.params),
      `diagnostics for ${decodeURIComponent(path.basename(uri))} ${what}`, from);
    return msg.params;
  }

  async initialize(folder) {
    const res = await this.request('initialize', {
      processId: process.pid,
      rootUri: folder ? uriOf(folder) : null,
      workspaceFolders: folder ? [{ uri: uriOf(folder), name: path.basename(folder) }] : null,
      capabilities: {
        textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } },
        workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } },
        window: { workDoneProgress: true },
      },
      initializationOptions: { settings: this.settings },
    });
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    this.notify('initialized', {});
    await this.waitFor((m) => m.method === 'locklint/status' && m.params.state === 'ready', 'server ready');
  }

  open(file, text, version = 1) {
    this.notify('textDocument/didOpen', { textDocument: { uri: uriOf(file), languageId: file.endsWith('.go') ? 'go' : 'c', version, text } });
  }

  change(file, version, contentChanges) {
    this.notify('textDocument/didChange', { textDocument: { uri: uriOf(file), version }, contentChanges });
  }

  /** Logged errors: each is a caught exception inside the server. */
  errorLogs(from = 0) {
    return this.inbox.slice(from).filter((m) => m.method === 'window/logMessage' && m.params.type === 1).map((m) => m.params.message);
  }

  async shutdown() {
    const res = await this.request('shutdown', null);
    assert.equal(res.error, undefined);
    this.notify('exit', null);
    return (await this.exited).code;
  }

  kill() {
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

async function withClient(t, settings, body) {
  const client = new LspClient(settings);
  t.after(() => client.kill());
  return body(client);
}

const lines = (diags, code) => diags.filter((d) => d.code === code).map((d) => d.range.start.line);
const range = (sl, sc, el, ec) => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });

test('malformed JSON-RPC and malformed parameters do not stop the server', { timeout: 60000 }, async (t) => {
  const dir = workspace('malformed');
  const file = path.join(dir, 'a.c');
  await withClient(t, { scanOnStartup: false, debounceMs: 0 }, async (client) => {
    await client.initialize(dir);
    const from = client.mark();
    client.writeRaw('{"jsonrpc":"2.0", "id": 1, this is not json');
    client.writeRaw('42');
    client.writeRaw('null');
    client.writeRaw('"just a string"');
    client.writeRaw('{"jsonrpc":"2.0","id":77}');                           // neither request nor response
    client.writeRaw('{"jsonrpc":"2.0","id":"x","result":{}}');              // a response to nothing
    client.writeRaw('{"jsonrpc":"2.0","method":"textDocument/hover","id":78}', 'X-Junk: 1\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n');
    client.notify('textDocument/didOpen', { textDocument: 5 });
    client.notify('textDocument/didOpen', { textDocument: { uri: 'not a uri', languageId: 'c', version: 1, text: DOUBLE_C } });
    client.notify('textDocument/didOpen', { textDocument: { uri: 'untitled:Untitled-1', languageId: 'c', version: 1, text: DOUBLE_C } });
    client.notify('textDocument/didChange', { textDocument: { uri: uriOf(file), version: 2 }, contentChanges: null });
    client.notify('textDocument/didChange', {});
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: 'file:///', type: 9 }, { uri: 42 }] });
    client.notify('workspace/didChangeConfiguration', { settings: { locklint: { checks: 'all of them', debounceMs: -1, maxFileSize: 'big' } } });
    assert.equal((await client.request('locklint/noSuchRequest', [1, 2, 3])).error.code, -32601);
    const weird = await client.request('textDocument/codeAction', { textDocument: { uri: uriOf(file) }, range: null, context: null });
    assert.ok(weird.error === undefined || typeof weird.error.code === 'number');
    const exec = await client.request('workspace/executeCommand', { command: SCAN_COMMAND, arguments: 'nope' });
    assert.ok(exec.error === undefined || typeof exec.error.code === 'number');

    // Still analysing, with the defaults.
    const after = client.mark();
    client.open(file, DOUBLE_C);
    const { diagnostics } = await client.diagnostics(uriOf(file), after, (p) => p.version === 1);
    assert.deepEqual(lines(diagnostics, 'double-lock'), [5]);
    assert.equal(client.proc.exitCode, null, 'still running');
    void from;
    assert.equal(await client.shutdown(), 0);
  });
});

test('a document whose text is not a string does not wedge later analyses', { timeout: 60000 }, async (t) => {
  const dir = workspace('nonstring');
  const bad = path.join(dir, 'bad.c');
  const good = path.join(dir, 'good.c');
  await withClient(t, { scanOnStartup: false, debounceMs: 0 }, async (client) => {
    await client.initialize(dir);
    client.notify('textDocument/didOpen', { textDocument: { uri: uriOf(bad), languageId: 'c', version: 1, text: 42 } });
    const from = client.mark();
    client.open(good, DOUBLE_C);
    const { diagnostics } = await client.diagnostics(uriOf(good), from, (p) => p.version === 1);
    assert.deepEqual(lines(diagnostics, 'double-lock'), [5]);
    assert.equal(await client.shutdown(), 0);
  });
});

test('out-of-range, reversed and negative edits are survived; the final text decides', { timeout: 60000 }, async (t) => {
  const dir = workspace('edits');
  const file = path.join(dir, 'e.c');
  const uri = uriOf(file);
  await withClient(t, { scanOnStartup: false, debounceMs: 0 }, async (client) => {
    await client.initialize(dir);
    client.open(file, DOUBLE_C);
    await client.diagnostics(uri, 0, (p) => p.version === 1);
    const edits = [
      [{ range: range(999, 0, 1000, 5), text: 'x' }],                  // past the end
      [{ range: range(6, 0, 2, 0), text: '' }],                        // end before start
      [{ range: range(-1, -5, 0, 3), text: '/* */' }],                 // negative
      [{ range: range(3, 9999, 3, 99999), text: ' ' }],                // past the end of a line
      [{ range: range(0, 0, 0, 0), text: '\u0000\ufeff\r' }],          // odd characters
      [{ range: range(1.5, 0, 1, 0.5), text: '' }],                    // not integers
      [{ text: 12345 }],                                               // not a string
      [],                                                              // no change at all
    ];
    let version = 1;
    for (const changes of edits) client.change(file, ++version, changes);
    const from = client.mark();
    client.change(file, ++version, [{ text: `// header\n${DOUBLE_C}` }]);
    const final = await client.diagnostics(uri, from, (p) => p.version === version);
    assert.deepEqual(lines(final.diagnostics, 'double-lock'), [6], 'diagnostics of the final text');
    assert.equal(client.proc.exitCode, null);
    assert.equal(await client.shutdown(), 0);
  });
});

test('requests and notifications for documents that were never opened, closed twice or reopened', { timeout: 60000 }, async (t) => {
  const dir = workspace('unopened');
  const file = path.join(dir, 'u.c');
  const ghost = uriOf(path.join(dir, 'ghost.c'));
  await withClient(t, { scanOnStartup: false, debounceMs: 0 }, async (client) => {
    await client.initialize(dir);
    assert.equal((await client.request('textDocument/hover', { textDocument: { uri: ghost }, position: { line: 3, character: 1 } })).result, null);
    assert.deepEqual((await client.request('textDocument/codeAction', { textDocument: { uri: ghost }, range: range(0, 0, 0, 0), context: { diagnostics: [] } })).result, []);
    client.change(path.join(dir, 'ghost.c'), 3, [{ range: range(0, 0, 0, 0), text: 'int x;' }]);
    client.notify('textDocument/didClose', { textDocument: { uri: ghost } });
    client.notify('textDocument/didSave', { textDocument: { uri: ghost } });

    // Opened twice without a close, closed twice, changed after close, opened again.
    client.open(file, DOUBLE_C, 1);
    client.open(file, DOUBLE_C.replace('\tpthread_mutex_lock(&m);\n\tpthread_mutex_unlock', '\tpthread_mutex_unlock'), 1);
    client.notify('textDocument/didClose', { textDocument: { uri: uriOf(file) } });
    client.notify('textDocument/didClose', { textDocument: { uri: uriOf(file) } });
    client.change(file, 9, [{ text: 'garbage' }]);
    const from = client.mark();
    client.open(file, DOUBLE_C, 10);
    const { diagnostics } = await client.diagnostics(uriOf(file), from, (p) => p.version === 10);
    assert.deepEqual(lines(diagnostics, 'double-lock'), [5]);
    assert.equal(await client.shutdown(), 0);
  });
});

test('1,000 rapid edits: the server keeps up and the final diagnostics match the final text', { timeout: 90000 }, async (t) => {
  const dir = workspace('storm');
  const file = path.join(dir, 'storm.c');
  const uri = uriOf(file);
  const clean = DOUBLE_C.replace('\tpthread_mutex_lock(&m);\n\tpthread_mutex_unlock', '\tpthread_mutex_unlock');
  await withClient(t, { scanOnStartup: false, debounceMs: 5 }, async (client) => {
    await client.initialize(dir);
    client.open(file, clean);
    await client.diagnostics(uri, 0, (p) => p.version === 1);
    // Each edit types or deletes one character of a second lock call after line 4; a few insert
    // whole lines. Mirror the edits locally to know the final text.
    let text = clean;
    const lockLine = '\tpthread_mutex_lock(&m);\n';
    let typed = '';
    let version = 1;
    const from = client.mark();
    for (let i = 0; i < 1000; i++) {
      const lineStart = text.split('\n').slice(0, 5).join('\n').length + 1;
      let change;
      if (i % 97 === 0) {
        change = { range: range(0, 0, 0, 0), text: '// noise\n' };
        text = '// noise\n' + text;
      } else if (typed.length < lockLine.length && (i % 3 !== 0 || typed.length === 0)) {
        const ch = lockLine[typed.length];
        const pos = offsetToPosition(text, lineStart + typed.length);
        change = { range: range(pos.line, pos.character, pos.line, pos.character), text: ch };
        text = text.slice(0, lineStart + typed.length) + ch + text.slice(lineStart + typed.length);
        typed += ch;
      } else if (typed.length < lockLine.length) {
        const start = offsetToPosition(text, lineStart + typed.length - 1);
        const end = offsetToPosition(text, lineStart + typed.length);
        change = { range: range(start.line, start.character, end.line, end.character), text: '' };
        text = text.slice(0, lineStart + typed.length - 1) + text.slice(lineStart + typed.length);
        typed = typed.slice(0, -1);
      } else {
        change = { range: range(0, 0, 0, 0), text: '' };
      }
      client.change(file, ++version, [change]);
    }
    const final = await client.diagnostics(uri, from, (p) => p.version === version, `for version ${version}`);
    const publishes = client.inbox.slice(from).filter((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri).length;
    assert.ok(publishes <= 1000, `${publishes} publishes for 1000 edits`);
    // The same text through the engine directly gives the same findings.
    fs.writeFileSync(file, text);
    const expected = (await analyzeFiles([file])).findings.map((f) => `${f.span.line}:${f.check}`).sort();
    assert.deepEqual(final.diagnostics.map((d) => `${d.range.start.line}:${d.code}`).sort(), expected);
    assert.ok(expected.length > 0, 'the final text has the double lock typed in');
    assert.deepEqual(client.errorLogs(), []);
    assert.equal(await client.shutdown(), 0);
  });
});

function offsetToPosition(text, offset) {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

test('cancellation at any time: a scan cancelled at once, mid-way, after it ended, and shutdown during a scan', { timeout: 90000 }, async (t) => {
  const files = {};
  for (let i = 0; i < 300; i++) files[`u${i}.c`] = `#include <pthread.h>\nstruct s${i} { pthread_mutex_t lock; };\nvoid f${i}(struct s${i} *p)\n{\n\tpthread_mutex_lock(&p->lock);\n\tpthread_mutex_unlock(&p->lock);\n}\n`;
  files['bad.c'] = DOUBLE_C;
  const dir = workspace('cancel', files);
  await withClient(t, { scanOnStartup: false, debounceMs: 0 }, async (client) => {
    await client.initialize(dir);
    // Cancelled before the server even starts it.
    const early = client.send('workspace/executeCommand', { command: SCAN_COMMAND, arguments: [] });
    client.notify('$/cancelRequest', { id: early.id });
    const r1 = await early.response;
    assert.ok(r1.error?.code === -32800 || r1.result?.cancelled === true || r1.result?.files >= 0, JSON.stringify(r1));

    // Cancelled by its progress token once it reports.
    const from = client.mark();
    const mid = client.send('workspace/executeCommand', { command: SCAN_COMMAND, arguments: [] });
    const create = await client.waitFor((m) => m.method === 'window/workDoneProgress/create', 'progress token', from);
    await client.waitFor((m) => m.method === '$/progress' && m.params.token === create.params.token && m.params.value.kind === 'report', 'a report', from);
    client.notify('window/workDoneProgress/cancel', { token: create.params.token });
    client.notify('$/cancelRequest', { id: mid.id });
    const r2 = await mid.response;
    assert.ok(r2.error?.code === -32800 || r2.result?.cancelled === true || r2.result?.files >= 0, JSON.stringify(r2));

    // A full scan, then cancels for things that are over or never existed.
    const full = await client.request('workspace/executeCommand', { command: SCAN_COMMAND, arguments: [] }, 60000);
    assert.equal(full.result.cancelled, false, JSON.stringify(full));
    assert.equal(full.result.findings, 1);
    client.notify('$/cancelRequest', { id: 424242 });
    client.notify('window/workDoneProgress/cancel', { token: 'no-such-token' });
    client.notify('window/workDoneProgress/cancel', { token: create.params.token });
    const hover = client.send('textDocument/hover', { textDocument: { uri: uriOf(path.join(dir, 'bad.c')) }, position: { line: 5, character: 2 } });
    client.notify('$/cancelRequest', { id: hover.id });
    const h = await hover.response;
    assert.ok(h.error?.code === -32800 || h.result === null || typeof h.result === 'object');

    // Shutdown while a scan runs: it stops and the server exits cleanly.
    const last = client.send('workspace/executeCommand', { command: SCAN_COMMAND, arguments: [] });
    assert.equal(await client.shutdown(), 0);
    const r3 = await last.response;
    assert.ok(r3.exited || r3.result || r3.error, JSON.stringify(r3));
  });
});

test('a broken .locklint.json: one diagnostic on it, and analysis goes on with defaults', { timeout: 90000 }, async (t) => {
  const cases = [
    ['{\n  "checks": {\n    "double-lock": "off",\n', 'syntax', 3],
    ['{\n  "checks": { "double-lock": "info" },\n  "colour": true\n}\n', 'unknown-key', 2],
    ['{\n  "lockFunctions": [{ "acquire": "my_lock", "release": "my_unlock" }],\n  "blockingFunctions": ["my_lock"]\n}\n', undefined, 2],
  ];
  for (const [config, code, line] of cases) {
    const dir = workspace('config', { '.locklint.json': config, 'a.c': DOUBLE_C });
    const configUri = uriOf(path.join(dir, '.locklint.json'));
    await withClient(t, { scanOnStartup: true, debounceMs: 0 }, async (client) => {
      await client.initialize(dir);
      const published = await client.diagnostics(configUri, 0, (p) => p.diagnostics.length > 0);
      assert.equal(published.diagnostics.length, 1, JSON.stringify(published.diagnostics));
      const [d] = published.diagnostics;
      if (code) assert.equal(d.code, code);
      assert.equal(d.range.start.line, line, d.message);
      assert.equal(d.severity, 1);
      // Analysis goes on: the workspace scan reports a.c's double lock, with the default severity
      // when nothing valid could be read, lowered to info where the valid part of the file says so.
      const a = await client.diagnostics(uriOf(path.join(dir, 'a.c')), 0, (p) => p.diagnostics.length > 0);
      assert.deepEqual(a.diagnostics.filter((x) => x.code === 'double-lock').map((x) => [x.range.start.line, x.severity]), [[5, code === 'unknown-key' ? 3 : 1]]);
      assert.equal(await client.shutdown(), 0);
    });
  }
});

test('non-ASCII and space-containing paths round-trip through URIs; an empty workspace scans to nothing', { timeout: 60000 }, async (t) => {
  const dir = workspace('ünï cödé', { 'dir with space/файл с пробелом.c': DOUBLE_C });
  const file = path.join(dir, 'dir with space', 'файл с пробелом.c');
  await withClient(t, { scanOnStartup: true, debounceMs: 0 }, async (client) => {
    await client.initialize(dir);
    const scanned = await client.diagnostics(uriOf(file), 0, (p) => p.diagnostics.length > 0, 'from the scan');
    assert.deepEqual(lines(scanned.diagnostics, 'double-lock'), [5]);
    const from = client.mark();
    client.open(file, `// edited\n${DOUBLE_C}`, 2);
    const opened = await client.diagnostics(uriOf(file), from, (p) => p.version === 2);
    assert.deepEqual(lines(opened.diagnostics, 'double-lock'), [6]);
    assert.equal(await client.shutdown(), 0);
  });
  const empty = workspace('empty');
  await withClient(t, { scanOnStartup: true, debounceMs: 0 }, async (client) => {
    await client.initialize(empty);
    const r = await client.request('workspace/executeCommand', { command: SCAN_COMMAND, arguments: [] });
    assert.deepEqual(r.result, { files: 0, findings: 0, cancelled: false });
    assert.equal(await client.shutdown(), 0);
  });
});
