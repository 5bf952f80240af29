// What a branch condition says about the sign of one integer: `ret`, `ret < 0`, `!err`, `n >= 0`.
// Lets exploration drop paths that no value can take (`if (ret) unlock(); if (ret < 0) goto err;
// if (ret > 0) break; ... unlock();` — past the three tests ret is 0), without a solver.
// Also its parity, for the seqlock retry idiom: `x & 1` (odd) and `x == 3` (a front end states
// `x == c` after assigning a constant: `seq = 1; goto restart;` … `if (!(seq & 1)) unlock();`).

export const NEG = 1;
export const ZERO = 2;
export const POS = 4;
export const ALL = NEG | ZERO | POS;
const EVEN = 1;
const ODD = 2;
const ANY_PARITY = EVEN | ODD;

const RELATION: Record<string, number> = {
  '<': NEG, '>': POS, '<=': NEG | ZERO, '>=': ZERO | POS, '==': ZERO, '!=': NEG | POS,
};
const MIRROR: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };

// A variable or a field path: `ret`, `dev->state`, `s.n`.
const SUBJECT = '[A-Za-z_]\\w*(?:(?:->|\\.)[A-Za-z_]\\w*)*';
const BARE = new RegExp(`^${SUBJECT}$`);
const COMPARED = new RegExp(`^(${SUBJECT})(<=|>=|==|!=|<|>)0$`);
const COMPARED_REVERSED = new RegExp(`^0(<=|>=|==|!=|<|>)(${SUBJECT})$`);
const ONE = '(?:0[xX]0*)?1[uUlL]*';
const LOW_BIT = new RegExp(`^(${SUBJECT})&${ONE}$`);
const LOW_BIT_REVERSED = new RegExp(`^${ONE}&(${SUBJECT})$`);
const CONSTANT = '(-?)(0[xX][0-9a-fA-F]+|\\d+)[uUlL]*';
const EQUALS = new RegExp(`^(${SUBJECT})(==|!=)${CONSTANT}$`);
const EQUALS_REVERSED = new RegExp(`^${CONSTANT}(==|!=)(${SUBJECT})$`);

export interface SignFact {
  subject: string;
  /** Bit set of the signs the subject may have on this edge. */
  signs: number;
  /** Bit set of its parities (even 1, odd 2), when the condition says anything about it. */
  parity?: number;
}

/** `x == c` (true) for a nonzero integer constant: its sign and parity; `x != c` says nothing. */
function equalsConstant(subject: string, op: string, minus: string, digits: string, value: boolean): SignFact | undefined {
  if (/^(0[xX])?0+$/.test(digits)) return undefined;
  if ((op === '==') !== value) return undefined;
  const last = parseInt(digits[digits.length - 1], 16);
  return { subject, signs: minus ? NEG : POS, parity: last % 2 === 1 ? ODD : EVEN };
}

/** The signs a condition key (normalised: no spaces, outer parens and `!` folded) allows, when it is a sign test. */
export function signFact(key: string, value: boolean): SignFact | undefined {
  let subject: string;
  let allowed: number;
  let m: RegExpExecArray | null;
  if (BARE.test(key)) {
    subject = key;
    allowed = NEG | POS;
  } else if ((m = COMPARED.exec(key))) {
    subject = m[1];
    allowed = RELATION[m[2]];
  } else if ((m = COMPARED_REVERSED.exec(key))) {
    subject = m[2];
    allowed = RELATION[MIRROR[m[1]]];
  } else if ((m = LOW_BIT.exec(key) ?? LOW_BIT_REVERSED.exec(key))) {
    return value ? { subject: m[1], signs: NEG | POS, parity: ODD } : { subject: m[1], signs: ALL, parity: EVEN };
  } else if ((m = EQUALS.exec(key))) {
    return equalsConstant(m[1], m[2], m[3], m[4], value);
  } else if ((m = EQUALS_REVERSED.exec(key))) {
    return equalsConstant(m[4], m[3], m[1], m[2], value);
  } else {
    return undefined;
  }
  return { subject, signs: value ? allowed : ALL & ~allowed };
}

/** Whether one more sign fact leaves the subject some possible value, given what is known. */
export function signsCompatible(fact: SignFact, known: Iterable<[string, boolean]>): boolean {
  let signs = fact.signs;
  let parity = fact.parity ?? ANY_PARITY;
  for (const [key, value] of known) {
    const other = signFact(key, value);
    if (other && other.subject === fact.subject) {
      signs &= other.signs;
      parity &= other.parity ?? ANY_PARITY;
    }
    if (!possible(signs, parity)) return false;
  }
  return possible(signs, parity);
}

/** Some integer has one of these signs and one of these parities (zero is even). */
function possible(signs: number, parity: number): boolean {
  if (parity === ODD) signs &= ~ZERO;
  return signs !== 0 && parity !== 0;
}

/** The signs a returned expression may have given what the path knows: a literal's own, a variable's from its tests. */
export function returnSigns(ret: string | undefined, known: ReadonlyMap<string, { value: boolean }>): number {
  const r = (ret ?? '').replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1');
  const literal = /^(-?)(0[xX][0-9a-fA-F]+|\d+)[uUlL]*$/.exec(r);
  if (literal) return /^(0[xX])?0+$/.test(literal[2]) ? ZERO : literal[1] ? NEG : POS;
  if (!BARE.test(r)) return ALL;
  let signs = ALL;
  known.forEach(({ value }, key) => {
    const f = signFact(key, value);
    if (f && f.subject === r) signs &= f.signs;
  });
  return signs;
}
