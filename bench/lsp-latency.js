'use strict';
// Edit-to-diagnostics latency of the real language server (`node server/out/server.js --stdio`).
// A small JSON-RPC client (Content-Length framing) opens a generated C file, then types into a
// function near the middle of it: one incremental didChange (one character) every `intervalMs`
// (50 ms = 20 edits/s). Latency of edit v = time from writing it to the first
// publishDiagnostics for the document whose version is >= v (a version the server skipped because
// a newer edit had already arrived counts as served by the newer publish, as a user would see it).
//
// Settings are passed as initializationOptions.settings (what server/src/lsp/session.ts reads):
// debounceMs 0 (the default is 150 ms: at 20 edits/s it would not fire until typing stops) and
// scanOnStartup false (the workspace folder holds only the generated file anyway).
//
// Memory: the server's RSS is sampled through the run (`rss`). With `cycle` (--cycle) every typed
// character is erased again once the statement is complete, so the document keeps returning to
// its first text and a long run (10,000 edits) shows whether memory stays flat.
//
// Standalone: node bench/lsp-latency.js [lines=5000] [edits=200] [intervalMs=50] [debounceMs=0] [--cycle]
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { pathToFileURL } = require('url');
const { generateC } = require('./gen-c');

const SERVER = path.join(__dirname, '..', 'server', 'out', 'server.js');
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Client {
  constructor() {
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.buf = Buffer.alloc(0);
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    this.stderr = '';
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    this.proc.stdout.on('data', (d) => this.onData(d));
  }

  onData(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const headerEnd = this.buf.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const m = /Content-Length: *(\d+)/i.exec(this.buf.subarray(0, headerEnd).toString('ascii'));
      if (!m) throw new Error('bad header from server');
      const len = Number(m[1]);
      if (this.buf.length < headerEnd + 4 + len) return;
      const body = this.buf.subarray(headerEnd + 4, headerEnd + 4 + len).toString('utf8');
      this.buf = this.buf.subarray(headerEnd + 4 + len);
      this.onMessage(JSON.parse(body), nowMs());
    }
  }

  onMessage(msg, at) {
    if (msg.id !== undefined && msg.method === undefined) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (p) (msg.error ? p.reject(new Error(msg.error.message)) : p.resolve(msg.result));
      return;
    }
    if (msg.id !== undefined && msg.method !== undefined) {
      // A request from the server (workDoneProgress/create, client/registerCapability...): accept it.
      this.write({ jsonrpc: '2.0', id: msg.id, result: null });
      return;
    }
    for (const l of this.listeners) l(msg, at);
  }

  write(msg) {
    const body = JSON.stringify(msg);
    this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  request(method, params) {
    const id = this.nextId++;
    this.write({ jsonrpc: '2.0', id, method, params });
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  notify(method, params) {
    this.write({ jsonrpc: '2.0', method, params });
  }

  peakRssMB() {
    return this.statusMB('VmHWM');
  }

  rssMB() {
    return this.statusMB('VmRSS');
  }

  statusMB(field) {
    try {
      const status = fs.readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
      const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
      return m ? Number(m[1]) / 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  async close() {
    try {
      await Promise.race([this.request('shutdown', null), sleep(5000)]);
      this.notify('exit', null);
    } catch { /* already gone */ }
    await Promise.race([new Promise((r) => this.proc.once('exit', r)), sleep(3000)]);
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Characters typed, over and over: a statement, a newline, another statement. */
const TYPED = '\td->stats.tx_packets++;\n\tif (d->refcnt > 2)\n\t\td->state = 1;\n';

/** The edit that types character `k` of TYPED, or (cycle, second half) erases the last one typed. */
function nextEdit(k, cycle) {
  const period = cycle ? 2 * TYPED.length : TYPED.length;
  const i = k % period;
  if (i < TYPED.length) return { type: TYPED[i] };
  return { erase: TYPED[2 * TYPED.length - 1 - i] };
}

async function measureLatency({ lines = 5000, edits = 200, intervalMs = 50, debounceMs = 0, seed = 42, cycle = false } = {}) {
  const { text, lines: actualLines, editLine } = generateC(lines, seed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'locklint-bench-lsp-'));
  const file = path.join(dir, `bench_${lines}.c`);
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const client = new Client();
  const published = []; // { version, at, count }
  const waiters = [];
  client.listeners.push((msg, at) => {
    if (msg.method !== 'textDocument/publishDiagnostics' || msg.params.uri !== uri) return;
    published.push({ version: msg.params.version, at, count: msg.params.diagnostics.length });
    for (const w of [...waiters]) w();
  });
  const waitForVersion = (v, timeoutMs) => new Promise((resolve) => {
    const check = () => {
      const hit = published.find((p) => p.version !== undefined && p.version >= v);
      if (hit) { waiters.splice(waiters.indexOf(check), 1); clearTimeout(timer); resolve(hit); }
    };
    const timer = setTimeout(() => { waiters.splice(waiters.indexOf(check), 1); resolve(undefined); }, timeoutMs);
    waiters.push(check);
    check();
  });

  try {
    await client.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'bench' }],
      capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } } },
      initializationOptions: { settings: { debounceMs, scanOnStartup: false } },
    });
    client.notify('initialized', {});
    await sleep(300); // let the server build its engine (WASM parser load) before the clock starts

    const openAt = nowMs();
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
    const opened = await waitForVersion(1, 60_000);
    const openMs = opened ? opened.at - openAt : NaN;
    const diagnosticsAtOpen = opened ? opened.count : 0;

    const sentAt = new Map();
    let line = editLine;
    let col = 0;
    const lineLengths = []; // of the lines typed above the cursor, to erase back over a newline
    const rss = [{ edit: 0, mb: client.rssMB() }];
    const sampleEvery = Math.max(1, Math.floor(edits / 20));
    const start = nowMs();
    for (let i = 0; i < edits; i++) {
      const target = start + i * intervalMs;
      const wait = target - nowMs();
      if (wait > 0) await sleep(wait);
      const edit = nextEdit(i, cycle);
      const version = 2 + i;
      sentAt.set(version, nowMs());
      let range;
      if (edit.type !== undefined) {
        range = { start: { line, character: col }, end: { line, character: col } };
        if (edit.type === '\n') { lineLengths.push(col); line++; col = 0; } else col++;
      } else {
        const to = { line, character: col };
        if (edit.erase === '\n') { line--; col = lineLengths.pop(); } else col--;
        range = { start: { line, character: col }, end: to };
      }
      client.notify('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range, text: edit.type ?? '' }],
      });
      if ((i + 1) % sampleEvery === 0) rss.push({ edit: i + 1, mb: client.rssMB() });
    }
    const lastVersion = 1 + edits;
    const last = await waitForVersion(lastVersion, 120_000);
    const typingMs = nowMs() - start;

    const latencies = [];
    let ownPublish = 0;
    let unserved = 0;
    for (const [v, at] of sentAt) {
      const hit = published.find((p) => p.version !== undefined && p.version >= v && p.at >= at);
      if (!hit) { unserved++; continue; }
      latencies.push(hit.at - at);
      if (hit.version === v) ownPublish++;
    }
    latencies.sort((a, b) => a - b);
    const mean = latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1);
    return {
      lines: actualLines,
      bytes: Buffer.byteLength(text),
      edits,
      intervalMs,
      debounceMs,
      openMs,
      diagnosticsAtOpen,
      diagnosticsAtEnd: last ? last.count : undefined,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      max: latencies[latencies.length - 1],
      mean,
      analysesPublished: published.filter((p) => p.version !== undefined && p.version > 1).length,
      versionsWithOwnPublish: ownPublish,
      unserved,
      typingMs,
      cycle,
      /** Server RSS (MB) after opening and every edits/20 edits: flat when nothing leaks. */
      rss,
      serverPeakRssMB: client.peakRssMB(),
    };
  } finally {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { measureLatency, Client };

if (require.main === module) {
  const args = process.argv.slice(2);
  const [lines, edits, intervalMs, debounceMs] = args.filter((a) => !a.startsWith('--')).map(Number);
  measureLatency({
    lines: lines || 5000, edits: edits || 200, intervalMs: intervalMs || 50,
    debounceMs: Number.isFinite(debounceMs) ? debounceMs : 0, cycle: args.includes('--cycle'),
  })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((err) => { console.error(err); process.exit(1); });
}
