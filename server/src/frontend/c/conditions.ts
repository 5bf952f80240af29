// Branch conditions: the normalised `assume` key, the variables a condition reads, and which
// branch of a trylock test holds the lock.
import type { ApiEntry } from '../../api/types';
import type { Op } from '../../ir/types';
import { identifierText, type SyntaxNode } from '../../syntax/tree';
import { compactText, operatorOf, stripParens } from './syntax';

export interface AssumeKey {
  key: string;
  /** The truth value of `key` on the condition's true edge. */
  value: boolean;
}

function isZero(n: SyntaxNode): boolean {
  const s = stripParens(n);
  return (s.type === 'number_literal' && /^0+[uUlL]*$/.test(s.text)) || s.type === 'null' || (s.type === 'identifier' && identifierText(s) === 'NULL');
}

/** `x == 0`, `0 != x`, `x < 0`, ... as {op with x on the left, x}. */
export function comparisonWithZero(n: SyntaxNode): { op: string; other: SyntaxNode } | undefined {
  if (n.type !== 'binary_expression') return undefined;
  const op = operatorOf(n);
  if (!['==', '!=', '<', '>=', '>', '<='].includes(op)) return undefined;
  const left = n.childForFieldName('left');
  const right = n.childForFieldName('right');
  if (!left || !right) return undefined;
  if (isZero(right)) return { op, other: left };
  if (isZero(left)) return { op: mirror(op), other: right };
  return undefined;
}

function mirror(op: string): string {
  switch (op) {
    case '<': return '>';
    case '>': return '<';
    case '<=': return '>=';
    case '>=': return '<=';
    default: return op;
  }
}

/** Identifiers in code text, with what precedes and follows them (to drop callees and field names). */
const IDENT = /[A-Za-z_]\w*/g;
const NOT_VARIABLES = new Set(['sizeof', 'struct', 'union', 'enum', 'const', 'volatile', 'unsigned', 'signed', 'int', 'long', 'char', 'short', 'void', 'bool', '_Bool', 'float', 'double', '__alignof__', '_Alignof']);

/** Identifiers a condition's text reads (callee names and field names excluded): no second tree walk. */
export function identifiersRead(text: string): string[] {
  const out = new Set<string>();
  IDENT.lastIndex = 0;
  for (let m = IDENT.exec(text); m; m = IDENT.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    const before = start > 0 ? text.charCodeAt(start - 1) : 32;
    // Part of a number (0x1fUL), a field (`.f`, `->f`) or a string: not a variable.
    if (isWordOrDigit(before) || before === 46 /* . */ || before === 34 /* " */ || (before === 62 /* > */ && text.charCodeAt(start - 2) === 45 /* - */)) continue;
    let after = end;
    while (after < text.length && (text.charCodeAt(after) === 32 || text.charCodeAt(after) === 9 || text.charCodeAt(after) === 10)) after++;
    if (text.charCodeAt(after) === 40 /* ( */) continue;
    if (NOT_VARIABLES.has(m[0])) continue;
    out.add(m[0]);
  }
  return [...out];
}

function isWordOrDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** The trylock a condition operand stands for. */
export interface TrylockOperand {
  entry: ApiEntry;
  /** The acquire op to emit on the success edge. */
  acquire: Op;
  /** The trylock call itself when it is written in the condition (not when read back through a variable). */
  call?: SyntaxNode;
  /** The variable the result was read from (`if (ret)`), or assigned to (`if ((ret = down_trylock(&s)))`). */
  variable?: string;
}

export type TrylockLookup = (operand: SyntaxNode) => TrylockOperand | undefined;

/**
 * For a leaf condition testing a trylock result, which edge holds the lock: true = the
 * condition's true edge. Undefined when the condition is not a trylock test we can follow.
 */
