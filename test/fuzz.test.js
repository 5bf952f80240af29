'use strict';
// A short, seeded run of the fuzzer (scripts/fuzz.js): mutated fixtures and random inputs through
// the engine with both parsers and, for a share of them, through a live language server. Failing
// inputs go to a temporary folder here, never into the repository.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const FUZZ = path.join(__dirname, '..', 'scripts', 'fuzz.js');

test('8 s of fuzzing (seed 1) finds no crash, exception or hang', { timeout: 120000 }, () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'locklint-fuzz-test-'));
  try {
    const r = spawnSync(process.execPath, [FUZZ, '--seconds', '8', '--seed', '1', '--out', out], { encoding: 'utf8', timeout: 110000 });
    const line = (r.stdout || '').split('\n').find((l) => l.startsWith('FUZZ-SUMMARY '));
    assert.ok(line, `no summary (exit ${r.status}, ${r.signal ?? ''}):\n${r.stdout}\n${r.stderr}`);
    const summary = JSON.parse(line.slice('FUZZ-SUMMARY '.length));
    assert.equal(summary.failures, 0, r.stdout);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.ok(summary.inputs >= 20, `only ${summary.inputs} inputs in 8 s`);
    assert.ok(summary.backends.includes('wasm'));
    for (const kind of ['byteflip', 'linedel', 'linedup', 'brace', 'splice', 'tokens', 'truncate']) assert.ok(summary.perKind[kind] > 0, `${kind} never tried`);
    assert.deepEqual(fs.readdirSync(out), [], 'nothing saved');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
