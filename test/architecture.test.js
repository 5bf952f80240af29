'use strict';
// ARCHITECTURE.md's invariants, checked: imports only point downward.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');

const SRC = path.join(__dirname, '..', 'server', 'src');

function sources(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

const rel = (f) => path.relative(SRC, f).split(path.sep).join('/');

test('core/ and checks/ know no language, no parser, no LSP and do no I/O', () => {
  for (const file of sources(SRC).filter((f) => /^(core|checks)\//.test(rel(f)))) {
    for (const spec of importsOf(file)) {
      assert.ok(!/frontend|syntax|lsp|cli|^fs$|^path$|vscode|tree-sitter/.test(spec), `${rel(file)} imports ${spec}`);
    }
  }
});

test('only the front ends name tree-sitter node types', () => {
  const nodeType = /\.type\s*===?\s*'(call_expression|function_definition|selector_expression|compound_statement)'/;
  for (const file of sources(SRC).filter((f) => !rel(f).startsWith('frontend/'))) {
    assert.ok(!nodeType.test(fs.readFileSync(file, 'utf8')), `${rel(file)} names a tree-sitter node type`);
  }
});

test('only lsp/ imports the LSP packages; only cli/ and lsp/ (and the parser loader) touch the file system', () => {
  for (const file of sources(SRC)) {
    const r = rel(file);
    for (const spec of importsOf(file)) {
      if (/vscode-languageserver/.test(spec)) assert.ok(r.startsWith('lsp/'), `${r} imports ${spec}`);
      if (spec === 'fs' || spec === 'fs/promises') assert.ok(/^(cli|lsp)\/|^syntax\/parser\.ts$/.test(r), `${r} imports ${spec}`);
    }
  }
});
