'use strict';
// The real lower worker (server/out/cli/lower-worker.js), except that a batch holding a file whose
// name contains "crash" kills the thread first: a stand-in for a parser that aborts on one input.
// (`node --test test/` also loads this file on the main thread, where it has nothing to do.)
const path = require('path');
const { isMainThread, parentPort } = require('worker_threads');

if (!isMainThread) {
  parentPort.on('message', (m) => {
    if (m.type === 'batch' && m.items.some((f) => f.path.includes('crash'))) process.exit(70);
  });
  require(path.join(__dirname, '..', '..', 'server', 'out', 'cli', 'lower-worker.js'));
}
