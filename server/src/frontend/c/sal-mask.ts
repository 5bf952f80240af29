// Microsoft SAL annotations (`_In_`, `_Inout_opt_`, `_IRQL_requires_max_(DISPATCH_LEVEL)`,
// `_Acquires_lock_(*Lock)`) are macros tree-sitter-c cannot know: `_In_ PVOID Item` parses as a
// parameter named PVOID, and a SAL prefix before a definition can merge two functions into one.
// The C grammar is given the text with them blanked out (same length, so every position holds);
// the front end reads them from the original text.
import type { Language, Parser, SyntaxTree } from '../../syntax/tree';
import type { IncrementalParser } from '../../syntax/parser';
import { blankNonCode, closingParen } from './annotation-text';

/** SAL's shape: `_` + capital, words joined by `_`, trailing `_`, some lower case (not `_FOO_H_` guards). */
const SAL_NAME = /\b_[A-Z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*_(?![A-Za-z0-9_])/g;
const HINT = /\b_[A-Z][A-Za-z0-9]*_/;

/** The text with SAL annotations replaced by spaces; the same string when there are none. */
export function maskSal(text: string): string {
  if (!HINT.test(text) || !hasCandidate(text)) return text;
  const code = blankNonCode(text);
  let out: string[] | undefined;
  SAL_NAME.lastIndex = 0;
  for (let m = SAL_NAME.exec(code); m; m = SAL_NAME.exec(code)) {
    if (!/[a-z]/.test(m[0])) continue;
    let end = m.index + m[0].length;
    let j = end;
    while (j < code.length && (code[j] === ' ' || code[j] === '\t' || code[j] === '\n' || code[j] === '\r')) j++;
    if (code[j] === '(') {
      const close = closingParen(code, j, code.length);
      if (close > 0) end = close + 1;
    }
    out ??= text.split('');
    for (let k = m.index; k < end; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
    SAL_NAME.lastIndex = end;
  }
  return out ? out.join('') : text;
}

/** A SAL-shaped name anywhere (comments included): most files have none, and need no blanking pass. */
function hasCandidate(text: string): boolean {
  SAL_NAME.lastIndex = 0;
  for (let m = SAL_NAME.exec(text); m; m = SAL_NAME.exec(text)) if (/[a-z]/.test(m[0])) return true;
  return false;
}

/**
 * A parser that parses C with SAL masked. Incremental reparsing stays exact: a tree of masked
 * text is never edited in place (its masks may move with any edit); such files parse from scratch.
 */
export function parsingWithoutSal(parser: Parser): Parser {
  const masked = new WeakSet<SyntaxTree>();
  const parse = (language: Language, text: string): SyntaxTree => {
    const source = language === 'c' ? maskSal(text) : text;
    const tree = parser.parse(language, source);
    if (source !== text) masked.add(tree);
    return tree;
  };
  const inner = parser as Partial<IncrementalParser>;
  if (typeof inner.reparse !== 'function') return { backend: parser.backend, parse };
  const reparse = inner.reparse.bind(parser);
  const wrapped: IncrementalParser = {
    backend: parser.backend,
    parse,
    reparse(...args: Parameters<IncrementalParser['reparse']>): SyntaxTree {
      const [language, text, old] = args;
      // From scratch: whatever the caller asked to be told about changed ranges stays unknown.
      if (masked.has(old) || (language === 'c' && maskSal(text) !== text)) {
        old.delete();
        return parse(language, text);
      }
      return reparse(...args);
    },
  };
  return wrapped;
}
