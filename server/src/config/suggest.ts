// "Did you mean" for misspelt keys and check ids.

/** Optimal string alignment distance (Levenshtein plus adjacent transposition), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows: number[][] = [];
  for (let i = 0; i <= s.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= t.length; j++) {
      if (i === 0) {
        rows[0].push(j);
        continue;
      }
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i].push(d);
    }
  }
  return rows[s.length][t.length];
}

/**
 * The candidate closest to `word`, if it is close enough to be a plausible typo: at most a third
 * of the word's length (at least 1, at most 3) edits away. Ties go to the earlier candidate.
 * Failing that, the only candidate that the word abbreviates ("warn" -> "warning").
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  return closestByDistance(word, candidates) ?? uniqueExtension(word, candidates);
}

function uniqueExtension(word: string, candidates: readonly string[]): string | undefined {
  if (word.length < 3) return undefined;
  const w = word.toLowerCase();
  const matches = candidates.filter((c) => c.toLowerCase().startsWith(w));
  return matches.length === 1 ? matches[0] : undefined;
}

function closestByDistance(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d <= limit && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
