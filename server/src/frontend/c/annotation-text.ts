// Reading annotations from source text. tree-sitter-c parses `f(x) __releases(x->lock) {`
// with the annotation as a call inside the declarator and `->` split into `-` ERROR `>`, and turns
// annotated prototypes and SAL prefixes into ERROR regions: the text is the reliable record.
import { annotationName, type AnnotationName } from './annotation-names';

export interface RawAnnotation {
  name: string;
  entry: AnnotationName;
  args: string[];
  start: number;
  end: number;
  /** `_When_(cond, inner)`: the annotations that hold when `cond` does. */
  inner?: RawAnnotation[];
}

const MAX_ARGS_LENGTH = 1000;
const MAX_BOUNDARY_SCAN = 3000;

/**
 * The text with comments, string and character literals and preprocessor lines blanked
 * (newlines kept, same length): annotation spellings inside them are not annotations, and a
 * `#define __acquires(x)` is not an annotated function.
 */
export function blankNonCode(text: string): string {
  const out = text.split('');
  const n = text.length;
  let i = 0;
  let lineStart = true;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (lineStart && c === '#') {
      let j = i;
      // A directive runs to the first newline not escaped by a backslash.
      while (j < n && !(text[j] === '\n' && text[j - 1] !== '\\')) j++;
      blank(i, j);
      i = j;
      continue;
    }
    if (c !== ' ' && c !== '\t' && c !== '\r') lineStart = false;
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const j = end < 0 ? n : end + 2;
      blank(i, j);
      i = j;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      let j = i;
      while (j < n && text[j] !== '\n') j++;
      blank(i, j);
      i = j;
      continue;
    }
    if (c === '"' || c === '\'') {
      let j = i + 1;
      while (j < n && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      blank(i + 1, Math.min(j, n));
      i = j + 1;
      continue;
    }
    i++;
  }
  return out.join('');
}

/** The index of the `)` closing the `(` at `open`, or -1 (unbalanced, or too long to be an annotation). */
export function closingParen(code: string, open: number, limit: number): number {
  let depth = 0;
  const stop = Math.min(limit, open + MAX_ARGS_LENGTH);
  for (let i = open; i < stop; i++) {
    const c = code[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
    else if (c === ';' || c === '{' || c === '}') return -1;
  }
  return -1;
}

/** Arguments split at top-level commas, trimmed. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last || out.length > 0) out.push(last);
  return out;
}

/** Every known annotation spelled in `code[from, to)` (code already blanked by blankNonCode). */
export function findAnnotations(code: string, from: number, to: number): RawAnnotation[] {
  const out: RawAnnotation[] = [];
  const re = /[A-Za-z_]\w*/g;
  re.lastIndex = from;
  for (let m = re.exec(code); m && m.index < to; m = re.exec(code)) {
    const entry = annotationName(m[0]);
    if (!entry) continue;
    let j = m.index + m[0].length;
    while (j < to && /\s/.test(code[j])) j++;
    if (code[j] !== '(') {
      if (entry.bare) out.push({ name: m[0], entry, args: [], start: m.index, end: m.index + m[0].length });
      continue;
    }
    const close = closingParen(code, j, to);
    if (close < 0) continue;
    const inside = code.slice(j + 1, close);
    const found: RawAnnotation = { name: m[0], entry, args: splitArgs(inside), start: m.index, end: close + 1 };
    if (entry.role === 'when') {
      const comma = topLevelComma(inside);
      found.inner = comma < 0 ? [] : findAnnotations(code, j + 1 + comma + 1, close);
    }
    out.push(found);
    re.lastIndex = close + 1;
  }
  return out;
}

function topLevelComma(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) return i;
  }
  return -1;
}

/** Start of the declaration that contains `index`: just after the previous `;`, `{` or `}`. */
export function declarationStart(code: string, index: number): number {
  const stop = Math.max(0, index - MAX_BOUNDARY_SCAN);
  for (let i = index - 1; i >= stop; i--) {
    const c = code[i];
    if (c === ';' || c === '{' || c === '}') return i + 1;
  }
  return stop;
}

