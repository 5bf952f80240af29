'use strict';
// The bundled examples are reported exactly as their `// expect:` comments say (README quick start).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { expectations, compare } = require('./helpers/fixtures');
const { analyzeFiles, display, ROOT } = require('./helpers/engine');

const EXAMPLES = path.join(ROOT, 'examples');

for (const name of fs.readdirSync(EXAMPLES).sort()) {
  const dir = path.join(EXAMPLES, name);
  if (!fs.statSync(dir).isDirectory()) continue;
  const files = fs.readdirSync(dir).filter((f) => /\.(c|h|go)$/.test(f)).map((f) => path.join(dir, f));
  test(`example ${name}`, async () => {
    const result = await analyzeFiles(files);
    const actual = new Set(result.findings.map((f) => `${f.file}:${f.span.line + 1}:${f.check}`));
    const verdict = compare(expectations(files, display), actual);
    assert.deepStrictEqual({ missing: verdict.missing, noisy: verdict.noisy, wrong: verdict.wrong }, { missing: [], noisy: [], wrong: [] });
  });
}
