'use strict';
// Every ```c / ```go example in docs/checks/ is executed: an "Incorrect" block reports exactly its
// `// expect:` lines, a block without one stays silent.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { expectations, compare } = require('./helpers/fixtures');
const { analyzeFiles, display, ROOT } = require('./helpers/engine');

const DOCS = path.join(ROOT, 'docs', 'checks');
const BLOCK = /```(c|go)\n([\s\S]*?)```/g;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'locklint-docs-'));
for (const page of fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort()) {
  const text = fs.readFileSync(path.join(DOCS, page), 'utf8');
  let n = 0;
  for (const m of text.matchAll(BLOCK)) {
    n++;
    const [, lang, code] = m;
    test(`docs/checks/${page} example ${n} (${lang})`, async () => {
      const file = path.join(scratch, `${page.replace(/\.md$/, '')}-${n}.${lang}`);
      fs.writeFileSync(file, code);
      const result = await analyzeFiles([file]);
      const actual = new Set(result.findings.map((f) => `${f.file}:${f.span.line + 1}:${f.check}`));
      const verdict = compare(expectations([file], display), actual);
      assert.deepStrictEqual({ missing: verdict.missing, noisy: verdict.noisy, wrong: verdict.wrong }, { missing: [], noisy: [], wrong: [] });
    });
  }
}
