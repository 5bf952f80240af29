// Small helpers over the SyntaxNode interface shared by both tree-sitter backends.
import type { Span } from '../../ir/types';
import { endBound, endIsCheap, identifierText, type SyntaxNode } from '../../syntax/tree';

export function spanOf(n: SyntaxNode): Span {
  const s = n.startPosition;
  const close = endIsCheap(n) ? undefined : closingToken(n);
  if (close) {
    const c = close.startPosition;
    return { line: s.row, col: s.column, endLine: c.row, endCol: c.column + 1 };
  }
  const e = n.endPosition;
  return { line: s.row, col: s.column, endLine: e.row, endCol: e.column };
}

/** Closing punctuation: an anonymous token whose text is its type. */
const CLOSERS: ReadonlySet<string> = new Set([')', '}', ']']);

/** Nodes whose last child, when it is of the given type, ends with the given token. */
const ENDS_WITH: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['call_expression', ['argument_list', ')']],
  ['function_declaration', ['block', '}']],
  ['method_declaration', ['block', '}']],
  ['func_literal', ['block', '}']],
]);

/**
 * The one-character token a node ends with, when that is certain from its children: a call's
 * `)` (its argument list comes last, and ends with it), a function's `}`, or the node itself.
 */
function closingToken(n: SyntaxNode): SyntaxNode | undefined {
  let last: SyntaxNode | null | undefined = n;
  const shape = ENDS_WITH.get(n.type);
  if (shape) {
    const inner = lastChild(n);
    last = inner && inner.type === shape[0] ? lastChild(inner) : undefined;
    if (!last || last.type !== shape[1]) return undefined;
  }
  return !last.isNamed && CLOSERS.has(last.type) && !last.isMissing ? last : undefined;
}

function lastChild(n: SyntaxNode): SyntaxNode | null {
  const all = n.children;
  return all.length > 0 ? all[all.length - 1] : null;
}

/** Identifier tokens: their text is read off the source without asking where they end. */
const IDENTIFIERS: ReadonlySet<string> = new Set(['identifier', 'field_identifier', 'package_identifier', 'type_identifier', 'label_name']);

/** Non-null children (the bindings type them as nullable). */
export function kids(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const c of n.children) if (c) out.push(c);
  return out;
}

/** Named children in one binding call (`children` + `isNamed` would cost a call per child). */
export function namedKids(n: SyntaxNode): SyntaxNode[] {
  const all = n.namedChildren;
  for (const c of all) if (!c) return all.filter((x): x is SyntaxNode => x !== null);
  return all as SyntaxNode[];
}

/** `x.f` -> [x, f] with one binding call (two field lookups cost twice as much on native). */
export function selectorParts(n: SyntaxNode): [SyntaxNode, SyntaxNode] | undefined {
  const k = namedKids(n);
  return k.length === 2 ? [k[0], k[1]] : undefined;
}

export interface CallParts {
  fn?: SyntaxNode;
  args: SyntaxNode[];
}

/** `f(args)` -> the callee and the argument nodes, with two binding calls. */
export function callParts(call: SyntaxNode): CallParts {
  const parts = namedKids(call);
  const last = parts[parts.length - 1];
  const hasArgs = parts.length > 1 && last.type === 'argument_list';
  return { fn: parts[0] !== last || !hasArgs ? parts[0] : undefined, args: hasArgs ? namedKids(last) : [] };
}

/**
 * Source text by offsets. Both backends report UTF-16 offsets into the string they parsed, and
 * slicing the file text is cheaper than `node.text` (which crosses into the binding each time).
 */
export class Source {
  constructor(readonly text: string) {}

  of(n: SyntaxNode): string {
    if (IDENTIFIERS.has(n.type)) return identifierText(n);
    return this.text.slice(n.startIndex, n.endIndex);
  }

  startsWith(n: SyntaxNode, prefix: string): boolean {
    return this.text.startsWith(prefix, n.startIndex);
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
  /**
   * `mayHaveEffects` on a text that may run past the node: a "no" is certain, a "yes" may be
   * wrong. For walks where looking into an effect-free subtree changes nothing, only costs.
   */
  mayHaveEffectsRoughly(n: SyntaxNode): boolean {
    return this.effectsIn(n.startIndex, endBound(n));
  }

  mayHaveEffects(n: SyntaxNode): boolean {
    // The text up to the next sibling settles most "no"s without asking where the node ends.
    return this.effectsIn(n.startIndex, endBound(n)) && this.effectsIn(n.startIndex, n.endIndex);
  }

  private effectsIn(start: number, end: number): boolean {
    const t = this.text;
    for (let i = start; i < end; i++) {
      const c = t.charCodeAt(i);
      if (c === 40 /* ( */ || (c === 60 /* < */ && t.charCodeAt(i + 1) === 45 /* - */)) return true;
    }
    return false;
  }
}