/** The first `{` or `;` at or after `index` outside parentheses (the end of a declarator's trailer). */
export function declaratorEnd(code: string, index: number, limit = index + MAX_BOUNDARY_SCAN): number {
  let depth = 0;
  const stop = Math.min(code.length, limit);
  for (let i = index; i < stop; i++) {
    const c = code[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if ((c === '{' || c === ';') && depth <= 0) return i;
  }
  return stop;
}

/** A lock expression split the way lockref.ts splits a syntax tree (`&((struct a *)p)->b[i].c`). */
export interface ExprParts {
  root: string;
  base: string;
  segments: string[];
  castType?: string;
  castAt: number;
  /** The function whose result is the base (`rcu_get_root` of `rcu_get_root()->lock`). */
  callee?: string;
}

const TOKEN = /\s*(->|[A-Za-z_]\w*|\d\w*|\S)/y;

/** Parses a lock expression from annotation text; undefined when it is not one (`!mu`, `1`, `a + b`). */
export function parseLockExpr(text: string): ExprParts | undefined {
  const toks: string[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) toks.push(m[1]);
  if (toks.length === 0 || toks.length > 200) return undefined;
  let pos = 0;
  const peek = (k = 0) => toks[pos + k];
  const isIdent = (t: string | undefined) => !!t && /^[A-Za-z_]\w*$/.test(t);

  /** Skips a balanced group starting at the current `(` or `[`; returns its text. */
  const group = (): string | undefined => {
    const open = peek();
    const close = open === '(' ? ')' : ']';
    let depth = 0;
    const start = pos;
    for (; pos < toks.length; pos++) {
      if (toks[pos] === open) depth++;
      else if (toks[pos] === close && --depth === 0) {
        pos++;
        return toks.slice(start, pos).join('');
      }
    }
    return undefined;
  };

  /** `(struct foo *)` or `(foo_t *)` at the current position: the type name, advancing past it. */
  const cast = (): string | undefined => {
    if (peek() !== '(') return undefined;
    let k = 1;
    let type: string | undefined;
    if ((peek(k) === 'struct' || peek(k) === 'union') && isIdent(peek(k + 1))) {
      type = `${peek(k)} ${peek(k + 1)}`;
      k += 2;
    } else if (isIdent(peek(k)) && peek(k + 1) === '*') {
      type = peek(k);
      k += 1;
    } else {
      return undefined;
    }
    while (peek(k) === '*' || peek(k) === 'const') k++;
    if (peek(k) !== ')') return undefined;
    pos += k + 1;
    return type;
  };

  const unary = (): ExprParts | undefined => {
    const t = peek();
    if (t === '&' || t === '*') {
      pos++;
      return unary();
    }
    const castType = cast();
    if (castType !== undefined) {
      const inner = unary();
      return inner && { ...inner, castType, castAt: 0 };
    }
    return postfix();
  };

  const postfix = (): ExprParts | undefined => {
    let parts: ExprParts;
    const t = peek();
    if (t === '(') {
      pos++;
      const inner = unary();
      if (!inner || peek() !== ')') return undefined;
      pos++;
      parts = inner;
    } else if (isIdent(t)) {
      pos++;
      if (peek() === '(') {
        const args = group();
        if (args === undefined) return undefined;
        // The callee lets the lock take the class of the field on its return type, as the body's `rcu_get_root()->lock` does.
        parts = { root: '', base: t + args, segments: [], castAt: 0, callee: t };
      } else {
        parts = { root: t, base: t, segments: [], castAt: 0 };
      }
    } else {
      return undefined;
    }
    const castAtStart = parts.castType !== undefined && parts.castAt === 0 ? parts.segments.length : -1;
    for (;;) {
      const op = peek();
      if ((op === '->' || op === '.') && isIdent(peek(1))) {
        parts.segments.push('.' + peek(1));
        pos += 2;
      } else if (op === '[') {
        if (group() === undefined) return undefined;
        parts.segments.push('[]');
      } else {
        break;
      }
    }
    // A cast inside parentheses applies to the segments selected after them.
    if (castAtStart >= 0) parts.castAt = parts.segments.length - castAtStart;
    return parts;
  };

  const parts = unary();
  return parts && pos === toks.length ? parts : undefined;
}
