'use strict';
// Every quick-fix fixture (test/fixtures/quickfix/<lang>/) through the real language server, one
// server for all of them: the fixture is opened, the finding its `// fix: <check>` marker points at
// is published, `textDocument/codeAction` on it offers the first fix quickfix.test.js applies (same
// title, kind quickfix, first in the list), and its WorkspaceEdit gives exactly `<name>.fixed`.
// The fixed text is then sent with didChange: the re-published diagnostics for that version no
// longer have the finding, and the text parses with no new ERROR nodes. Fixtures without `.fixed`
// get no fix over LSP either (only Explain, Suppress, Open documentation). Waits, never sleeps.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { Engine } = require('../server/out/engine');
const { fixesFor, applyEdits } = require('../server/out/fixes/index');
const { createWasmParser } = require('../server/out/syntax/parser');
const { startServer, workspace, caps, lspEditsToFixEdits } = require('./helpers/lsp-client');

const DIR = path.join(__dirname, 'fixtures', 'quickfix');

function cases() {
  const out = [];
  for (const lang of fs.readdirSync(DIR).sort()) {
    const dir = path.join(DIR, lang);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      // Each fixture in a folder of its own: Go files sharing a folder would be one package.
      if (/\.(c|go)$/.test(name)) out.push({ lang, name, file: path.join(dir, name), rel: `${lang}-${name.replace(/\W/g, '_')}/${name}` });
    }
  }
  return out;
}

function errorNodes(parser, language, text) {
  const tree = parser.parse(language, text);
  let count = 0;
  const walk = (n) => {
    if (n.type === 'ERROR' || n.isMissing) count++;
    for (const c of n.children) if (c) walk(c);
  };
  walk(tree.rootNode);
  tree.delete();
  return count;
}

/** The titles of the fixes the engine offers in-process, as quickfix.test.js computes them. */
async function expectedFixTitles(parser, file, text, check, line) {
  const engine = await Engine.create({ parser });
  engine.setFile(file, text);
  const finding = engine.analyze().findings.find((f) => f.check === check && f.span.line === line);
  assert.ok(finding, `${file}:${line + 1}: in-process ${check} finding`);
  return fixesFor({ finding, text, ir: engine.getEntry(file).ir, api: engine.apiIndex }).map((f) => f.title);
}

const isDiagnostics = (uri, version) => (m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === version;

test('every quick-fix fixture applied through one language server', { timeout: 120000 }, async (t) => {
  const all = cases();
  assert.ok(all.length > 0, 'quick-fix fixtures found');
  const dir = workspace(Object.fromEntries(all.map((c) => [c.rel, c.file])));
  const parser = await createWasmParser();
  // Only open documents are analysed, so fixtures never see each other.
  const server = startServer({ scanOnStartup: false, debounceMs: 10 });
  t.after(() => server.stop());
  await server.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }], capabilities: caps });
  server.notify('initialized', {});

  let applied = 0;
  let noFix = 0;
  for (const c of all) {
    await t.test(`${c.lang}/${c.name}`, async () => {
      const text = fs.readFileSync(c.file, 'utf8');
      const expectedFile = `${c.file}.fixed`;
      const lines = text.split('\n');
      const marked = lines.findIndex((l) => /\/\/ fix: [a-z-]+/.test(l));
      assert.ok(marked >= 0, `${c.name}: no "// fix: <check>" marker`);
      const check = /\/\/ fix: ([a-z-]+)/.exec(lines[marked])[1];
      const titles = await expectedFixTitles(parser, c.file, text, check, marked);

      const uri = pathToFileURL(path.join(dir, c.rel)).href;
      server.notify('textDocument/didOpen', { textDocument: { uri, languageId: c.lang, version: 1, text } });
      try {
        const before = (await server.waitFor(isDiagnostics(uri, 1), `${c.name}: diagnostics for version 1`)).params.diagnostics;
        const diagnostic = before.find((d) => d.code === check && d.range.start.line === marked);
        assert.ok(diagnostic, `${c.name}:${marked + 1}: a ${check} diagnostic there; got ${before.map((d) => `${d.code}@${d.range.start.line + 1}`).join(', ') || 'none'}`);
        const actions = await server.request('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
        const fixActions = actions.filter((a) => a.kind === 'quickfix' && a.edit && !a.title.startsWith('Suppress '));

        if (!fs.existsSync(expectedFile)) {
          assert.deepEqual(titles, [], 'no fix in-process');
          assert.deepEqual(fixActions.map((a) => a.title), [], 'no fix offered over LSP');
          assert.deepEqual(actions.map((a) => a.title), [`Explain this ${check} finding`, `Suppress ${check} on this line`, `Open documentation for ${check}`]);
          noFix++;
          return;
        }

        assert.ok(titles.length > 0, `a fix for ${check} in-process`);
        assert.deepEqual(fixActions.map((a) => a.title), titles, 'the same fixes, in the same order, over LSP');
        const action = actions[0];
        assert.equal(action.title, titles[0], 'the first action is the fix quickfix.test.js applies');
        assert.equal(action.kind, 'quickfix');
        assert.deepEqual(Object.keys(action.edit.changes), [uri], 'the edit touches only this document');
        const fixed = applyEdits(text, lspEditsToFixEdits(action.edit.changes[uri]));
        assert.equal(fixed, fs.readFileSync(expectedFile, 'utf8'), 'exactly the .fixed text');

        server.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixed }] });
        const after = (await server.waitFor(isDiagnostics(uri, 2), `${c.name}: diagnostics for version 2`)).params.diagnostics;
        const fingerprint = diagnostic.data?.fingerprint;
        assert.equal(typeof fingerprint, 'string', 'the diagnostic carries its fingerprint');
        assert.deepEqual(after.filter((d) => d.code === check && d.data?.fingerprint === fingerprint).map((d) => d.range.start.line + 1), [], 'the finding is gone');
        const count = (ds) => ds.filter((d) => d.code === check).length;
        assert.ok(count(after) < count(before), `fewer ${check} diagnostics after the fix (${count(before)} -> ${count(after)})`);
        const added = after.filter((d) => !before.some((b) => b.code === d.code));
        assert.deepEqual(added.map((d) => `${d.code ?? d.message}@${d.range.start.line + 1}`), [], 'nothing new published');
        const language = c.lang === 'go' ? 'go' : 'c';
        assert.ok(errorNodes(parser, language, fixed) <= errorNodes(parser, language, text), 'no new ERROR nodes');
        applied++;
      } finally {
        server.notify('textDocument/didClose', { textDocument: { uri } });
      }
    });
  }
  t.diagnostic(`${applied} fixes applied through LSP, ${noFix} fixtures without a fix`);
  assert.equal(applied + noFix, all.length, 'every fixture checked');
});
