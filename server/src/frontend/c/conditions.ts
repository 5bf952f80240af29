// Branch conditions: the normalised `assume` key, the variables a condition reads, and which
// branch of a trylock test holds the lock.
import type { ApiEntry } from '../../api/types';
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

const MAX_VAR_NODES = 512;

/** Identifiers a condition reads (callee names and field names excluded). */
export function conditionVars(cond: SyntaxNode): string[] {
  const out = new Set<string>();
  const stack: SyntaxNode[] = [cond];
  for (let seen = 0; stack.length > 0 && seen < MAX_VAR_NODES; seen++) {
    const n = stack.pop()!;
    if (n.type === 'identifier') {
      out.add(n.text);
      continue;
    }
    if (n.type === 'sizeof_expression' || n.type === 'string_literal' || n.type === 'number_literal') continue;
    const callee = n.type === 'call_expression' ? n.childForFieldName('function') : null;
    for (const c of n.namedChildren) {
      if (!c || (callee && c.type === 'identifier' && c.startIndex === callee.startIndex)) continue;
      stack.push(c);
    }
  }
  return [...out];
}

/** The trylock a condition operand stands for. */
export interface TrylockOperand {
  entry: ApiEntry;
  api: string;
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
