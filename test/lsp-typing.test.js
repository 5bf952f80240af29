'use strict';
// Typing through the real language server: random incremental didChange notifications (several
// changes in one notification, bursts sent without waiting so the server must fold them into one
// analysis). After each burst the diagnostics published for the last version must settle to
// exactly those of a fresh analysis of the client's text: no edit lost, nothing stale kept.
// Waits for messages, never sleeps.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { Engine } = require('../server/out/engine');
const { createParser } = require('../server/out/syntax/parser');
const { diagnosticsByFile } = require('../server/out/lsp/diagnostics');
const { generateC } = require('../bench/gen-c');
const { startServer, workspace, caps } = require('./helpers/lsp-client');
const { rng, randomEdit, C_SNIPPETS, C_TOGGLES } = require('./helpers/random-edits');

/** LSP position (UTF-16 line/character; \r\n, \r and \n end lines) of an offset. */
function positionAt(text, offset) {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

/** The one LSP change that turns `before` into `after` (common prefix and suffix kept). */
function changeBetween(before, after) {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let suffix = 0;
  while (suffix < before.length - start && suffix < after.length - start && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  // Never split \r\n: LSP positions cannot point between them.
  if (start > 0 && before[start - 1] === '\r' && (before[start] === '\n' || after[start] === '\n')) start--;
  if (suffix > 0 && before[before.length - suffix] === '\n' && before[before.length - suffix - 1] === '\r') suffix--;
  return {
    range: { start: positionAt(before, start), end: positionAt(before, before.length - suffix) },
    text: after.slice(start, after.length - suffix),
  };
}

test('typed bursts of incremental changes settle to a fresh analysis of the same text', { timeout: 240000 }, async (t) => {
  const dir = workspace({});
  const file = path.join(dir, 'drv.c');
  const uri = pathToFileURL(file).href;
  let text = generateC(400, 11).text;
  fs.writeFileSync(file, text);
  const server = startServer({ scanOnStartup: false, debounceMs: 0 });
  t.after(() => server.stop());
  await server.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'ws' }], capabilities: caps });
  server.notify('initialized', {});

  const parser = await createParser('wasm');
  const expectedFor = async (source) => {
    const engine = await Engine.create({ parser });
    const problems = engine.setFile(file, source);
    const { findings } = engine.analyze();
    return diagnosticsByFile([file], findings, new Map([[file, problems]]), { relatedInformation: true, toUri: () => uri }).get(file);
  };
  const publishedFor = (version, expected) => server.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri
    && m.params.version === version && JSON.stringify(m.params.diagnostics) === JSON.stringify(expected), `diagnostics of version ${version} equal to a fresh analysis`);

  let version = 1;
  server.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version, text } });
  await publishedFor(version, await expectedFor(text));

  const rand = rng(9);
  const state = { at: Math.floor(text.length / 2) };
  for (let burst = 0; burst < 25; burst++) {
    const notifications = 1 + Math.floor(rand() * 6);
    for (let n = 0; n < notifications; n++) {
      // One to three changes per notification, each against the text the previous one left.
      const contentChanges = [];
      for (let c = 1 + Math.floor(rand() * 3); c > 0; c--) {
        const next = randomEdit(text, rand, C_SNIPPETS, state, C_TOGGLES);
        contentChanges.push(changeBetween(text, next));
        text = next;
      }
      server.notify('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges });
    }
    await publishedFor(version, await expectedFor(text));
  }

  // Versions arrive in order: nothing older is published after something newer.
  const versions = server.inbox.filter((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri).map((m) => m.params.version);
  assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
});
