// Exclude globs, matched like .gitignore patterns (the rules users already know):
// - paths are relative to the scanned root, with "/" separators ("\" is accepted and converted);
// - a pattern without a slash (other than a trailing one) matches a file or directory name at any
//   depth: "*.gen.c", "vendor";
// - a pattern with a slash is anchored at the root: "third_party/linux", "/build" (start with "**/" for any depth);
// - a pattern matching a directory excludes everything under it; a trailing "/" matches only
//   directories ("build/" excludes build/x.c but not a file named build);
// - dotfiles match like any other name (picomatch {dot: true}).
// Negated patterns ("!x") are rejected by parseConfig and never match here.
// picomatch has no bundled types and @types/picomatch is not a dependency: describe what we use.
const picomatch: (glob: string, options: { dot: boolean }) => (path: string) => boolean = require('picomatch');

/** isDirectory: the path names a directory (a walker pruning the tree); only then can "dir/" patterns match it itself. */
export type ExcludeMatcher = (relPath: string, isDirectory?: boolean) => boolean;

function normalisePath(relPath: string): string[] {
  return relPath
    .replace(/\\/g, '/')
    .split('/')
    .filter((seg) => seg !== '' && seg !== '.');
}

/** Matches one pattern against the path's segments; see the rules above. */
function compileOne(glob: string): ((segments: readonly string[], isDirectory: boolean) => boolean) | undefined {
  let g = glob.trim().replace(/\\/g, '/');
  if (g === '' || g.startsWith('!')) return undefined;
  const dirOnly = g.endsWith('/');
  g = g.replace(/\/+$/, '').replace(/^\.\//, '');
  const anchored = g.includes('/');
  g = g.replace(/^\/+/, '');
  if (g === '') return undefined;
  const isMatch = picomatch(g, { dot: true });
  return (segments, isDirectory) => {
    // Candidates: each ancestor directory, then the path itself (unless the pattern wants a directory and it is a file).
    const last = dirOnly && !isDirectory ? segments.length - 1 : segments.length;
    for (let i = 0; i < last; i++) {
      if (isMatch(anchored ? segments.slice(0, i + 1).join('/') : segments[i])) return true;
    }
    return false;
  };
}

/** Compiles the globs once; the result is pure and may be called for every file of a scan. */
export function compileExclude(globs: readonly string[]): ExcludeMatcher {
  const matchers = globs.flatMap((g) => compileOne(g) ?? []);
  return (relPath, isDirectory = false) => {
    const segments = normalisePath(relPath);
    return segments.length > 0 && matchers.some((m) => m(segments, isDirectory));
  };
}

export function isExcluded(relPath: string, globs: readonly string[], isDirectory = false): boolean {
  return compileExclude(globs)(relPath, isDirectory);
}
