'use strict';
// A benchmark worker thread: parses (mode "parse") or parses + lowers (mode "scan") the batches of
// files the main thread sends, with its own parser, and sends back the FileEntry ({hash, ir}) of
// each file — plain data, so structured clone carries it — for the main Engine's setEntry().
const path = require('path');
const { parentPort, workerData } = require('worker_threads');

const OUT = path.join(__dirname, '..', 'server', 'out');
const { Engine } = require(path.join(OUT, 'engine.js'));
const { createNativeParser, createWasmParser } = require(path.join(OUT, 'syntax', 'parser.js'));

async function main() {
  const { mode, backend, interprocedural } = workerData;
  const parser = backend === 'native' ? createNativeParser() : await createWasmParser();
  if (!parser) throw new Error('native tree-sitter binding not available in worker');
  const engine = mode === 'scan' ? await Engine.create({ parser, interprocedural }) : undefined;

  parentPort.on('message', (msg) => {
    if (msg.type === 'exit') {
      parentPort.close();
      return;
    }
    if (msg.type !== 'batch') return;
    const started = process.hrtime.bigint();
    if (mode === 'parse') {
      let nodes = 0;
      for (const f of msg.files) {
        const tree = parser.parse(f.language, f.text);
        nodes += tree.rootNode.childCount; // touch the tree like a caller would
        tree.delete();
      }
      parentPort.postMessage({ type: 'done', id: msg.id, count: msg.files.length, nodes, busyNs: Number(process.hrtime.bigint() - started) });
    } else {
      const entries = [];
      for (const f of msg.files) entries.push([f.path, engine.lowerAndExplore(f.path, f.text, f.language)]);
      parentPort.postMessage({ type: 'done', id: msg.id, entries, busyNs: Number(process.hrtime.bigint() - started) });
    }
  });
  parentPort.postMessage({ type: 'ready' });
}

main().catch((err) => {
  parentPort.postMessage({ type: 'error', message: err && err.stack ? err.stack : String(err) });
});
