// Human-readable output in the compiler style editors and terminals already link:
//   src/a.c:12:5: warning: `&b->lock` acquired while holding `&a->lock` ... [lock-order]
//       src/b.c:30:5: note: `&a->lock` acquired here while holding `&b->lock`
//       <explanation, indented>
// Findings are grouped by file (files in order, a blank line between groups), then a summary.
import type { Finding } from '../core/finding';
import { countFindings, plural, relativeTo, sortFindings } from './common';

export interface TextOptions {
  color: boolean;
  /** Absolute paths under cwd are printed relative to it. */
  cwd: string;
}

type Style = 'location' | 'error' | 'warning' | 'info' | 'note' | 'check' | 'summary';

/** SGR codes, gcc's palette: errors red, warnings magenta, notes cyan; info blue (gcc has none). */
const ANSI: Record<Style, string> = {
  location: '1',
  error: '1;31',
  warning: '1;35',
  info: '1;34',
  note: '1;36',
  check: '2',
  summary: '1',
};

const INDENT = '    ';

type Paint = (style: Style, s: string) => string;

function painter(color: boolean): Paint {
  return color ? (style, s) => `\x1b[${ANSI[style]}m${s}\x1b[0m` : (_style, s) => s;
}

function location(file: string, line: number, col: number, cwd: string): string {
  return `${relativeTo(file, cwd)}:${line + 1}:${col + 1}:`;
}

function formatFinding(f: Finding, paint: Paint, cwd: string): string[] {
  const head = `${paint('location', location(f.file, f.span.line, f.span.col, cwd))} ${paint(f.severity, `${f.severity}:`)} ${f.message} ${paint('check', `[${f.check}]`)}`;
  const notes = f.related.map(
    (r) => `${INDENT}${paint('location', location(r.file, r.span.line, r.span.col, cwd))} ${paint('note', 'note:')} ${r.message}`,
  );
  const story = f.explanation?.trimEnd() ?? '';
  const explanation = story === '' ? [] : story.split(/\r?\n/).map((l) => (l.trim() === '' ? '' : INDENT + l));
  return [head, ...notes, ...explanation];
}

export function summaryLine(findings: readonly Finding[]): string {
  const c = countFindings(findings);
  // "in 0 files" read as "nothing was scanned": the count is of files with findings.
  if (findings.length === 0) return 'no findings';
  return `${plural(findings.length, 'finding')} (${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}, ${plural(c.infos, 'info')}) in ${plural(c.files, 'file')}`;
}

export function formatText(findings: readonly Finding[], options: TextOptions): string {
  const paint = painter(options.color);
  const groups: string[][] = [];
  let currentFile: string | undefined;
  for (const f of sortFindings(findings)) {
    if (f.file !== currentFile) {
      groups.push([]);
      currentFile = f.file;
    }
    groups[groups.length - 1].push(...formatFinding(f, paint, options.cwd));
  }
  const body = groups.map((g) => g.join('\n')).join('\n\n');
  const summary = paint('summary', summaryLine(findings));
  return body === '' ? `${summary}\n` : `${body}\n\n${summary}\n`;
}
