// Copies the version-pinned grammar .wasm files into grammars/ so the server, the CLI and the
// VSIX all load the same grammar build, wherever npm placed the packages.
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..');
const fromServer = { paths: [path.join(root, 'server'), root] };
const out = path.join(root, 'grammars');
fs.mkdirSync(out, { recursive: true });
for (const [pkg, file] of [['tree-sitter-c', 'tree-sitter-c.wasm'], ['tree-sitter-go', 'tree-sitter-go.wasm']]) {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`, fromServer));
  fs.copyFileSync(path.join(dir, file), path.join(out, file));
}
// web-tree-sitter's exports map hides package.json; its main entry sits beside the runtime .wasm.
const wts = path.dirname(require.resolve('web-tree-sitter', fromServer));
fs.copyFileSync(path.join(wts, 'web-tree-sitter.wasm'), path.join(out, 'web-tree-sitter.wasm'));
