'use strict';
// End-to-end tests of the language server: the real `node server/out/server.js --stdio`, driven by
// a small hand-rolled JSON-RPC client (Content-Length framing). Every wait is for a message, with
// a timeout; nothing sleeps.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const ROOT = path.join(__dirname, '..');
const SERVER = path.join(ROOT, 'server', 'out', 'server.js');
const FIXTURES = path.join(__dirname, 'fixtures', 'lsp');
const WAIT_MS = 15000;
const SCAN_COMMAND = 'locklint.server.scanWorkspace';

const uriOf = (file) => pathToFileURL(file).href;

/** A copy of test/fixtures/lsp/<name> in a fresh temp directory (tests edit files on disk). */
function workspace(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `locklint-lsp-${name}-`));
  if (name) fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return fs.realpathSync(dir);
}

class LspClient {
  constructor({ settings = {} } = {}) {
    this.settings = settings;
    this.inbox = [];      // every message from the server, in arrival order
    this.waiters = [];
    this.pending = new Map();
    this.nextId = 1;
    this.stderr = '';
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    let buf = Buffer.alloc(0);
    this.proc.stdout.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const headerEnd = buf.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const m = /Content-Length: *(\d+)/i.exec(buf.subarray(0, headerEnd).toString('ascii'));
        if (!m) throw new Error(`bad header from server: ${buf.subarray(0, headerEnd)}`);
        const length = Number(m[1]);
        if (buf.length < headerEnd + 4 + length) return;
        const body = buf.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
        buf = buf.subarray(headerEnd + 4 + length);
        this.receive(JSON.parse(body));
      }
    });
  }

  receive(msg) {
    if (msg.method !== undefined && msg.id !== undefined) this.answer(msg);
    else if (msg.id !== undefined && this.pending.has(msg.id)) {
      const { resolve } = this.pending.get(msg.id);
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

  /** Requests from the server: configuration, progress tokens, registrations, showDocument. */
  answer(msg) {
    let result = null;
    if (msg.method === 'workspace/configuration') result = msg.params.items.map((i) => (i.section === 'locklint' ? this.settings : null));
    if (msg.method === 'window/showDocument') result = { success: true };
    this.write({ jsonrpc: '2.0', id: msg.id, result });
  }

  write(msg) {
    this.writeRaw(JSON.stringify(msg));
  }

  writeRaw(body) {
    this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  notify(method, params) {
    this.write({ jsonrpc: '2.0', method, params });
  }

  /** Resolves with the whole response message (result or error). */
  request(method, params, timeoutMs = WAIT_MS) {
    const id = this.nextId++;
    this.write({ jsonrpc: '2.0', id, method, params });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to ${method} within ${timeoutMs} ms\n${this.stderr}`)), timeoutMs);
      this.pending.set(id, { resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  /** Index into the inbox: waitFor(..., from) ignores what arrived before it. */
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

  /** The next publishDiagnostics for `uri` (after `from`) that satisfies `pred`; returns its params. */
  async diagnostics(uri, from, pred = () => true, what = '') {
    const msg = await this.waitFor(
      (m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && pred(m.params),
      `diagnostics for ${path.basename(uri)} ${what}`, from);
    return msg.params;
  }

  async initialize(folder, capabilities = defaultCapabilities()) {
    const res = await this.request('initialize', {
      processId: process.pid,
      rootUri: folder ? uriOf(folder) : null,
      workspaceFolders: folder ? [{ uri: uriOf(folder), name: path.basename(folder) }] : null,
      capabilities,
      initializationOptions: { settings: this.settings },
    });
    assert.equal(res.error, undefined, JSON.stringify(res.error));
    this.notify('initialized', {});
    return res.result;
  }

  open(file, text = fs.readFileSync(file, 'utf8'), version = 1) {
    const languageId = file.endsWith('.go') ? 'go' : 'c';
    this.notify('textDocument/didOpen', { textDocument: { uri: uriOf(file), languageId, version, text } });
  }

  change(file, version, contentChanges) {
    this.notify('textDocument/didChange', { textDocument: { uri: uriOf(file), version }, contentChanges });
  }

  async shutdown() {
    const res = await this.request('shutdown', null);
    assert.equal(res.error, undefined);
    this.notify('exit', null);
    const { code } = await this.exited;
    return code;
  }

  kill() {
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

function defaultCapabilities() {
  return {
    textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true } },
    workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } },
    window: { workDoneProgress: true, showDocument: { support: true } },
  };
}

/** Applies LSP TextEdits (non-overlapping) to a text, last edit first. */
function applyEdits(text, edits) {
  const lines = text.split('\n');
  const offset = (p) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

const byCode = (diags, code) => diags.filter((d) => d.code === code);
const hasCode = (code) => (p) => p.diagnostics.some((d) => d.code === code);
const lacksCode = (code) => (p) => !p.diagnostics.some((d) => d.code === code);

async function withClient(t, options, body) {
  const client = new LspClient(options);
  t.after(() => client.kill());
  return body(client);
}

test('the server entry point is built', () => {
  assert.ok(fs.existsSync(SERVER), `${SERVER} missing: run "npm run build"`);
});

test('diagnostics carry code, docs link, related sites and fingerprint; edits re-publish; quick fix suppresses', { timeout: 60000 }, async (t) => {
  const dir = workspace('single');
  const file = path.join(dir, 'relock.c');
  const uri = uriOf(file);
  await withClient(t, { settings: { scanOnStartup: false, debounceMs: 20 } }, async (client) => {
    const init = await client.initialize(dir);
    assert.equal(init.serverInfo.name, 'locklint');
    assert.equal(init.capabilities.textDocumentSync.change, 2, 'incremental sync');

    const original = fs.readFileSync(file, 'utf8');
    client.open(file, original, 1);
    const first = await client.diagnostics(uri, 0, (p) => p.version === 1);
    const [dl] = byCode(first.diagnostics, 'double-lock');
    assert.ok(dl, JSON.stringify(first.diagnostics));
    assert.equal(dl.range.start.line, 9);
    assert.equal(dl.severity, 1);
    assert.equal(dl.source, 'locklint');
    assert.equal(dl.codeDescription.href, 'https://github.com/locklint/locklint/blob/main/docs/checks/double-lock.md');
    assert.match(dl.data.fingerprint, /\S/);
    assert.deepEqual(dl.relatedInformation.map((r) => [r.location.uri, r.location.range.start.line]), [[uri, 7]]);
    assert.match(dl.relatedInformation[0].message, /first acquired here/);

    // Quick fixes, ESLint-style: the exact text after the fix.
    // (Fixes and "Explain" come first; test/quickfix-lsp.test.js covers them.)
    const actions = (await client.request('textDocument/codeAction', {
      textDocument: { uri }, range: dl.range, context: { diagnostics: [dl] },
    })).result.filter((a) => /^(Suppress|Open documentation)/.test(a.title));
    assert.deepEqual(actions.map((a) => a.title), ['Suppress double-lock on this line', 'Open documentation for double-lock']);
    const fixed = applyEdits(original, actions[0].edit.changes[uri]);
    assert.equal(fixed.split('\n').slice(9, 11).join('\n'), '\t\t// locklint-ignore double-lock: \n\t\tpthread_mutex_lock(&lb->lock); // expect: double-lock');
    assert.equal(actions[1].edit, undefined, 'no edit for the docs action');
    assert.equal(actions[1].command.command, 'locklint.server.openDocumentation');
    const shown = client.mark();
    const opened = await client.request('workspace/executeCommand', { command: actions[1].command.command, arguments: actions[1].command.arguments });
    assert.equal(opened.error, undefined);
    const showDoc = await client.waitFor((m) => m.method === 'window/showDocument', 'window/showDocument', shown);
    assert.deepEqual(showDoc.params, { uri: dl.codeDescription.href, external: true });

    const hover = (await client.request('textDocument/hover', { textDocument: { uri }, position: dl.range.start })).result;
    assert.match(hover.contents.value, /```text\n[\s\S]*DEADLOCK[\s\S]*```/);

    // Incremental edit: a line inserted at the top moves the finding down.
    let from = client.mark();
    client.change(file, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// header\n' }]);
    const second = await client.diagnostics(uri, from, (p) => p.version === 2);
    assert.deepEqual(byCode(second.diagnostics, 'double-lock').map((d) => d.range.start.line), [10]);

    // The suppression comment (at the moved line) silences it.
    from = client.mark();
    client.change(file, 3, [{ range: { start: { line: 10, character: 0 }, end: { line: 10, character: 0 } }, text: '\t\t// locklint-ignore double-lock: pasted on purpose\n' }]);
    const third = await client.diagnostics(uri, from, (p) => p.version === 3);
    assert.deepEqual(byCode(third.diagnostics, 'double-lock'), []);

    // An edit past the end of the document is clamped, not fatal.
    from = client.mark();
    client.change(file, 4, [{ range: { start: { line: 999, character: 5 }, end: { line: 1000, character: 0 } }, text: '\n' }]);
    await client.diagnostics(uri, from, (p) => p.version === 4);

    assert.equal(await client.shutdown(), 0);
  });
});

test('without relatedInformation support the related sites go into the message', { timeout: 30000 }, async (t) => {
  const dir = workspace('single');
  const file = path.join(dir, 'relock.c');
  await withClient(t, { settings: { scanOnStartup: false } }, async (client) => {
    await client.initialize(dir, {});
    client.open(file);
    const { diagnostics } = await client.diagnostics(uriOf(file), 0, hasCode('double-lock'));
    const [dl] = byCode(diagnostics, 'double-lock');
    assert.equal(dl.relatedInformation, undefined);
    assert.match(dl.message, /\n  relock\.c:8:2: `&lb->lock` first acquired here/);
    assert.equal(await client.shutdown(), 0);
  });
});

test('a cross-file lock-order cycle appears when both files are open and goes away when one side is fixed', { timeout: 60000 }, async (t) => {
  const dir = workspace('cycle');
  const a = path.join(dir, 'a.c');
  const b = path.join(dir, 'b.c');
  await withClient(t, { settings: { scanOnStartup: false, debounceMs: 20 } }, async (client) => {
    await client.initialize(dir);
    client.open(a);
    const alone = await client.diagnostics(uriOf(a), 0, (p) => p.version === 1);
    assert.deepEqual(alone.diagnostics, []);

    let from = client.mark();
    client.open(b);
    const inB = await client.diagnostics(uriOf(b), from, hasCode('lock-order'));
    // a.c was not touched, but its findings changed: it is re-published.
    const inA = await client.diagnostics(uriOf(a), from, hasCode('lock-order'));
    const [cycle] = byCode(inA.diagnostics, 'lock-order');
    assert.equal(cycle.range.start.line, 11);
    assert.ok(cycle.relatedInformation.some((r) => r.location.uri === uriOf(b)), 'related sites point into b.c');
    assert.equal(byCode(inB.diagnostics, 'lock-order').length, 1);

    // Fix b.c: take table_lock first, like a.c.
    from = client.mark();
    client.change(b, 2, [{ range: { start: { line: 10, character: 0 }, end: { line: 12, character: 0 } }, text: '\tpthread_mutex_lock(&table_lock);\n\tpthread_mutex_lock(&stats_lock);\n' }]);
    const fixedB = await client.diagnostics(uriOf(b), from, (p) => p.version === 2);
    assert.deepEqual(byCode(fixedB.diagnostics, 'lock-order'), []);
    await client.diagnostics(uriOf(a), from, lacksCode('lock-order'), 'without lock-order');
    assert.equal(await client.shutdown(), 0);
  });
});

test('the startup scan finds a cycle in closed files with progress, and on-disk changes update it', { timeout: 60000 }, async (t) => {
  const dir = workspace('cycle');
  const a = path.join(dir, 'a.c');
  const b = path.join(dir, 'b.c');
  await withClient(t, { settings: { scanOnStartup: true, debounceMs: 20 } }, async (client) => {
    await client.initialize(dir);
    const registration = await client.waitFor((m) => m.method === 'client/registerCapability', 'file watcher registration');
    const watchers = registration.params.registrations[0].registerOptions.watchers.map((w) => w.globPattern);
    assert.deepEqual(watchers, ['**/*.{c,h,go}', '**/.locklint.json']);
    await client.diagnostics(uriOf(a), 0, hasCode('lock-order'));
    await client.diagnostics(uriOf(b), 0, hasCode('lock-order'));
    const begin = await client.waitFor((m) => m.method === '$/progress' && m.params.value.kind === 'begin', 'progress begin');
    assert.equal(begin.params.value.cancellable, true);
    await client.waitFor((m) => m.method === '$/progress' && m.params.value.kind === 'end', 'progress end');
    await client.waitFor((m) => m.method === 'locklint/status' && m.params.state === 'ready' && m.params.findings === 2, 'status: 2 findings');

    // b.c fixed on disk (another tool, git checkout): the watcher event updates the closed file.
    const from = client.mark();
    fs.writeFileSync(b, fs.readFileSync(b, 'utf8').replace(
      '\tpthread_mutex_lock(&stats_lock);\n\tpthread_mutex_lock(&table_lock);',
      '\tpthread_mutex_lock(&table_lock);\n\tpthread_mutex_lock(&stats_lock);'));
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(b), type: 2 }] });
    await client.diagnostics(uriOf(a), from, lacksCode('lock-order'), 'after the disk change');

    // And a deleted file leaves the model (its diagnostics are cleared).
    const from2 = client.mark();
    fs.writeFileSync(b, fs.readFileSync(path.join(FIXTURES, 'cycle', 'b.c')));
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(b), type: 2 }] });
    await client.diagnostics(uriOf(a), from2, hasCode('lock-order'), 'with the cycle back');
    const from3 = client.mark();
    fs.rmSync(b);
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(b), type: 3 }] });
    await client.diagnostics(uriOf(b), from3, (p) => p.diagnostics.length === 0, 'cleared after delete');
    await client.diagnostics(uriOf(a), from3, lacksCode('lock-order'), 'after the delete');
    assert.equal(await client.shutdown(), 0);
  });
});

test('a workspace scan reports cancellable progress and stops when cancelled', { timeout: 60000 }, async (t) => {
  const dir = workspace('');
  const FILES = 600;
  for (let i = 0; i < FILES; i++) {
    fs.writeFileSync(path.join(dir, `unit${String(i).padStart(3, '0')}.c`),
      `#include <pthread.h>\nstruct s${i} { pthread_mutex_t lock; int n; };\nvoid f${i}(struct s${i} *p)\n{\n\tpthread_mutex_lock(&p->lock);\n\tp->n++;\n\tpthread_mutex_unlock(&p->lock);\n}\n`);
  }
  await withClient(t, { settings: { scanOnStartup: false } }, async (client) => {
    await client.initialize(dir);
    await client.waitFor((m) => m.method === 'locklint/status' && m.params.state === 'ready', 'server ready');
    const from = client.mark();
    const scan = client.request('workspace/executeCommand', { command: SCAN_COMMAND, arguments: [] });
    const create = await client.waitFor((m) => m.method === 'window/workDoneProgress/create', 'progress token', from);
    const token = create.params.token;
    await client.waitFor((m) => m.method === '$/progress' && m.params.token === token && m.params.value.kind === 'report', 'a progress report', from);
    client.notify('window/workDoneProgress/cancel', { token });
    const result = (await scan).result;
    assert.equal(result.cancelled, true, JSON.stringify(result));
    assert.ok(result.files < FILES, `stopped early: ${result.files}/${FILES}`);
    await client.waitFor((m) => m.method === '$/progress' && m.params.token === token && m.params.value.kind === 'end', 'progress end', from);
    await client.waitFor((m) => m.method === 'locklint/status' && /cancelled/.test(m.params.message ?? ''), 'status: cancelled', from);
    // Still answering.
    const hover = await client.request('textDocument/hover', { textDocument: { uri: uriOf(path.join(dir, 'unit000.c')) }, position: { line: 0, character: 0 } });
    assert.equal(hover.result, null);
    assert.equal(await client.shutdown(), 0);
  });
});

test('malformed JSON, unknown methods and requests for unknown documents do not stop the server', { timeout: 30000 }, async (t) => {
  const dir = workspace('single');
  const file = path.join(dir, 'leak.go');
  const ghost = uriOf(path.join(dir, 'ghost.c'));
  await withClient(t, { settings: { scanOnStartup: false } }, async (client) => {
    await client.initialize(dir);
    client.writeRaw('{"jsonrpc":"2.0", this is not json');
    client.writeRaw('[]');
    client.notify('locklint/noSuchNotification', { x: 1 });
    const unknown = await client.request('locklint/noSuchRequest', {});
    assert.equal(unknown.error.code, -32601);
    client.change(path.join(dir, 'ghost.c'), 7, [{ text: 'void f(void) {}' }]);
    client.notify('textDocument/didClose', { textDocument: { uri: ghost } });
    client.notify('$/cancelRequest', { id: 9999 });
    assert.equal((await client.request('textDocument/hover', { textDocument: { uri: ghost }, position: { line: 0, character: 0 } })).result, null);
    assert.deepEqual((await client.request('textDocument/codeAction', {
      textDocument: { uri: ghost }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] },
    })).result, []);
    assert.equal((await client.request('workspace/executeCommand', { command: 'locklint.server.openDocumentation', arguments: ['file:///etc/passwd'] })).result, null);
    assert.equal((await client.request('workspace/executeCommand', { command: 'no.such.command' })).error?.code ?? null, null);
    const hoverBadParams = await client.request('textDocument/hover', { nonsense: true });
    assert.ok(hoverBadParams.error === undefined || typeof hoverBadParams.error.code === 'number');

    // And it still analyses.
    client.open(file);
    const { diagnostics } = await client.diagnostics(uriOf(file), 0, hasCode('leaked-lock'));
    assert.equal(byCode(diagnostics, 'leaked-lock')[0].range.start.line, 19);
    assert.equal(await client.shutdown(), 0);
  });
});

