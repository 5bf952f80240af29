'use strict';
// A minimal JSON-RPC client for the real language server (`node server/out/server.js --stdio`).
// Waits for messages, never sleeps. Shared by test/quickfix-lsp*.test.js.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const SERVER = path.join(ROOT, 'server', 'out', 'server.js');
const WAIT_MS = 15000;

const caps = { textDocument: { publishDiagnostics: { relatedInformation: true }, codeAction: {}, hover: {} }, workspace: { configuration: true } };

/** settings: what the server gets back for `workspace/configuration` (per item). */
function startServer(settings = { scanOnStartup: true, debounceMs: 10 }) {
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
        write({ jsonrpc: '2.0', id: msg.id, result: msg.method === 'workspace/configuration' ? msg.params.items.map(() => settings) : null });
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

/** A fresh temp folder with `files` ({ relative name: source path }) copied in; sub-folders are created. */
function workspace(files) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'locklint-qf-')));
  for (const [name, from] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, name));
  }
  return dir;
}

/** An LSP WorkspaceEdit's TextEdits for one URI -> the engine's edit shape, for fixes/index applyEdits. */
function lspEditsToFixEdits(textEdits) {
  return textEdits.map((e) => ({
    span: { line: e.range.start.line, col: e.range.start.character, endLine: e.range.end.line, endCol: e.range.end.character }, newText: e.newText,
  }));
}

module.exports = { startServer, workspace, caps, lspEditsToFixEdits };
