// Bundles the VS Code client and the language server into dist/ for the VSIX (which ships no
// node_modules). The server loads grammars/*.wasm by walking up from __dirname (dist/ -> root).
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // VS Code 1.82 (the oldest we support) runs extensions on Node 18.
  target: 'node18',
  minify: process.argv.includes('--minify') || !process.argv.includes('--dev'),
  sourcemap: process.argv.includes('--dev') ? 'inline' : false,
  logLevel: 'warning',
};

/**
 * The VSIX needs all three .wasm files in grammars/. Resolved through each package's main entry:
 * web-tree-sitter's "exports" hides its package.json.
 */
function ensureGrammars() {
  const out = path.join(root, 'grammars');
  fs.mkdirSync(out, { recursive: true });
  const from = { paths: [path.join(root, 'server'), root] };
  const wanted = [
    ['web-tree-sitter', 'web-tree-sitter.wasm'],
    ['tree-sitter-c', 'tree-sitter-c.wasm'],
    ['tree-sitter-go', 'tree-sitter-go.wasm'],
  ];
  for (const [pkg, file] of wanted) {
    const target = path.join(out, file);
    if (fs.existsSync(target)) continue;
    let dir = path.dirname(require.resolve(pkg, from));
    // tree-sitter-c's main is bindings/node/index.js: walk up to the folder that has the .wasm.
    // web-tree-sitter up to 0.25 names its runtime tree-sitter.wasm.
    const names = pkg === 'web-tree-sitter' ? [file, 'tree-sitter.wasm'] : [file];
    const has = (d) => names.find((n) => fs.existsSync(path.join(d, n)));
    while (!has(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    fs.copyFileSync(path.join(dir, has(dir) ?? file), target);
  }
}

async function main() {
  ensureGrammars();
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'client/src/extension.ts')],
      outfile: path.join(root, 'dist/extension.js'),
      external: ['vscode'],
    }),
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'server/src/server.ts')],
      outfile: path.join(root, 'dist/server.js'),
      // The native binding is optional and never shipped: the server uses the WASM parser.
      external: ['tree-sitter', 'tree-sitter-c', 'tree-sitter-go'],
    }),
  ]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
