'use strict';
// One benchmark phase in its own process, so every phase starts with a cold JIT and its own peak
// RSS. Usage (run.js does this): node bench/phase.js <files.json> '<phase JSON>'
//   phase: { kind: 'parse'|'scan', backend: 'native'|'wasm', threads: 1|2|..., interprocedural, touch }
//        | { kind: 'cli', cwd, args, output }   (the real CLI, runCli, with --stats)
// Source text is read before any timer starts (reading is measured on its own); every figure is
// wall-clock milliseconds. Prints one line `BENCH_RESULT {...}` on stdout.
const fs = require('fs');
const path = require('path');

// run.js points every phase at a snapshot of the build (see snapshotBuild there).
const OUT = process.env.LOCKLINT_BENCH_OUT || path.join(__dirname, '..', 'server', 'out');
const { Engine, contentHash } = require(path.join(OUT, 'engine.js'));
const { WorkerPool, batchBySize } = require(path.join(OUT, 'cli', 'pool.js'));
const { lowerAll } = require(path.join(OUT, 'cli', 'scan.js'));
const { runCli } = require(path.join(OUT, 'cli', 'run.js'));
const { createNativeParser, createWasmParser } = require(path.join(OUT, 'syntax', 'parser.js'));
const { readAll } = require('./corpus');

/** Native trees are freed by finalizers, which run only when the event loop turns. */
const FILES_PER_YIELD = 200;

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
// N threads go through the CLI's own pool (server/out/cli/pool.js) and, for scans, its own
// lowerAll() (server/out/cli/scan.js): what is measured is what ships.

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
  // The floor leaves worker start-up out (it is in the scan figures, as the CLI pays it).
  const s0 = nowMs();
  const pool = new WorkerPool({ script: path.join(__dirname, 'worker.js'), size: phase.threads, workerData: { parser: phase.backend } });
  await pool.ready;
  const startupMs = nowMs() - s0;
  const lost = [];
  const t = await timed(() => pool.run(batchBySize(sources, (s) => s.text.length), () => {}, (s, message) => lost.push(`${s.path}: ${message}`)));
  await pool.close();
  if (lost.length) throw new Error(lost.join('\n'));
  return { ms: t.ms, cpuMs: t.cpuMs, workerStartupMs: startupMs, workerBusyMs: pool.busyMs };
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
    // Hashing is in the figure: the 1-thread path's setFile() hashes too.
    const lower = await timed(() => lowerAll(engine, sources.map((s) => ({ ...s, hash: contentHash(s.text) })), {
      threads: phase.threads, forceThreads: true, worker: { parser: phase.backend },
    }));
    const out = lower.value;
    if (out.failures.length) throw new Error(out.failures.map((f) => `${f.path}: ${f.message}`).join('\n'));
    const store = timed(() => out.entries.forEach((e, i) => engine.setEntry(sources[i].path, e)));
    const an = timed(() => engine.analyze());
    analysis = an.value;
    result.workerStartupMs = out.stats.workerStartupMs;
    result.cold = {
      ms: lower.ms + store.ms + an.ms, cpuMs: lower.cpuMs + store.cpuMs + an.cpuMs,
      lowerMs: lower.ms + store.ms, analyzeMs: an.ms, workerBusyMs: out.stats.workerBusyMs,
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

/**
 * One run of the real CLI (runCli, in this process so maxRSS is its own) on a mirror of the
 * corpus, with --stats: cold, warm or touched is the state of the cache it is given.
 */
async function cliPhase(phase) {
  let stderr = '';
  const io = { cwd: phase.cwd, stdout: () => {}, stderr: (x) => { stderr += x; }, stderrIsTTY: false, stdoutIsTTY: false, env: process.env };
  const t = await timed(() => runCli(['--stats', '--format', 'json', '-o', phase.output, ...phase.args], io));
  const num = (re) => Number((stderr.match(re) || [])[1]);
  if (t.value === 2) throw new Error(stderr);
  return {
    ms: t.ms, cpuMs: t.cpuMs, exitCode: t.value,
    findings: JSON.parse(fs.readFileSync(phase.output, 'utf8')).findings.length,
    stats: {
      hits: num(/ (\d+) hits/), misses: num(/ (\d+) misses/), written: num(/ (\d+) written/), corrupt: num(/ (\d+) corrupt/),
      resultHit: /whole-run result hit/.test(stderr), workers: num(/on (\d+) worker threads/),
      readS: num(/read and hashed in ([\d.]+) s/), analyzeS: num(/analyze ([\d.]+) s/), analyzeCpuS: num(/analyze [\d.]+ s \(CPU ([\d.]+) s\)/),
      lowerS: num(/failed; ([\d.]+) s/), lowerCpuS: num(/failed; [\d.]+ s \(CPU ([\d.]+) s\)/), decodeS: num(/main thread decoding ([\d.]+) s/),
    },
    stderr: stderr.split('\n').filter((l) => !l.includes('stats:')).slice(0, 20).join('\n'),
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

async function main() {
  const [listFile, phaseJson] = process.argv.slice(2);
  const phase = JSON.parse(phaseJson);
  if (phase.kind === 'cli') {
    process.stdout.write(`BENCH_RESULT ${JSON.stringify(await cliPhase(phase))}\n`);
    return;
  }
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
