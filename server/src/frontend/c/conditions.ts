// Branch conditions: the normalised `assume` key, the variables a condition reads, and which
// branch of a trylock test holds the lock.
import type { ApiEntry } from '../../api/types';
import type { Op } from '../../ir/types';
import type { SyntaxNode } from '../../syntax/tree';
import { compactText, operatorOf, stripParens } from './syntax';

export interface AssumeKey {
  key: string;
  /** The truth value of `key` on the condition's true edge. */
  value: boolean;
}

/** Leading `!`, parentheses, `likely()` and comparisons with 0/NULL are folded into `value`. */
export function assumeKeyOf(cond: SyntaxNode): AssumeKey {
  let n = stripParens(cond);
  let value = true;
  for (let i = 0; i < 64; i++) {
    if (n.type === 'unary_expression' && operatorOf(n) === '!') {
      const arg = n.childForFieldName('argument');
      if (!arg) break;
      value = !value;
      n = stripParens(arg);
      continue;
    }
    const cmp = comparisonWithZero(n);
    if (cmp && (cmp.op === '==' || cmp.op === '!=')) {
      if (cmp.op === '==') value = !value;
      n = stripParens(cmp.other);
      continue;
    }
    break;
  }
  return { key: compactText(n.text), value };
}

function isZero(n: SyntaxNode): boolean {
  const s = stripParens(n);
  return (s.type === 'number_literal' && /^0+[uUlL]*$/.test(s.text)) || s.type === 'null' || (s.type === 'identifier' && s.text === 'NULL');
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

/**
 * Identifiers a condition reads (callee names and field names excluded). Taken from the text:
 * walking the subtree again would cost more than the condition's lowering itself.
 */
export function conditionVars(cond: SyntaxNode): string[] {
  return identifiersRead(cond.text);
}

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
