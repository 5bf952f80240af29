// Finds the C and Go files to scan: walks directories, honours .gitignore files and exclude
// globs, survives unreadable directories and symlink loops, and reports what it skipped.
import * as fs from 'fs';
import * as path from 'path';
import ignore, { type Ignore } from 'ignore';
import { languageOfPath } from '../engine';

export interface DiscoveredFile {
  absolute: string;
  display: string;   // relative to cwd, forward slashes
}

export interface Discovery {
  files: DiscoveredFile[];
  warnings: string[];
}

interface GitIgnoreScope {
  dir: string;        // absolute directory the .gitignore lives in
  rules: Ignore;
}

const ALWAYS_SKIPPED = new Set(['.git', 'node_modules', '.hg', '.svn']);

export function toDisplay(absolute: string, cwd: string): string {
  const rel = path.relative(cwd, absolute);
  return (rel === '' ? '.' : rel.startsWith('..') ? absolute : rel).split(path.sep).join('/');
}

export function discoverFiles(
  inputs: readonly string[], cwd: string, isExcluded: (relPath: string) => boolean,
): Discovery {
  const files: DiscoveredFile[] = [];
  const warnings: string[] = [];
  const seenReal = new Set<string>();
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch (err) {
      warnings.push(`${input}: ${describeFsError(err)}`);
      continue;
    }
    if (stat.isFile()) {
      // Files named explicitly are scanned even if a .gitignore would skip them.
      if (!languageOfPath(absolute)) warnings.push(`${input}: not a C or Go file (.c, .h, .go), skipped`);
      else files.push({ absolute, display: toDisplay(absolute, cwd) });
      continue;
    }
    walk(absolute, absolute, [], isExcluded, cwd, files, warnings, seenReal);
  }
  files.sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
  return { files, warnings };
}

function walk(
  root: string, start: string, inherited: GitIgnoreScope[], isExcluded: (rel: string) => boolean,
  cwd: string, files: DiscoveredFile[], warnings: string[], seenReal: Set<string>,
): void {
  // Explicit stack: kernel trees are deep and wide.
  const stack: { dir: string; scopes: GitIgnoreScope[] }[] = [{ dir: start, scopes: inherited }];
  while (stack.length > 0) {
    const { dir, scopes: parentScopes } = stack.pop()!;
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch (err) {
      warnings.push(`${toDisplay(dir, cwd)}: ${describeFsError(err)}`);
      continue;
    }
    if (seenReal.has(real)) continue; // symlink loop or the same tree reached twice
    seenReal.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      warnings.push(`${toDisplay(dir, cwd)}: ${describeFsError(err)}`);
      continue;
    }
    let scopes = parentScopes;
    if (entries.some((e) => e.name === '.gitignore' && (e.isFile() || e.isSymbolicLink()))) {
      try {
        const rules = ignore().add(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'));
        scopes = [...parentScopes, { dir, rules }];
      } catch (err) {
        warnings.push(`${toDisplay(path.join(dir, '.gitignore'), cwd)}: ${describeFsError(err)}`);
      }
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? 1 : -1))) {
      if (ALWAYS_SKIPPED.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = fs.statSync(full);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // dangling link
        }
      }
      if (!isDir && !(isFile && languageOfPath(entry.name))) continue;
      if (ignoredByGit(full, isDir, scopes)) continue;
      const rel = path.relative(root, full).split(path.sep).join('/');
      if (isExcluded(rel) || isExcluded(toDisplay(full, cwd))) continue;
      if (isDir) stack.push({ dir: full, scopes });
      else files.push({ absolute: full, display: toDisplay(full, cwd) });
    }
  }
}

function ignoredByGit(full: string, isDir: boolean, scopes: readonly GitIgnoreScope[]): boolean {
  for (const scope of scopes) {
    const rel = path.relative(scope.dir, full).split(path.sep).join('/');
    if (rel && !rel.startsWith('..') && scope.rules.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': case 'EPERM': return 'permission denied, skipped';
    case 'ELOOP': return 'too many levels of symbolic links, skipped';
    case 'ENOTDIR': return 'not a directory';
    default: return (err as Error)?.message ?? String(err);
  }
}
