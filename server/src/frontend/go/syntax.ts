// Small helpers over the SyntaxNode interface shared by both tree-sitter backends.
import type { Span } from '../../ir/types';
import type { SyntaxNode } from '../../syntax/tree';

export function spanOf(n: SyntaxNode): Span {
  const s = n.startPosition;
  const e = n.endPosition;
  return { line: s.row, col: s.column, endLine: e.row, endCol: e.column };
}

/** Non-null children (the bindings type them as nullable). */
export function kids(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const c of n.children) if (c) out.push(c);
  return out;
}

export function namedKids(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const c of n.children) if (c && c.isNamed) out.push(c);
  return out;
}

/**
 * Source text by offsets. Both backends report UTF-16 offsets into the string they parsed, and
 * slicing the file text is cheaper than `node.text` (which crosses into the binding each time).
 */
export class Source {
  constructor(readonly text: string) {}

  of(n: SyntaxNode): string {
    return this.text.slice(n.startIndex, n.endIndex);
  }

  /** Text with all whitespace removed: condition keys, paths. */
  compact(n: SyntaxNode, max = 400): string {
    const len = n.endIndex - n.startIndex;
    const raw = this.text.slice(n.startIndex, n.startIndex + Math.min(len, max));
    return raw.replace(/\s+/g, '') + (len > max ? '…' : '');
  }

  /** Text for messages: whitespace collapsed, long text shortened. */
  short(n: SyntaxNode, max = 80): string {
    const len = n.endIndex - n.startIndex;
    const raw = this.text.slice(n.startIndex, n.startIndex + Math.min(len, max * 2));
    const t = raw.replace(/\s+/g, ' ');
    return t.length > max || len > max * 2 ? t.slice(0, max) + '…' : t;
  }

  /**
   * Whether the node's text could hold something the lowering cares about inside an expression
   * (a call, a receive, a function literal). Lets big table literals be skipped without walking them.
   */
  mayHaveEffects(n: SyntaxNode): boolean {
    const t = this.text;
    for (let i = n.startIndex; i < n.endIndex; i++) {
      const c = t.charCodeAt(i);
      if (c === 40 /* ( */ || (c === 60 /* < */ && t.charCodeAt(i + 1) === 45 /* - */)) return true;
    }
    return false;
  }
}
