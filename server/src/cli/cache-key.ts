// What a cached result depends on, as hashes. Anything left out here would let a stale entry
// through, so the keys err on the side of invalidating: the whole compiled code (not just the
// version, which does not change between development builds), the grammars, the parser backend
// and the API configuration for lowering; the analysis options on top of that for whole results.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { findGrammarDir } from '../syntax/parser';

let codeHash: string | undefined;

/** Hash of every compiled module and data table of locklint (server/out) and of the grammars. */
export function codeFingerprint(outDir = path.join(__dirname, '..')): string {
  if (codeHash) return codeHash;
  const h = createHash('sha1');
  const walk = (dir: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, d.name);
      if (d.isDirectory()) walk(full);
      else if (/\.(js|json)$/.test(d.name)) h.update(`${path.relative(outDir, full)}\0`).update(fs.readFileSync(full));
    }
  };
  walk(outDir);
  try {
    const grammars = findGrammarDir();
    for (const name of fs.readdirSync(grammars).sort()) if (name.endsWith('.wasm')) h.update(name).update(fs.readFileSync(path.join(grammars, name)));
  } catch { /* no grammars: the parser will fail on its own */ }
  codeHash = h.digest('hex');
  return codeHash;
}

/** The tree-sitter runtimes and native grammars are separate packages, versioned on their own. */
function packageVersions(names: string[]): string {
  return names.map((p) => {
    try {
      return `${p}@${JSON.parse(fs.readFileSync(require.resolve(`${p}/package.json`), 'utf8')).version}`;
    } catch {
      return `${p}@none`;
    }
  }).join(',');
}

const hashOf = (value: unknown) => createHash('sha1').update(JSON.stringify(value)).digest('hex');

export function loweringKey(version: string, backend: 'wasm' | 'native', options: unknown): string {
  const packages = backend === 'native' ? ['tree-sitter', 'tree-sitter-c', 'tree-sitter-go'] : ['web-tree-sitter'];
  return hashOf({ format: 1, version, code: codeFingerprint(), backend, packages: packageVersions(packages), options });
}

/** A whole run: lowering key, analysis options, and every file's path and content, in order. */
export function runKey(lowering: string, analysisOptions: unknown, files: readonly { path: string; hash: string }[]): string {
  const h = createHash('sha1').update(lowering).update(JSON.stringify(analysisOptions ?? null));
  for (const f of files) h.update(`\0${f.path}\0${f.hash}`);
  return h.digest('hex');
}
