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

test('every check has a docs page, a README row, and a place in the config schema and the settings', () => {
  const { CHECK_IDS } = require('../server/out/checks/index');
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'server', 'src', 'config', 'schema.json'), 'utf8'));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const settings = pkg.contributes.configuration.properties['locklint.checks'].properties;
  for (const id of CHECK_IDS) {
    assert.ok(fs.existsSync(path.join(DOCS, `${id}.md`)), `docs/checks/${id}.md`);
    assert.ok(readme.includes(`docs/checks/${id}.md`), `README row for ${id}`);
    assert.ok(schema.properties.checks.properties[id], `schema.json checks.${id}`);
    assert.ok(settings[id], `package.json locklint.checks.${id}`);
  }
});
