'use strict';
// Inputs that once crashed, hung or ran out of memory (saved by scripts/fuzz.js under
// test/fixtures/fuzz-crashes/<lang>/, outside the fixture runner's folders): each must now go
// through the engine with both parsers without an exception or an internal-error problem. They
// carry no expectations: the byte-level ones are replayed decoded both as latin1 and as UTF-8.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { Engine } = require('../server/out/engine');
const { parserFor } = require('./helpers/engine');

const DIR = path.join(__dirname, 'fixtures', 'fuzz-crashes');
const INTERNAL = /internal error|front end failed|could not parse this file|check [\w-]+ failed/i;

const inputs = [];
for (const lang of ['c', 'go']) {
  const dir = path.join(DIR, lang);
  if (!fs.existsSync(dir)) continue;
  for (const name of fs.readdirSync(dir).sort()) if (/\.(c|h|go)$/.test(name)) inputs.push({ lang, name, file: path.join(dir, name) });
}

test('fuzz regressions are present', () => {
  assert.ok(inputs.length > 0, `no inputs under ${DIR}`);
});

for (const { lang, name, file } of inputs) {
  test(`fuzz-crashes/${lang}/${name}`, { timeout: 60000 }, async () => {
    const bytes = fs.readFileSync(file);
    const texts = new Set([bytes.toString('latin1'), bytes.toString('utf8')]);
    const found = new Map(); // text -> backend -> findings, for the parsers' parity
    for (const backend of ['wasm', 'native']) {
      const parser = await parserFor(backend);
      if (!parser) continue; // native binding not installed here
      for (const text of texts) {
        const engine = await Engine.create({ parser, maxFileSize: 64 * 1024 * 1024 });
        const problems = engine.setFile(`fuzz/${name}`, text);
        const result = engine.analyze();
        const internal = [...problems, ...result.problems].map((p) => p.message).filter((m) => INTERNAL.test(m));
        assert.deepEqual(internal, [], `${backend}: ${internal[0]}`);
        const list = result.findings.map((f) => `${f.span.line}:${f.span.col}:${f.check}`).sort();
        if (!found.has(text)) found.set(text, new Map());
        found.get(text).set(backend, list);
      }
    }
    for (const byBackend of found.values()) {
      if (byBackend.size === 2) assert.deepEqual(byBackend.get('native'), byBackend.get('wasm'), 'native and wasm parsers differ');
    }
  });
}
