// The engine keys files by absolute file-system path; LSP speaks URIs. Conversion happens only
// here, at the edge (vscode-uri is not a dependency: Node's url module does the same for file:).
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';

/** Absolute path of a file: URI, or undefined for other schemes (untitled:, git:, vscode-notebook-cell:). */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return path.normalize(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

export function pathToUri(file: string): string {
  return pathToFileURL(file).href;
}

/**
 * Clients spell the same file differently (VS Code escapes `:` in drive letters, Neovim does not);
 * keying published diagnostics by a normalised form keeps one entry per file.
 */
export function normalizeUri(uri: string): string {
  const file = uriToPath(uri);
  return file === undefined ? uri : pathToUri(file);
}

export function isInside(file: string, folder: string): boolean {
  const rel = path.relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
