// Source text helpers for quick fixes: positions, lines, statements. Pure, language-light: the
// fixes work on the IR's spans and the text, never on syntax trees.
import type { Span } from '../ir/types';

export class SourceText {
  readonly lines: string[];
  private readonly starts: number[];
  readonly eol: string;

  constructor(readonly text: string) {
    this.lines = text.split(/\r?\n/);
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
    this.starts = [];
    let offset = 0;
    const raw = text.split('\n');
    for (const l of raw) {
      this.starts.push(offset);
      offset += l.length + 1;
    }
  }

  offset(line: number, col: number): number {
    return (this.starts[line] ?? this.text.length) + col;
  }

  position(offset: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return { line: lo, col: offset - this.starts[lo] };
  }

  slice(span: Span): string {
    return this.text.slice(this.offset(span.line, span.col), this.offset(span.endLine, span.endCol));
  }

  indentOf(line: number): string {
    return /^[ \t]*/.exec(this.lines[line] ?? '')?.[0] ?? '';
  }

  /** The whole line `line` including its line break: for deleting a statement that is alone on its line. */
  lineSpan(line: number): Span {
    return line + 1 < this.lines.length
      ? { line, col: 0, endLine: line + 1, endCol: 0 }
      : { line, col: 0, endLine: line, endCol: (this.lines[line] ?? '').length };
  }
}

export function point(line: number, col: number): Span {
  return { line, col, endLine: line, endCol: col };
}

/** Text with comments and string contents blanked (same length), so scans do not trip over them. */
export function codeOnly(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`[^`]*`/g, (m) => m.replace(/[^\n]/g, ' '));
}

/**
 * The statement an op's call expression forms: the span extended over a trailing `;` (C). `alone`
 * says whether nothing else shares its line(s) (then deleting or moving it means whole lines).
 */
export function statementOf(src: SourceText, call: Span, language: 'c' | 'go'): { span: Span; text: string; alone: boolean } | undefined {
  const line = src.lines[call.endLine] ?? '';
  let end = call.endCol;
  const rest = line.slice(end);
  const semi = /^\s*;/.exec(rest);
  if (semi) end += semi[0].length;
  else if (language === 'c') return undefined;   // a call inside a larger expression: `if (!mutex_lock(..))`, `x = f()`
  const before = (src.lines[call.line] ?? '').slice(0, call.col);
  const after = codeOnly(line.slice(end)).trim();
  const span = { line: call.line, col: call.col, endLine: call.endLine, endCol: end };
  return { span, text: src.slice(span), alone: before.trim() === '' && after === '' };
}

/** Identifiers in an expression, minus keywords. */
export function identifiers(text: string): string[] {
  const ids = codeOnly(text).match(/[A-Za-z_]\w*/g) ?? [];
  return [...new Set(ids)].filter((id) => !KEYWORDS.has(id));
}

const KEYWORDS = new Set(['return', 'if', 'else', 'for', 'while', 'do', 'switch', 'case', 'default', 'break', 'continue', 'goto',
  'sizeof', 'struct', 'union', 'enum', 'const', 'volatile', 'unsigned', 'signed', 'int', 'long', 'short', 'char', 'void',
  'NULL', 'nil', 'true', 'false', 'func', 'go', 'defer', 'select', 'chan', 'range', 'var']);

export function mentions(text: string, id: string): boolean {
  return new RegExp(`(^|[^\\w.>])${id.replace(/[$]/g, '\\$')}\\b`).test(codeOnly(text));
}

/** Splits a call's argument list at top-level commas: `f(a, g(b, c))` -> ["a", "g(b, c)"]. */
export function callArguments(call: string): { callee: string; args: string[] } | undefined {
  const open = call.indexOf('(');
  if (open < 0 || !call.trimEnd().endsWith(')')) return undefined;
  const inner = call.slice(open + 1, call.trimEnd().length - 1);
  const args: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of inner) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      args.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '' || args.length > 0) args.push(cur.trim());
  return { callee: call.slice(0, open).trim(), args };
}
