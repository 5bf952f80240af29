'use strict';
// One benchmark phase in its own process, so every phase starts with a cold JIT and its own peak
// RSS. Usage (run.js does this): node bench/phase.js <files.json> '<phase JSON>'
//   phase: { kind: 'parse'|'scan', backend: 'native'|'wasm', threads: 1|2|..., interprocedural, touch }
// Source text is read before any timer starts (reading is measured on its own); every figure is
// wall-clock milliseconds. Prints one line `BENCH_RESULT {...}` on stdout.
const fs = require('fs');
const path = require('path');
const { Worker } = require('worker_threads');

const OUT = path.join(__dirname, '..', 'server', 'out');
const { Engine } = require(path.join(OUT, 'engine.js'));
const { createNativeParser, createWasmParser } = require(path.join(OUT, 'syntax', 'parser.js'));
const { readAll } = require('./corpus');

/** Native trees are freed by finalizers, which run only when the event loop turns. */
const FILES_PER_YIELD = 200;
const BATCH_BYTES = 128 * 1024;
const BATCH_FILES = 32;
const IN_FLIGHT_PER_WORKER = 2;

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

async function makeParser(backend) {
  if (backend === 'native') {
    const p = createNativeParser();
    if (!p) throw new Error('the native tree-sitter binding does not load here');
    return p;
  }
  return createWasmParser();
}

function timed(fn) {
  const cpu0 = process.cpuUsage();
  const t0 = nowMs();
  const r = fn();
  const done = (value) => {
    const cpu = process.cpuUsage(cpu0);
    return { ms: nowMs() - t0, cpuMs: (cpu.user + cpu.system) / 1000, value };
  };
  return r && typeof r.then === 'function' ? r.then(done) : done(r);
}

// ---------------------------------------------------------------------------------------------
// Worker pool: dynamic batches, a few in flight per worker so no worker waits for the main thread.

async function startPool(n, data) {
  const workers = [];
  for (let i = 0; i < n; i++) {
    const w = new Worker(path.join(__dirname, 'worker.js'), { workerData: data });
    workers.push(w);
  }
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => {
    const onMsg = (m) => {
      if (m.type === 'ready') { w.off('message', onMsg); resolve(); }
      else if (m.type === 'error') reject(new Error(m.message));
    };
    w.on('message', onMsg);
    w.once('error', reject);
  })));
  return workers;
}

function makeBatches(sources) {
  const batches = [];
  let cur = [];
  let bytes = 0;
  sources.forEach((s, index) => {
    cur.push(index);
    bytes += s.text.length;
    if (bytes >= BATCH_BYTES || cur.length >= BATCH_FILES) {
      batches.push(cur);
      cur = [];
      bytes = 0;
    }
  });
  if (cur.length) batches.push(cur);
  return batches;
}

/** Sends every source to the pool; `onDone(batchIndexes, message)` per finished batch. */
function runPool(workers, sources, onDone) {
  const batches = makeBatches(sources);
  let next = 0;
  let finished = 0;
  const busy = workers.map(() => 0);
  return new Promise((resolve, reject) => {
    if (batches.length === 0) return resolve({ busyNs: busy });
    const pending = new Map();
    let id = 0;
    const send = (wi) => {
      if (next >= batches.length) return;
      const b = batches[next++];
      const msgId = id++;
      pending.set(msgId, b);
      workers[wi].postMessage({ type: 'batch', id: msgId, files: b.map((i) => sources[i]) });
    };
    workers.forEach((w, wi) => {
      w.removeAllListeners('message');
      w.on('message', (m) => {
        if (m.type === 'error') return reject(new Error(m.message));
        if (m.type !== 'done') return;
        busy[wi] += m.busyNs;
        const b = pending.get(m.id);
        pending.delete(m.id);
        onDone(b, m);
        finished++;
        if (finished === batches.length) resolve({ busyNs: busy });
        else send(wi);
      });
      w.once('error', reject);
      for (let k = 0; k < IN_FLIGHT_PER_WORKER; k++) send(wi);
    });
  });
}

async function stopPool(workers) {
  await Promise.all(workers.map((w) => w.terminate()));
}

// ---------------------------------------------------------------------------------------------

async function parsePhase(sources, phase) {
  if (phase.threads <= 1) {
    const parser = await makeParser(phase.backend);
    const byLanguage = {};
    const t = await timed(async () => {
      let n = 0;
      let nodes = 0;
      for (const s of sources) {
        const t0 = nowMs();
        const tree = parser.parse(s.language, s.text);
        nodes += tree.rootNode.childCount; // touch the tree like a caller would
        tree.delete();
        addTo(byLanguage, s, nowMs() - t0);
        if (++n % FILES_PER_YIELD === 0) await yieldToEventLoop();
      }
    });
    return { ms: t.ms, cpuMs: t.cpuMs, byLanguage };
  }
  const s0 = nowMs();
  const workers = await startPool(phase.threads, { mode: 'parse', backend: phase.backend });
  const startupMs = nowMs() - s0;
  const t = await timed(() => runPool(workers, sources, () => {}));
  await stopPool(workers);
  return { ms: t.ms, cpuMs: t.cpuMs, workerStartupMs: startupMs, workerBusyMs: t.value.busyNs.map((ns) => ns / 1e6) };
}

