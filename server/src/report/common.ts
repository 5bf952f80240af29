// Helpers shared by the output formats: ordering, counting, paths.
import * as path from 'path';
import type { Finding, Severity } from '../core/finding';

export interface SeverityCounts {
  errors: number;
  warnings: number;
  infos: number;
  files: number;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A total order, so every format prints the same findings in the same order whatever order the
 * engine produced them in (it runs checks in parallel-ish batches and merges).
 */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.file, b.file) ||
    a.span.line - b.span.line ||
    a.span.col - b.span.col ||
    compareStrings(a.check, b.check) ||
    compareStrings(a.message, b.message) ||
    compareStrings(a.fingerprint, b.fingerprint)
  );
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export function countFindings(findings: readonly Finding[]): SeverityCounts {
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return { errors: count('error'), warnings: count('warning'), infos: count('info'), files: new Set(findings.map((f) => f.file)).size };
}

/** "1 error", "2 errors". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Relative to `base` when the file lies under it; otherwise unchanged (relative paths are taken as relative to base already). */
export function relativeTo(file: string, base: string | undefined): string {
  if (base === undefined || !path.isAbsolute(file)) return file;
  const rel = path.relative(base, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Forward slashes regardless of platform (machine-readable formats). */
export function toSlashes(p: string): string {
  return path.sep === '\\' ? p.replace(/\\/g, '/') : p;
}

/** Exit status for the CLI when the scan itself succeeded: 0 = no findings, 1 = some. (2 = usage/config error, decided by the CLI.) */
export function exitCodeFor(findings: readonly Finding[]): 0 | 1 {
  return findings.length === 0 ? 0 : 1;
}
