// `// locklint-ignore id1,id2: reason` comments, found by a text scan (no tree walk needed).
import type { Suppression } from '../../ir/types';

const MARK = /\/[/*][ \t]*locklint-ignore(-file)?(?![\w-])([^\n]*)/g;

export function scanSuppressions(text: string): Suppression[] {
  if (!text.includes('locklint-ignore')) return [];
  const out: Suppression[] = [];
  let line = 0;
  let scanned = 0;
  for (const m of text.matchAll(MARK)) {
    const at = m.index ?? 0;
    for (let i = text.indexOf('\n', scanned); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
    scanned = at;
    let rest = m[2].replace(/\*\/.*$/, '').trim();
    let reason = '';
    const colon = rest.indexOf(':');
    if (colon >= 0) {
      reason = rest.slice(colon + 1).trim();
      rest = rest.slice(0, colon);
    }
    const checks = rest.split(/[\s,]+/).filter((s) => s.length > 0);
    out.push({ line: m[1] ? -1 : line, checks: checks.length ? checks : ['*'], reason });
  }
  return out;
}