/** Per-language totals: { c: { files, bytes, ms }, go: {...} }. */
function addTo(byLanguage, source, ms) {
  const l = (byLanguage[source.language] ??= { files: 0, bytes: 0, ms: 0 });
  l.files++;
  l.bytes += source.text.length;
  l.ms += ms;
}

function countFunctions(engine) {
  let n = 0;
  for (const p of engine.filePaths) n += engine.getEntry(p).ir.functions.length;
  return n;
}

async function scanPhase(sources, phase) {
  const parser = await makeParser(phase.backend);
  const engine = await Engine.create({ parser, interprocedural: phase.interprocedural });
  const result = {};
  let analysis;

  if (phase.threads <= 1) {
    const byLanguage = {};
    const lower = await timed(async () => {
      let n = 0;
      for (const s of sources) {
        const t0 = nowMs();
        engine.setFile(s.path, s.text);
        addTo(byLanguage, s, nowMs() - t0);
        if (++n % FILES_PER_YIELD === 0) await yieldToEventLoop();
      }
    });
    const an = timed(() => engine.analyze());
    analysis = an.value;
    result.cold = { ms: lower.ms + an.ms, cpuMs: lower.cpuMs + an.cpuMs, lowerMs: lower.ms, analyzeMs: an.ms, lowerByLanguage: byLanguage };
  } else {
    const s0 = nowMs();
    const workers = await startPool(phase.threads, { mode: 'scan', backend: phase.backend, interprocedural: phase.interprocedural });
    result.workerStartupMs = nowMs() - s0;
    const entries = new Array(sources.length);
    let mainMs = 0;
    const lower = await timed(() => runPool(workers, sources, (batch, m) => {
      const t0 = nowMs();
      m.entries.forEach((e, k) => { entries[batch[k]] = e; });
      mainMs += nowMs() - t0;
    }));
    const store = timed(() => { for (const [p, e] of entries) engine.setEntry(p, e); });
    const an = timed(() => engine.analyze());
    analysis = an.value;
    await stopPool(workers);
    result.cold = {
      ms: lower.ms + store.ms + an.ms, cpuMs: lower.cpuMs + store.cpuMs + an.cpuMs,
      lowerMs: lower.ms + store.ms, analyzeMs: an.ms,
      workerBusyMs: lower.value.busyNs.map((ns) => ns / 1e6),
    };
  }
  result.files = engine.filePaths.length;
  result.functions = countFunctions(engine);
  result.findings = analysis.findings.length;
  result.findingsByCheck = {};
  for (const f of analysis.findings) result.findingsByCheck[f.check] = (result.findingsByCheck[f.check] ?? 0) + 1;
  result.rssAfterColdMB = process.memoryUsage().rss / 2 ** 20;

  // Warm: every file again with the same text (content-hash hits), then a full analyze().
  {
    const lower = timed(() => { for (const s of sources) engine.setFile(s.path, s.text); });
    const an = timed(() => engine.analyze());
    result.warm = { ms: lower.ms + an.ms, cpuMs: lower.cpuMs + an.cpuMs, lowerMs: lower.ms, analyzeMs: an.ms, findings: an.value.findings.length };
  }
  // One file touched: a line inserted at the top (every span in the file moves), then analyze().
  const touched = sources.find((s) => s.path === phase.touch) ?? sources[0];
  if (touched) {
    const text = `/* locklint bench: touched */\n${touched.text}`;
    const lower = timed(() => engine.setFile(touched.path, text));
    const an = timed(() => engine.analyze());
    result.touch = { file: touched.path, ms: lower.ms + an.ms, cpuMs: lower.cpuMs + an.cpuMs, lowerMs: lower.ms, analyzeMs: an.ms, findings: an.value.findings.length };
  }
  return result;
}

async function main() {
  const [listFile, phaseJson] = process.argv.slice(2);
  const phase = JSON.parse(phaseJson);
  const list = JSON.parse(fs.readFileSync(listFile, 'utf8'));
  const r0 = nowMs();
  const { sources } = readAll(list.files, list.maxFileSize);
  const readMs = nowMs() - r0;
  const bytes = sources.reduce((a, s) => a + Buffer.byteLength(s.text), 0);
  const result = phase.kind === 'parse' ? await parsePhase(sources, phase) : await scanPhase(sources, phase);
  result.readMs = readMs;
  result.bytes = bytes;
  result.sourceFiles = sources.length;
  result.maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
