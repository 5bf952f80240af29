// `// locklint-ignore id1,id2: reason` and `/* locklint-ignore id: reason */` comments.
// Found by a text scan rather than by walking comment nodes: comments can sit anywhere in the
// tree (even inside ERROR regions), and a string search is far cheaper than a full tree walk.
import type { Suppression } from '../../ir/types';

const MARKER = 'locklint-ignore';

export function findSuppressions(text: string): Suppression[] {
  const out: Suppression[] = [];
  let line = 0;
  let counted = 0; // text[0..counted) has been scanned for newlines
  for (let at = text.indexOf(MARKER); at >= 0; at = text.indexOf(MARKER, at + MARKER.length)) {
    line += countNewlines(text, counted, at);
    counted = at;
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    if (!inComment(text.slice(lineStart, at))) continue;
    const parsed = parseDirective(text, at + MARKER.length);
    if (parsed) out.push({ line: parsed.fileWide ? -1 : line, checks: parsed.checks, reason: parsed.reason });
  }
  return out;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The marker counts only inside a comment: `//` or `/*` before it on its line, or a `*` continuation line. */
function inComment(before: string): boolean {
  return before.includes('//') || before.includes('/*') || /^\s*\*/.test(before);
}

function parseDirective(text: string, from: number): { fileWide: boolean; checks: string[]; reason: string } | undefined {
  let eol = text.indexOf('\n', from);
  if (eol < 0) eol = text.length;
  let rest = text.slice(from, eol);
  const close = rest.indexOf('*/');
  if (close >= 0) rest = rest.slice(0, close);
  let fileWide = false;
  if (rest.startsWith('-file')) {
    fileWide = true;
    rest = rest.slice(5);
  }
  // `locklint-ignored` or `locklint-ignore-next` are not this directive.
  if (rest.length > 0 && !/^[\s:]/.test(rest)) return undefined;
  const colon = rest.indexOf(':');
  const idPart = colon >= 0 ? rest.slice(0, colon) : rest;
  const reason = colon >= 0 ? rest.slice(colon + 1).trim() : '';
  const checks = idPart.split(/[\s,]+/).filter((s) => s.length > 0);
  return { fileWide, checks: checks.length > 0 ? checks : ['*'], reason };
}