export function trylockTest(leaf: SyntaxNode, lookup: TrylockLookup): { operand: TrylockOperand; onTrue: boolean } | undefined {
  const n = stripParens(leaf);
  const direct = lookup(n);
  if (direct) return { operand: direct, onTrue: successIsNonzero(direct.entry) };
  const cmp = comparisonWithZero(n);
  if (!cmp) return undefined;
  const operand = lookup(stripParens(cmp.other));
  if (!operand) return undefined;
  const nonzero = successIsNonzero(operand.entry);
  switch (cmp.op) {
    case '==': return { operand, onTrue: !nonzero };
    case '!=': return { operand, onTrue: nonzero };
    // `< 0` / `>= 0` only make sense for the 0-or-negative-errno family.
    case '<': return nonzero ? undefined : { operand, onTrue: false };
    case '>=': return nonzero ? undefined : { operand, onTrue: true };
    case '>': return nonzero ? { operand, onTrue: true } : undefined;
    default: return undefined;
  }
}

function successIsNonzero(entry: ApiEntry): boolean {
  return (entry.success ?? 'nonzero') === 'nonzero';
}

/** Numeric constants decide a branch statically (`while (1)`, `do { } while (0)`, `if (0)`). */
export function constantTruth(cond: SyntaxNode): boolean | undefined {
  const n = stripParens(cond);
  if (n.type === 'number_literal') return !/^0+[uUlL]*$/.test(n.text) && !/^0[xX]0+[uUlL]*$/.test(n.text);
  if (n.type === 'true') return true;
  if (n.type === 'false') return false;
  return undefined;
}

/** `constantTruth` on text: `1`, `(0)`, `true`. */
export function constantTruthOfText(text: string): boolean | undefined {
  const m = /^[\s(]*(\d+|0[xX][0-9a-fA-F]+|true|false)[uUlL]*[\s)]*$/.exec(text);
  if (!m) return undefined;
  if (m[1] === 'true') return true;
  if (m[1] === 'false') return false;
  return Number(m[1]) !== 0;
}

/**
 * The `assume` key of a condition, from its text: whitespace and comments removed, outer parens and `likely()` stripped,
 * leading `!` and comparisons with 0/NULL folded into `value` (only when the rest is one operand,
 * so `a & b == 0` keeps its comparison).
 */
export function assumeKeyOfText(text: string): AssumeKey {
  let s = compactText(text);
  let value = true;
  for (let i = 0; i < 64; i++) {
    const inner = unwrap(s);
    if (inner !== undefined) {
      s = inner;
      continue;
    }
    if (s.startsWith('!') && !s.startsWith('!=')) {
      value = !value;
      s = s.slice(1);
      continue;
    }
    const cmp = /^(.*?)(==|!=)(0+[uUlL]*|NULL)$/.exec(s) ?? swapZeroFirst(s);
    if (cmp && isSingleOperand(cmp[1])) {
      if (cmp[2] === '==') value = !value;
      s = cmp[1];
      continue;
    }
    break;
  }
  return { key: s, value };
}

function swapZeroFirst(s: string): RegExpExecArray | null {
  const m = /^(0+[uUlL]*|NULL)(==|!=)(.*)$/.exec(s);
  if (!m) return null;
  const r = [s, m[3], m[2], m[1]] as unknown as RegExpExecArray;
  return r;
}

/** `(x)` -> `x`, `likely(x)` -> `x` when the parentheses enclose the whole text. */
function unwrap(s: string): string | undefined {
  let open: number;
  if (s.startsWith('(')) open = 0;
  else if (s.startsWith('likely(')) open = 6;
  else if (s.startsWith('unlikely(')) open = 8;
  else return undefined;
  if (!s.endsWith(')') || matchingParen(s, open) !== s.length - 1) return undefined;
  return s.slice(open + 1, -1);
}

function matchingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** No binary or ternary operator outside parentheses/brackets (`->` and a leading unary are fine). */
function isSingleOperand(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0 && i > 0 && '&|^?:<>=+-*/%,'.includes(c)) {
      if (c === '-' && s[i + 1] === '>') { i++; continue; }
      if (c === '>' && s[i - 1] === '-') continue;
      return false;
    }
  }
  return s.length > 0;
}
