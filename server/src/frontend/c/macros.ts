// Which object-like macros a file itself certainly defines or undefines, and from which line on:
// enough to decide `#ifdef X` / `#ifndef X` / `#if defined(X)` inside function bodies when the
// file says so itself (hamachi.c's `#define final_version` above `#ifndef final_version` debug
// code). Anything less certain leaves both branches, as before.
import { identifierText, type SyntaxNode } from '../../syntax/tree';
import { stripParens } from './syntax';

/** One `#define X` / `#undef X` line. */
export interface MacroEvent {
  row: number;
  defined: boolean;
  /** Runs whenever the file is compiled: at file scope, outside any conditional but an include guard. */
  certain: boolean;
}

/** Macro name -> its `#define` / `#undef` lines in source order. */
export type MacroTable = Map<string, MacroEvent[]>;

const DIRECTIVE = /^[ \t]*#[ \t]*(define|undef)[ \t]+([A-Za-z_]\w*)/gm;

/**
 * The file's define/undef lines. The text finds every one (in bodies, in conditionals, even in
 * comments: those only ever make a name uncertain); the tree says which run unconditionally.
 */
export function collectMacros(text: string, root: SyntaxNode): MacroTable {
  const table: MacroTable = new Map();
  if (!/#[ \t]*(?:define|undef)/.test(text)) return table;
  const certainRows = new Set<number>();
  collectCertainRows(root, certainRows, true);
  let row = 0;
  let scanned = 0;
  for (const m of text.matchAll(DIRECTIVE)) {
    const at = m.index! + m[0].indexOf('#');
    row += countNewlines(text, scanned, at);
    scanned = at;
    const events = table.get(m[2]) ?? [];
    events.push({ row, defined: m[1] === 'define', certain: certainRows.has(row) });
    table.set(m[2], events);
  }
  return table;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Rows of the define/undef directives among `node`'s children, and inside an include guard at top level. */
function collectCertainRows(node: SyntaxNode, rows: Set<number>, topLevel: boolean): void {
  for (const kid of node.children) {
    if (!kid) continue;
    switch (kid.type) {
      case 'preproc_def':
      case 'preproc_function_def':
        rows.add(kid.startPosition.row);
        break;
      case 'preproc_call':
        if (kid.childForFieldName('directive')?.text === '#undef') rows.add(kid.startPosition.row);
        break;
      case 'preproc_ifdef':
        // A header read as if included once: its guard's body always runs.
        if (topLevel && isIncludeGuard(kid)) collectCertainRows(kid, rows, false);
        break;
      default:
        break;
    }
  }
}

/** `#ifndef G` whose first item is `#define G`, with no `#else`. */
function isIncludeGuard(node: SyntaxNode): boolean {
  const name = node.childForFieldName('name');
  if (!name || node.child(0)?.type !== '#ifndef' || node.childForFieldName('alternative')) return false;
  const first = node.namedChildren.find((k) => k && k.type !== 'comment' && k.startIndex > name.startIndex);
  return !!first && first.type === 'preproc_def' && first.childForFieldName('name')?.text === name.text;
}

/** Whether `name` is defined at `row`: decided only by a certain define/undef as its latest line before `row`. */
export function macroDefinedAt(table: MacroTable | undefined, name: string, row: number): boolean | undefined {
  const events = table?.get(name);
  if (!events) return undefined;
  let last: MacroEvent | undefined;
  for (const e of events) {
    if (e.row >= row) break;
    last = e;
  }
  return last?.certain ? last.defined : undefined;
}

/**
 * The truth of a preprocessor condition that only asks whether one macro is defined:
 * `defined(X)`, `defined X`, `!defined(X)`, in parentheses; undefined for anything else.
 */
export function definedTestTruth(cond: SyntaxNode, table: MacroTable | undefined, row: number): boolean | undefined {
  const n = stripParens(cond);
  if (n.type === 'unary_expression' && n.child(0)?.type === '!') {
    const inner = n.childForFieldName('argument');
    const t = inner ? definedTestTruth(inner, table, row) : undefined;
    return t === undefined ? undefined : !t;
  }
  if (n.type !== 'preproc_defined') return undefined;
  const id = n.namedChildren.find((k) => k?.type === 'identifier');
  return id ? macroDefinedAt(table, identifierText(id), row) : undefined;
}

/** Position-free form of the table, for keys that must not change when lines merely move. */
export function macroKey(table: MacroTable): string[] {
  const out: string[] = [];
  for (const [name, events] of table) {
    for (const e of events) out.push(`${e.defined ? 'd' : 'u'}${e.certain ? '!' : '?'}${name}`);
  }
  return out;
}
