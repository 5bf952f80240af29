// Small helpers over tree-sitter-c nodes shared by the C front end modules.
import type { Span } from '../../ir/types';
import { identifierText, type SyntaxNode } from '../../syntax/tree';

export function spanOf(node: SyntaxNode): Span {
  const s = node.startPosition;
  const e = node.endPosition;
  return { line: s.row, col: s.column, endLine: e.row, endCol: e.column };
}

/** Closing punctuation: an anonymous token whose text is its type. */
const CLOSERS: ReadonlySet<string> = new Set([')', '}', ']', ';']);

/** The last child of a node, if any. */
export function lastChild(node: SyntaxNode): SyntaxNode | null {
  const kids = node.children;
  return kids.length > 0 ? kids[kids.length - 1] : null;
}

/**
 * `spanOf(node)` for a node whose last token is `last`, a closing `)`, `}`, `]` or `;`: its end
 * is one column past the token's start, and the parser need not be asked where the node ends.
 */
export function spanEndingAt(node: SyntaxNode, last: SyntaxNode | null): Span {
  if (!last || last.isNamed || !CLOSERS.has(last.type) || last.isMissing) return spanOf(node);
  const s = node.startPosition;
  const e = last.startPosition;
  return { line: s.row, col: s.column, endLine: e.row, endCol: e.column + 1 };
}

/** `spanOf(node)` when its last child is `inner`: from `inner`'s last token (a call's `)`, a body's `}`). */
export function spanEndingWith(node: SyntaxNode, inner: SyntaxNode | null): Span {
  const last = inner ? lastChild(node) : null;
  return last && inner && last.startIndex === inner.startIndex && last.type === inner.type ? spanEndingAt(node, lastChild(inner)) : spanOf(node);
}

/** Named children without comments (comments can sit anywhere, even between call arguments). */
export function namedKids(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const c of node.namedChildren) if (c && c.type !== 'comment') out.push(c);
  return out;
}

/** Wrappers that do not change which object an expression denotes or what a condition means. */
const TRANSPARENT_CALLS = new Set(['likely', 'unlikely', '__builtin_expect']);

export function isTransparentCall(name: string): boolean {
  return TRANSPARENT_CALLS.has(name);
}

/** Strips parentheses and `likely()`/`unlikely()` wrappers (bounded: malformed input can nest deeply). */
export function stripParens(node: SyntaxNode): SyntaxNode {
  let n = node;
  for (let i = 0; i < 256; i++) {
    if (n.type === 'parenthesized_expression') {
      const inner = firstNamed(n);
      if (!inner || inner.type === 'compound_statement') return n;
      n = inner;
    } else if (n.type === 'call_expression') {
      const fn = n.childForFieldName('function');
      const args = n.childForFieldName('arguments');
      if (!fn || fn.type !== 'identifier' || !args || !isTransparentCall(identifierText(fn))) return n;
      const first = firstNamed(args);
      if (!first) return n;
      n = first;
    } else {
      return n;
    }
  }
  return n;
}

export function firstNamed(node: SyntaxNode): SyntaxNode | null {
  for (const c of node.namedChildren) if (c && c.type !== 'comment') return c;
  return null;
}

/** The operator token of a unary/binary/assignment/update/pointer expression. */
export function operatorOf(node: SyntaxNode): string {
  const op = node.childForFieldName('operator');
  return op ? op.type : '';
}

/**
 * The name a call is made through: `f(x)` -> f, `ops->release(x)` / `dev->ops->fn(x)` -> the field
 * name (so a later pass can resolve ops tables), `(*fp)(x)` -> fp. Undefined for anything else.
 */
export function calleeName(fn: SyntaxNode): string | undefined {
  let n = fn;
  for (let i = 0; i < 64; i++) {
    switch (n.type) {
      case 'identifier':
        return identifierText(n);
      case 'field_expression': {
        const f = n.childForFieldName('field');
        return f ? identifierText(f) : undefined;
      }
      case 'parenthesized_expression': {
        const inner = firstNamed(n);
        if (!inner) return undefined;
        n = inner;
        break;
      }
      case 'pointer_expression': {
        const inner = n.childForFieldName('argument');
        if (!inner) return undefined;
        n = inner;
        break;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

/** Condition text as a key: whitespace and comments removed. */
export function compactText(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '').replace(/\s+/g, '');
}

/** Statement node types that the CFG builder lowers as statements. */
export const STATEMENT_TYPES: ReadonlySet<string> = new Set([
  'compound_statement', 'expression_statement', 'declaration', 'if_statement', 'while_statement',
  'do_statement', 'for_statement', 'switch_statement', 'case_statement', 'break_statement',
  'continue_statement', 'return_statement', 'goto_statement', 'labeled_statement',
  'attributed_statement', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif',
  'preproc_elifdef', 'ERROR',
]);

/** Syntax that computes nothing at run time (or nothing a lock analysis cares about). */
export const INERT_TYPES: ReadonlySet<string> = new Set([
  'identifier', 'field_identifier', 'number_literal', 'string_literal', 'concatenated_string',
  'char_literal', 'true', 'false', 'null', 'comment', 'sizeof_expression', 'alignof_expression',
  'offsetof_expression', 'gnu_asm_expression', 'type_descriptor', 'primitive_type', 'type_identifier',
  'statement_identifier', 'preproc_call', 'preproc_def', 'preproc_function_def', 'preproc_include',
  'type_definition', 'struct_specifier', 'union_specifier', 'enum_specifier', 'string_content',
  'escape_sequence', 'system_lib_string', 'ms_declspec_modifier', 'attribute_specifier',
]);

/**
 * The function_declarator under `*f(...)`, `(f)(...)`, attributes. `int (*get(void))(int)` nests one
 * inside a function-pointer declarator: the innermost one declares the function. Bounded for malformed input.
 */
export function functionDeclarator(d: SyntaxNode | null): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  let n = d;
  for (let i = 0; n && i < 32; i++) {
    if (n.type === 'function_declarator') found = n;
    else if (n.type === 'identifier') break;
    n = n.type === 'parenthesized_declarator' ? n.namedChildren.find((c) => c && c.type !== 'comment') ?? null : n.childForFieldName('declarator');
  }
  return found;
}