test('.locklint.json problems are diagnostics on that file; its valid parts still apply', { timeout: 30000 }, async (t) => {
  const dir = workspace('single');
  const config = path.join(dir, '.locklint.json');
  fs.writeFileSync(config, '{\n  "checks": {\n    "double-lock": "info",\n    "lock-ordr": "error"\n  }\n}\n');
  const file = path.join(dir, 'relock.c');
  await withClient(t, { settings: { scanOnStartup: false } }, async (client) => {
    await client.initialize(dir);
    const published = await client.diagnostics(uriOf(config), 0, (p) => p.diagnostics.length > 0);
    assert.deepEqual(published.diagnostics.map((d) => [d.code, d.range.start.line, d.severity, d.source]), [['unknown-check', 3, 1, 'locklint']]);
    assert.match(published.diagnostics[0].message, /lock-order/, 'suggests the right id');

    client.open(file);
    const { diagnostics } = await client.diagnostics(uriOf(file), 0, (p) => p.version === 1);
    assert.deepEqual(byCode(diagnostics, 'double-lock').map((d) => d.severity), [3], 'double-lock lowered to info');

    // Fixing the file (watched-file event) clears its diagnostics and re-applies the configuration.
    const from = client.mark();
    fs.writeFileSync(config, '{ "checks": { "double-lock": "off" } }\n');
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(config), type: 2 }] });
    await client.diagnostics(uriOf(config), from, (p) => p.diagnostics.length === 0, 'cleared');
    await client.diagnostics(uriOf(file), from, lacksCode('double-lock'), 'with double-lock off');
    assert.equal(await client.shutdown(), 0);
  });
});
