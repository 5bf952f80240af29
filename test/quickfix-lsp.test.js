'use strict';
// Quick fixes, hover on a lock, "Explain" and the lock graph through the real language server
// (`node server/out/server.js --stdio`), driven by a minimal JSON-RPC client (test/helpers/lsp-client.js). Waits for messages, never sleeps.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { applyEdits } = require('../server/out/fixes/index');
const { startServer, workspace, caps, lspEditsToFixEdits } = require('./helpers/lsp-client');

test('a quick fix applied through the server removes the finding; hover, explain and graph answer', { timeout: 60000 }, async (t) => {
  const fixture = path.join(__dirname, 'fixtures', 'quickfix', 'c', 'leaked_irqsave.c');
  const dir = workspace({ 'ring.c': fixture, 'order.c': path.join(__dirname, 'fixtures', 'quickfix', 'c', 'lock_order_swap.c') });
  const file = path.join(dir, 'ring.c');
  const uri = pathToFileURL(file).href;
  const server = startServer();
  t.after(() => server.stop());
  await server.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }], capabilities: caps });
  server.notify('initialized', {});
  const text = fs.readFileSync(file, 'utf8');
  server.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
  const published = await server.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === 1
    && m.params.diagnostics.some((d) => d.code === 'leaked-lock'), 'leaked-lock diagnostic');
  const diagnostic = published.params.diagnostics.find((d) => d.code === 'leaked-lock');

  const actions = await server.request('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
  const titles = actions.map((a) => a.title);
  assert.deepEqual(titles, [
    'Release &r->lock before this return (spin_unlock_irqrestore)',
    'Explain this leaked-lock finding',
    'Suppress leaked-lock on this line',
    'Open documentation for leaked-lock',
  ]);
  assert.equal(actions[0].isPreferred, true);
  const fixed = applyEdits(text, lspEditsToFixEdits(actions[0].edit.changes[uri]));
  assert.equal(fixed, fs.readFileSync(`${fixture}.fixed`, 'utf8'));

  // Explain: a Markdown report with the sites linked and the fix listed.
  const explained = await server.request('workspace/executeCommand', { command: actions[1].command.command, arguments: actions[1].command.arguments });
  assert.match(explained.markdown, /^# locklint: leaked-lock/);
  assert.match(explained.markdown, /\[ring\.c:12\]\(file:\/\/.*ring\.c#L12\)/);
  assert.match(explained.markdown, /spin_unlock_irqrestore\)\*\* \(preferred\)/);

  // Hover on the lock in the acquisition: class, sites, what is held.
  const hover = await server.request('textDocument/hover', { textDocument: { uri }, position: { line: 11, character: 22 } });
  assert.match(hover.contents.value, /\*\*lock `&r->lock`\*\* — class `struct ring\.lock`/);
  assert.match(hover.contents.value, /acquired at 1 site in the workspace/);
  assert.match(hover.contents.value, /held here: nothing else/);

  // The graph: the scan read order.c; its cycle is highlighted.
  await server.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && /order\.c$/.test(m.params.uri) && m.params.diagnostics.some((d) => d.code === 'lock-order'), 'order.c cycle');
  const graph = await server.request('workspace/executeCommand', { command: 'locklint.server.lockGraph', arguments: [{}] });
  assert.equal(graph.cycles, 1);
  assert.match(graph.html, /class="node cycle" data-class="static:[^"]*lock_a"/);
  const lockOrderHover = await server.request('textDocument/hover', { textDocument: { uri: pathToFileURL(path.join(dir, 'order.c')).href }, position: { line: 8, character: 22 } }).catch(() => null);
  assert.equal(lockOrderHover, null, 'order.c is not open: no hover');

  // Apply the edit the way an editor does: the finding goes, nothing new appears.
  server.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixed }] });
  const after = await server.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === 2, 'diagnostics after the fix');
  assert.deepEqual(after.params.diagnostics.map((d) => d.code), []);
});
