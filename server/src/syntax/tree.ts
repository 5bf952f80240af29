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
