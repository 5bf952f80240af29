'use strict';
// Native tree-sitter (CLI, when installed) and web-tree-sitter (editor) must give identical findings.
const test = require('node:test');
const assert = require('node:assert');
const { fixtureWorkspaces } = require('./helpers/fixtures');
const { analyzeFiles, parserFor } = require('./helpers/engine');

test('native and wasm parsers give identical findings on every fixture', async (t) => {
  if (!(await parserFor('native'))) {
    t.skip('native tree-sitter is not installed here (optional dependency); nothing to compare');
    return;
  }
  for (const lang of ['c', 'go']) {
    for (const ws of fixtureWorkspaces(lang)) {
      const wasm = await analyzeFiles(ws.files, { parser: 'wasm' });
      const native = await analyzeFiles(ws.files, { parser: 'native' });
      assert.deepStrictEqual(native.findings, wasm.findings, `${lang}/${ws.group}/${ws.name}`);
    }
  }
});
