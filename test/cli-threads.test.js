'use strict';
// Worker threads: findings must not depend on how many threads read the files, and a thread that
// dies costs only the file that killed it.
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'server', 'out');
const CLI = path.join(OUT, 'cli', 'main.js');

function scan(threads, format) {
  const r = spawnSync(process.execPath, [CLI, '--no-cache', '--stats', '--threads', String(threads), '--format', format, 'test/fixtures', 'examples'], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, workers: Number((r.stderr.match(/on (\d+) worker threads/) || [])[1]) };
}

test('--threads 1 and --threads 2 report the same findings on the fixtures and examples', () => {
  const one = scan(1, 'json');
  const two = scan(2, 'json');
  assert.strictEqual(one.workers, 0, one.stderr);
  assert.strictEqual(two.workers, 2, two.stderr);
  assert.strictEqual(two.code, one.code);
  assert.ok(JSON.parse(one.stdout).findings.length > 100);
  assert.strictEqual(two.stdout, one.stdout);
  // The per-file notes (skipped files, parse problems) are the same too, in the same order.
  const notes = (r) => r.stderr.split('\n').filter((l) => l.startsWith('locklint:') && !l.includes('stats:'));
  assert.deepStrictEqual(notes(two), notes(one));
});

test('a worker thread that crashes costs only the file that crashed it', async () => {
  const { WorkerPool, batchBySize } = require(path.join(OUT, 'cli', 'pool.js'));
  const { decodeEntry } = require(path.join(OUT, 'cli', 'codec.js'));
  const { contentHash } = require(path.join(OUT, 'engine.js'));
  const text = (fn) => `#include <pthread.h>\nstatic pthread_mutex_t m;\nvoid ${fn}(void) { pthread_mutex_lock(&m); pthread_mutex_unlock(&m); }\n`;
  const names = ['a.c', 'b.c', 'crash.c', 'c.c', 'd.c', 'e.c', 'f.c'];
  const items = names.map((p) => ({ path: p, text: text(p[0]), language: 'c', hash: contentHash(text(p[0])) }));
  const pool = new WorkerPool({ script: path.join(__dirname, 'helpers', 'crashing-worker.js'), size: 2, workerData: { parser: 'wasm' } });
  const done = new Map();
  const failed = new Map();
  try {
    await pool.run(batchBySize(items, (f) => f.text.length, 250), (batch, m) => {
      batch.forEach((f, k) => done.set(f.path, decodeEntry(m.results[k].data, f.path, f.hash)));
    }, (f, message) => failed.set(f.path, message));
  } finally {
    await pool.close();
  }
  assert.deepStrictEqual([...failed.keys()], ['crash.c']);
  assert.match(failed.get('crash.c'), /worker thread reading it crashed \(exit code 70\)/);
  assert.deepStrictEqual([...done.keys()].sort(), names.filter((n) => n !== 'crash.c'));
  for (const [p, entry] of done) assert.strictEqual(entry.ir.functions[0].name, p[0], p);
  assert.ok(pool.restarts >= 1);
});
