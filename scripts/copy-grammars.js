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
// web-tree-sitter's exports map hides package.json; its main entry sits beside the runtime .wasm,
// named tree-sitter.wasm up to 0.25 and web-tree-sitter.wasm after.
const wts = path.dirname(require.resolve('web-tree-sitter', fromServer));
const runtime = ['web-tree-sitter.wasm', 'tree-sitter.wasm'].map((f) => path.join(wts, f)).find((f) => fs.existsSync(f));
if (!runtime) throw new Error(`copy-grammars: no runtime .wasm beside ${wts}`);
fs.copyFileSync(runtime, path.join(out, 'web-tree-sitter.wasm'));
