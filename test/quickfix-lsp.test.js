'use strict';
// Quick fixes, hover on a lock, "Explain" and the lock graph through the real language server
// (`node server/out/server.js --stdio`), driven by a minimal JSON-RPC client. Waits for messages, never sleeps.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { applyEdits } = require('../server/out/fixes/index');

const ROOT = path.join(__dirname, '..');
const SERVER = path.join(ROOT, 'server', 'out', 'server.js');
const WAIT_MS = 15000;

function startServer() {
  const proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const inbox = [];
  const waiters = [];
  let nextId = 1;
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const write = (msg) => {
    const body = JSON.stringify(msg);
    proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  let buf = Buffer.alloc(0);
  proc.stdout.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: *(\d+)/i.exec(buf.subarray(0, end).toString('ascii'))[1]);
      if (buf.length < end + 4 + length) return;
      const msg = JSON.parse(buf.subarray(end + 4, end + 4 + length).toString('utf8'));
      buf = buf.subarray(end + 4 + length);
      if (msg.method !== undefined && msg.id !== undefined) {
        // Server requests: configuration, progress, registrations.
        write({ jsonrpc: '2.0', id: msg.id, result: msg.method === 'workspace/configuration' ? msg.params.items.map(() => ({ scanOnStartup: true, debounceMs: 10 })) : null });
      }
      inbox.push(msg);
      for (const w of [...waiters]) if (w.pred(msg)) { waiters.splice(waiters.indexOf(w), 1); clearTimeout(w.timer); w.resolve(msg); }
    }
  });
  const waitFor = (pred, what) => {
    const found = inbox.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve, timer: setTimeout(() => reject(new Error(`timed out waiting for ${what}\n${stderr}`)), WAIT_MS) };
      waiters.push(w);
    });
  };
  const request = async (method, params) => {
    const id = nextId++;
    write({ jsonrpc: '2.0', id, method, params });
    const msg = await waitFor((m) => m.id === id && m.method === undefined, `response to ${method}`);
    if (msg.error) throw new Error(`${method}: ${msg.error.message}`);
    return msg.result;
  };
  const notify = (method, params) => write({ jsonrpc: '2.0', method, params });
  const stop = async () => {
    const exited = new Promise((resolve) => proc.on('exit', resolve));
    try { await request('shutdown', null); notify('exit', null); } catch { proc.kill(); }
    await exited;
  };
  return { request, notify, waitFor, stop, inbox };
}

function workspace(files) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'locklint-qf-')));
  for (const [name, from] of Object.entries(files)) fs.copyFileSync(from, path.join(dir, name));
  return dir;
}

const caps = { textDocument: { publishDiagnostics: { relatedInformation: true }, codeAction: {}, hover: {} }, workspace: { configuration: true } };

test('a quick fix applied through the server removes the finding; hover, explain and graph answer', { timeout: 60000 }, async (t) => {
  const fixture = path.join(__dirname, 'fixtures', 'quickfix', 'c', 'leaked_irqsave.c');
  const dir = workspace({ 'ring.c': fixture, 'order.c': path.join(__dirname, 'fixtures', 'quickfix', 'c', 'lock_order_swap.c') });
  const file = path.join(dir, 'ring.c');
  const uri = pathToFileURL(file).href;
  const server = startServer();
  t.after(() => server.stop());
  await server.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }], capabilities: caps });
  server.notify('initialized', {});
  const text = fs.readFileSync(file, 'utf8');
  server.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
  const published = await server.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === 1
    && m.params.diagnostics.some((d) => d.code === 'leaked-lock'), 'leaked-lock diagnostic');
  const diagnostic = published.params.diagnostics.find((d) => d.code === 'leaked-lock');

  const actions = await server.request('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
  const titles = actions.map((a) => a.title);
  assert.deepEqual(titles, [
    'Release &r->lock before this return (spin_unlock_irqrestore)',
    'Explain this leaked-lock finding',
    'Suppress leaked-lock on this line',
    'Open documentation for leaked-lock',
  ]);
  assert.equal(actions[0].isPreferred, true);
  const fixed = applyEdits(text, actions[0].edit.changes[uri].map((e) => ({
    span: { line: e.range.start.line, col: e.range.start.character, endLine: e.range.end.line, endCol: e.range.end.character }, newText: e.newText,
  })));
  assert.equal(fixed, fs.readFileSync(`${fixture}.fixed`, 'utf8'));

  // Explain: a Markdown report with the sites linked and the fix listed.
  const explained = await server.request('workspace/executeCommand', { command: actions[1].command.command, arguments: actions[1].command.arguments });
  assert.match(explained.markdown, /^# locklint: leaked-lock/);
  assert.match(explained.markdown, /\[ring\.c:12\]\(file:\/\/.*ring\.c#L12\)/);
  assert.match(explained.markdown, /spin_unlock_irqrestore\)\*\* \(preferred\)/);

  // Hover on the lock in the acquisition: class, sites, what is held.
  const hover = await server.request('textDocument/hover', { textDocument: { uri }, position: { line: 11, character: 22 } });
  assert.match(hover.contents.value, /\*\*lock `&r->lock`\*\* — class `struct ring\.lock`/);
  assert.match(hover.contents.value, /acquired at 1 site in the workspace/);
  assert.match(hover.contents.value, /held here: nothing else/);

  // The graph: the scan read order.c; its cycle is highlighted.
  await server.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && /order\.c$/.test(m.params.uri) && m.params.diagnostics.some((d) => d.code === 'lock-order'), 'order.c cycle');
  const graph = await server.request('workspace/executeCommand', { command: 'locklint.server.lockGraph', arguments: [{}] });
  assert.equal(graph.cycles, 1);
  assert.match(graph.html, /class="node cycle" data-class="static:[^"]*lock_a"/);
  const lockOrderHover = await server.request('textDocument/hover', { textDocument: { uri: pathToFileURL(path.join(dir, 'order.c')).href }, position: { line: 8, character: 22 } }).catch(() => null);
  assert.equal(lockOrderHover, null, 'order.c is not open: no hover');

  // Apply the edit the way an editor does: the finding goes, nothing new appears.
  server.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixed }] });
  const after = await server.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === 2, 'diagnostics after the fix');
  assert.deepEqual(after.params.diagnostics.map((d) => d.code), []);
});
