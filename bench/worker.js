'use strict';
// The parse-only floor on N threads: a worker of the CLI's own pool (server/out/cli/pool.js,
// same protocol, batching and in-flight depth as server/out/cli/lower-worker.js), which parses
// each file of a batch and frees the tree instead of lowering it.
const path = require('path');
const { parentPort, workerData } = require('worker_threads');

const OUT = process.env.LOCKLINT_BENCH_OUT || path.join(__dirname, '..', 'server', 'out');
const { createNativeParser, createWasmParser } = require(path.join(OUT, 'syntax', 'parser.js'));

const parser = (async () => {
  const p = workerData.parser === 'native' ? createNativeParser() : await createWasmParser();
  if (!p) throw new Error('native tree-sitter binding not available in worker');
  return p;
})();
parser.then(() => parentPort.postMessage({ type: 'ready' }), (err) => parentPort.postMessage({ type: 'fatal', message: String(err && err.stack || err) }));

parentPort.on('message', async (m) => {
  if (m.type !== 'batch') return;
  const p = await parser;
  const started = process.hrtime.bigint();
  const results = m.items.map((f) => {
    const tree = p.parse(f.language, f.text);
    const nodes = tree.rootNode.childCount; // touch the tree like a caller would
    tree.delete();
    return nodes;
  });
  parentPort.postMessage({ type: 'done', id: m.id, results, busyNs: Number(process.hrtime.bigint() - started) });
});
