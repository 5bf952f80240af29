// The subset of the tree-sitter node API that both web-tree-sitter and native tree-sitter offer.
// Front ends program against this so the two parsers give identical results.

export interface Point {
  row: number;
  column: number;
}

export interface SyntaxNode {
  readonly type: string;
  readonly text: string;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly childCount: number;
  readonly namedChildCount: number;
  readonly isNamed: boolean;
  readonly hasError: boolean;
  readonly isMissing: boolean;
  readonly parent: SyntaxNode | null;
  child(index: number): SyntaxNode | null;
  namedChild(index: number): SyntaxNode | null;
  childForFieldName(name: string): SyntaxNode | null;
  readonly children: readonly (SyntaxNode | null)[];
  readonly namedChildren: readonly (SyntaxNode | null)[];
}

export interface SyntaxTree {
  readonly rootNode: SyntaxNode;
  /** Frees WASM memory; a no-op for native trees. */
  delete(): void;
}

export type Language = 'c' | 'go';

export interface Parser {
  readonly backend: 'wasm' | 'native';
  parse(language: Language, text: string): SyntaxTree;
}

/**
 * An offset at or after `n.endIndex`: the start of the next sibling, or the parent's bound. For
 * tests that can only say "no" from a longer text (has no `(` -> holds no call): on the native
 * backend it costs no call into the binding, where `endIndex` may. The text up to it can hold
 * whitespace, comments of the parent, and tokens the grammar hides (a preprocessor line's newline).
 */
export function endBound(n: SyntaxNode): number {
  const b = (n as { endBound?: number }).endBound;
  return b === undefined ? n.endIndex : b;
}

/** The parsed text from the node's start to `endBound(n)`: `n.text` and maybe more after it. */
export function boundedText(n: SyntaxNode): string {
  const t = (n as { boundedText?: string }).boundedText;
  return t === undefined ? n.text : t;
}

/**
 * `n.text` for a node the caller knows to be a single identifier token (`identifier`,
 * `field_identifier`, ...): on the native backend it is read off the source without asking the
 * binding where the node ends.
 */
export function identifierText(n: SyntaxNode): string {
  const t = (n as { identifierText?: string }).identifierText;
  return t === undefined ? n.text : t;
}

/**
 * Whether `n.endIndex` / `n.endPosition` are answered without a round trip into the parser (always
 * on web-tree-sitter; on the native binding once known). Lets a front end that can tell where a
 * node ends from a token it already holds (a call's `)`) skip the question when it costs.
 */
export function endIsCheap(n: SyntaxNode): boolean {
  const c = (n as { endIsCheap?: boolean }).endIsCheap;
  return c === undefined ? true : c;
}
