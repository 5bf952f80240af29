// Per-function lowering results kept between versions of one open document. Typing changes one
// function; the others keep their IR objects, so the ProgramCache (keyed by those objects) keeps
// their exploration results too. A function that only moved (lines inserted above it) has its
// spans moved in place; the facts computed from it share those span objects and move with it.
import type { LoweredFunction, ReuseFunction } from './frontend/c/index';
import type { ExecContext, FunctionIR } from './ir/types';
import type { TextRange, TreeEdit } from './syntax/parser';

interface Kept {
  lowered: LoweredFunction;
  /** Where the definition was, in the text it was last lowered or reused for (UTF-16 offsets). */
  start: number;
  end: number;
  /** End of the definition before it: the text in between is part of what must be unchanged. */
  gapStart: number;
  row: number;
  column: number;
  /** The context the front end gave the function itself: file-level marks are re-applied after lowering. */
  context?: ExecContext;
}

export class FunctionReuse {
  /** By start offset in the previous text. */
  private kept = new Map<number, Kept>();
  private scopeKey: string | undefined;
  private next = new Map<number, Kept>();
  private nextScopeKey: string | undefined;
  /** The last lowering's tree was exact (not provisional): what it kept is exact for its definitions. */
  private exact = false;
  private nextExact = false;
  /** Functions of the last lowering that were reused at another row (their spans moved in place). */
  moved: FunctionIR[] = [];

  /**
   * The reuse callback for one lowering of a text that is the previous one with `edit` applied
   * (none: the same text); `end()` then makes what it saw the cache. A definition is reused when
   * it and the text since the definition before it lie wholly outside the edit, so their text is
   * unchanged by construction: nothing is compared or hashed.
   *
   * A definition with syntax errors inside is parsed by error recovery, which an incremental parse
   * may do differently. In a `provisional` tree anything goes (it will be settled). In an exact one
   * such a definition is reused only if the previous tree was exact too and its structure did not
   * change (`changed`: the ranges where it did; unknown = anywhere). An error-free definition's
   * subtree is a function of its text.
   */
  begin(edit: TreeEdit | undefined, provisional: boolean, changed: readonly TextRange[] | undefined): ReuseFunction {
    const next = new Map<number, Kept>();
    this.next = next;
    this.nextScopeKey = undefined;
    this.nextExact = !provisional;
    const exactBefore = this.exact;
    this.moved = [];
    const unchanged = (start: number, end: number) => changed !== undefined && changed.every((r) => end < r.startIndex || r.endIndex < start);
    const shift = edit ? edit.oldEndIndex - edit.newEndIndex : 0;
    /** The offset in the previous text of [from, to) of this one, if that span is outside the edit. */
    const previousOffset = (from: number, to: number): number | undefined => {
      if (!edit || to <= edit.startIndex) return 0;
      return from >= edit.newEndIndex ? shift : undefined;
    };
    let previousEnd = 0;
    let sameScope = false;
    return (def, scopeKey, lower) => {
      if (scopeKey !== this.nextScopeKey) {
        // Once per lowering (every definition gets the same string): the key can be long.
        this.nextScopeKey = scopeKey;
        sameScope = scopeKey === this.scopeKey;
      }
      const start = def.startIndex;
      const end = def.endIndex;
      const gapStart = Math.min(previousEnd, start);
      previousEnd = Math.max(previousEnd, end);
      const { row, column } = def.startPosition;
      const reusable = sameScope && (provisional || !def.hasError || (exactBefore && unchanged(start, end)));
      const offset = reusable ? previousOffset(gapStart, end) : undefined;
      const hit = offset === undefined ? undefined : this.kept.get(start + offset);
      if (hit && offset !== undefined && hit.end === end + offset && hit.gapStart === gapStart + offset && hit.column === column) {
        this.kept.delete(hit.start); // one IR object stands for one definition
        if (hit.row !== row) {
          moveRows(hit.lowered, row - hit.row);
          if (hit.lowered.fn) this.moved.push(hit.lowered.fn);
        }
        hit.start = start;
        hit.end = end;
        hit.gapStart = gapStart;
        hit.row = row;
        const fn = hit.lowered.fn;
        if (fn && fn.context !== hit.context) {
          if (hit.context === undefined) delete fn.context;
          else fn.context = hit.context;
        }
        next.set(start, hit);
        return hit.lowered;
      }
      const lowered = lower();
      if (!next.has(start)) next.set(start, { lowered, start, end, gapStart, row, column, context: lowered.fn?.context });
      return lowered;
    };
  }

  end(): void {
    this.kept = this.next;
    this.scopeKey = this.nextScopeKey;
    this.exact = this.nextExact;
    this.next = new Map();
  }
}

/**
 * Moves every span reachable from a lowered function by `delta` rows, in place. Generic over the
 * IR's shape (any object with line/col/endLine/endCol is a span) so a field added to the IR later
 * cannot keep a stale line; each object is visited once, however often it is shared.
 */
export function moveRows(root: object, delta: number): void {
  const seen = new Set<object>();
  const stack: object[] = [root];
  while (stack.length > 0) {
    const value = stack.pop()!;
    if (seen.has(value)) continue;
    seen.add(value);
    if (isSpan(value)) {
      value.line += delta;
      value.endLine += delta;
      continue;
    }
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      if (typeof item === 'object' && item !== null) stack.push(item);
    }
  }
}

function isSpan(value: object): value is { line: number; col: number; endLine: number; endCol: number } {
  const v = value as Record<string, unknown>;
  return typeof v.line === 'number' && typeof v.endLine === 'number' && typeof v.col === 'number' && typeof v.endCol === 'number';
}
