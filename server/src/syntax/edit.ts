// The one tree-sitter edit that turns a previous text into the next: the common prefix and suffix
// are unchanged, everything between them was replaced. Derived from the two texts rather than
// from the editor's change events, so a tree can never drift out of step with its text: however
// many changes were coalesced, lost or reordered before an analysis, the edit covers them all.
import type { TextRange, TreeEdit } from './parser';
import type { Point, SyntaxNode } from './tree';

const BLOCK = 1024;

/** undefined when the texts are equal. Indices and columns are UTF-16 code units. */
export function editBetween(before: string, after: string): TreeEdit | undefined {
  if (before === after) return undefined;
  const limit = Math.min(before.length, after.length);
  // Whole blocks first (string comparison is a memcmp), then character by character.
  let start = 0;
  while (start + BLOCK <= limit && before.slice(start, start + BLOCK) === after.slice(start, start + BLOCK)) start += BLOCK;
  while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  // The suffix may not reach back over the prefix in either text.
  let suffix = 0;
  while (suffix + BLOCK <= limit - start && before.slice(before.length - suffix - BLOCK, before.length - suffix) === after.slice(after.length - suffix - BLOCK, after.length - suffix)) suffix += BLOCK;
  while (
    suffix < limit - start
    && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  ) suffix++;
  // Never split a surrogate pair: tree-sitter would see half a character at the edit's edge.
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  if (suffix > 0 && isLowSurrogate(before.charCodeAt(before.length - suffix))) suffix--;
  const oldEnd = before.length - suffix;
  const newEnd = after.length - suffix;
  const startPosition = pointAt(before, start, { row: 0, column: 0 }, 0);
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition,
    oldEndPosition: pointAt(before, oldEnd, startPosition, start),
    newEndPosition: pointAt(after, newEnd, startPosition, start),
  };
}

/** Row and column of `index`, counting from a known point at `fromIndex` (tree-sitter rows end at '\n' only). */
function pointAt(text: string, index: number, from: Point, fromIndex: number): Point {
  let row = from.row;
  let lineStart = fromIndex - from.column;
  for (let nl = text.indexOf('\n', fromIndex); nl !== -1 && nl < index; nl = text.indexOf('\n', nl + 1)) {
    row++;
    lineStart = nl + 1;
  }
  return { row, column: index - lineStart };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Whether an ERROR or MISSING node overlaps one of `ranges` (touching counts). Descends only into
 * subtrees that have errors and overlap a range, so an edit far from any error costs a few nodes.
 */
export function hasErrorWithin(root: SyntaxNode, ranges: readonly TextRange[]): boolean {
  const overlaps = (n: SyntaxNode) => ranges.some((r) => n.startIndex <= r.endIndex && r.startIndex <= n.endIndex);
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!(node.hasError || node.isMissing) || !overlaps(node)) continue;
    if (node.type === 'ERROR' || node.isMissing) return true;
    for (const child of node.children) if (child) stack.push(child);
  }
  return false;
}
