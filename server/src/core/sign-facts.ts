// What a branch condition says about the sign of one integer: `ret`, `ret < 0`, `!err`, `n >= 0`.
// Lets exploration drop paths that no value can take (`if (ret) unlock(); if (ret < 0) goto err;
// if (ret > 0) break; ... unlock();` — past the three tests ret is 0), without a solver.

const NEG = 1;
const ZERO = 2;
const POS = 4;
const ALL = NEG | ZERO | POS;

const RELATION: Record<string, number> = {
  '<': NEG, '>': POS, '<=': NEG | ZERO, '>=': ZERO | POS, '==': ZERO, '!=': NEG | POS,
};
const MIRROR: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };

// A variable or a field path: `ret`, `dev->state`, `s.n`.
const SUBJECT = '[A-Za-z_]\\w*(?:(?:->|\\.)[A-Za-z_]\\w*)*';
const BARE = new RegExp(`^${SUBJECT}$`);
const COMPARED = new RegExp(`^(${SUBJECT})(<=|>=|==|!=|<|>)0$`);
const COMPARED_REVERSED = new RegExp(`^0(<=|>=|==|!=|<|>)(${SUBJECT})$`);

export interface SignFact {
  subject: string;
  /** Bit set of the signs the subject may have on this edge. */
  signs: number;
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
  } else {
    return undefined;
  }
  return { subject, signs: value ? allowed : ALL & ~allowed };
}

/** Whether one more sign fact leaves the subject some possible value, given what is known. */
export function signsCompatible(fact: SignFact, known: Iterable<[string, boolean]>): boolean {
  let signs = fact.signs;
  for (const [key, value] of known) {
    const other = signFact(key, value);
    if (other && other.subject === fact.subject) signs &= other.signs;
    if (signs === 0) return false;
  }
  return signs !== 0;
}
