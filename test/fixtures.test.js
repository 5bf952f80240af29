'use strict';
// Every fixture workspace under test/fixtures/<lang>/<check>/ must produce exactly the findings its
// `// expect:` comments name. fp_*/fn_* files record known limits: they run as todo tests, so an
// improvement shows up as a todo that passes, not as silence.
const test = require('node:test');
const assert = require('node:assert');
const { fixtureWorkspaces, expectations, compare } = require('./helpers/fixtures');
const { analyzeFiles, display } = require('./helpers/engine');

const SKIP_GROUPS = new Set(['lsp']);

for (const lang of ['c', 'go']) {
  for (const ws of fixtureWorkspaces(lang)) {
    if (SKIP_GROUPS.has(ws.group)) continue;
    const knownLimit = /^(fp|fn)_/.test(ws.name) || ws.group === 'interproc' && /^fn_/.test(ws.name);
    test(`${lang}/${ws.group}/${ws.name}`, { todo: knownLimit ? 'known limit (fp_/fn_ fixture)' : undefined }, async () => {
      const result = await analyzeFiles(ws.files);
      const actual = new Set(result.findings.map((f) => `${f.file}:${f.span.line + 1}:${f.check}`));
      const verdict = compare(expectations(ws.files, display), actual);
      const messages = new Map(result.findings.map((f) => [`${f.file}:${f.span.line + 1}:${f.check}`, f.message]));
      const describe = (k) => `${k}${messages.has(k) ? ` — ${messages.get(k)}` : ''}`;
      assert.deepStrictEqual(
        { missing: verdict.missing, noisy: verdict.noisy.map(describe), wrong: verdict.wrong.map(describe) },
        { missing: [], noisy: [], wrong: [] },
      );
    });
  }
}

test('every check has at least 10 buggy and 10 clean fixtures per language where it applies', () => {
  const counts = {};
  for (const lang of ['c', 'go']) {
    for (const ws of fixtureWorkspaces(lang)) {
      const key = `${lang}/${ws.group}`;
      counts[key] ??= { bad: 0, ok: 0 };
      if (ws.name.startsWith('bad_') || /abba|cycle/.test(ws.name) && !ws.name.startsWith('ok_')) counts[key].bad++;
      if (ws.name.startsWith('ok_')) counts[key].ok++;
    }
  }
  const required = ['lock-order', 'double-lock', 'leaked-lock', 'unlock-not-held', 'blocking-under-lock'];
  for (const lang of ['c', 'go']) {
    for (const check of required) {
      const c = counts[`${lang}/${check}`] ?? { bad: 0, ok: 0 };
      assert.ok(c.bad >= 10 && c.ok >= 10, `${lang}/${check}: ${c.bad} buggy, ${c.ok} clean fixtures`);
    }
  }
});
