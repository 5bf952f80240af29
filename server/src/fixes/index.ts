// Quick fixes for findings, computed from the finding (and its hint), the document text and the
// file's IR. Pure: no LSP types; server/src/lsp turns a Fix into a WorkspaceEdit. A fix is offered
// only when a simple rule shows it is sound; otherwise nothing is (tests assert that too).
import type { ApiEntry, ApiIndex } from '../api/types';
import type { Finding, FindingHint } from '../core/finding';
import type { FileIR, FunctionIR, Node, Op, Span } from '../ir/types';
import { callArguments, codeOnly, identifiers, mentions, point, SourceText, statementOf } from './text';

export interface FixEdit {
  span: Span;
  newText: string;
}

export interface Fix {
  title: string;
  isPreferred: boolean;
  edits: FixEdit[];
}

export interface FixInput {
  finding: Finding;
  text: string;
  ir: FileIR;
  api: ApiIndex;
}

export function fixesFor(input: FixInput): Fix[] {
  try {
    const ctx = { ...input, src: new SourceText(input.text), language: input.ir.language };
    switch (input.finding.check) {
      case 'leaked-lock': return input.finding.hint?.kind === 'leaked-lock' ? leakedLockFixes(ctx, input.finding.hint) : [];
      case 'double-lock': return removeRedundant(ctx, 'acquire');
      case 'unlock-not-held': return removeRedundant(ctx, 'release');
      case 'lock-order': return input.finding.hint?.kind === 'lock-order' ? swapFixes(ctx, input.finding.hint) : [];
      case 'blocking-under-lock': return moveAfterUnlock(ctx);
      default: return [];
    }
  } catch {
    return []; // a fix is a convenience: never let it break the request
  }
}

/** Applies non-overlapping edits (what an editor does); for tests and previews. */
export function applyEdits(text: string, edits: readonly FixEdit[]): string {
  const src = new SourceText(text);
  const sorted = edits
    .map((e) => ({ start: src.offset(e.span.line, e.span.col), end: src.offset(e.span.endLine, e.span.endCol), text: e.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

interface Ctx extends FixInput {
  src: SourceText;
  language: 'c' | 'go';
}

// ---------------------------------------------------------------------------------------------
// IR helpers

function sameStart(a: Span | undefined, b: Span): boolean {
  return a !== undefined && a.line === b.line && a.col === b.col;
}

function spanOf(op: Op): Span | undefined {
  return 'span' in op ? op.span : undefined;
}

function functionAt(ir: FileIR, span: Span): FunctionIR | undefined {
  let best: FunctionIR | undefined;
  for (const fn of ir.functions) {
    const s = fn.span;
    const inside = (s.line < span.line || (s.line === span.line && s.col <= span.col))
      && (s.endLine > span.endLine || (s.endLine === span.endLine && s.endCol >= span.endCol));
    if (inside && (!best || s.endLine - s.line < best.span.endLine - best.span.line)) best = fn;
  }
  return best;
}

function nodeAt<K extends Op['kind']>(fn: FunctionIR, kind: K, span: Span): { index: number; op: Extract<Op, { kind: K }> } | undefined {
  const index = fn.nodes.findIndex((n) => n.op.kind === kind && sameStart(spanOf(n.op), span));
  return index < 0 ? undefined : { index, op: fn.nodes[index].op as Extract<Op, { kind: K }> };
}

const HELD = 1;
const FREE = 2;

/**
 * May-states of one lock (by instance path) on entry to each node: HELD, FREE or both. Path
 * insensitive, so "exactly HELD" means held on every path. A call that is passed the lock (or its
 * owner) may take or drop it: both.
 */
function lockStates(fn: FunctionIR, key: string, skip = -1): number[] {
  const root = key.split(/[.[(]/)[0];
  const acquiresHere = fn.nodes.some((n) => n.op.kind === 'acquire' && n.op.lock.path === key);
  const states = fn.nodes.map(() => 0);
  states[0] = acquiresHere ? FREE : HELD | FREE;
  const transfer = (op: Op, s: number): number => {
    if ((op.kind === 'acquire') && op.lock.path === key) return HELD;
    if ((op.kind === 'release' || op.kind === 'tryfail') && op.lock.path === key) return FREE;
    if (op.kind === 'call') {
      const refs = [op.receiverRef, ...op.args].filter((r) => r !== null && r !== undefined);
      if (refs.some((r) => r!.path === key || (root !== '' && r!.root === root)) || (root !== '' && op.receiver?.split('.')[0] === root)) return HELD | FREE;
    }
    return s;
  };
  const work = [0];
  while (work.length > 0) {
    const i = work.pop()!;
    const out = i === skip ? states[i] : transfer(fn.nodes[i].op, states[i]);
    for (const j of fn.nodes[i].succ) {
      const merged = states[j] | out;
      if (merged !== states[j]) {
        states[j] = merged;
        work.push(j);
      }
    }
  }
  return states;
}

function reaches(fn: FunctionIR, from: readonly number[], target: number): boolean {
  const seen = new Set<number>();
  const work = [...from];
  while (work.length > 0) {
    const i = work.pop()!;
    if (i === target) return true;
    if (seen.has(i)) continue;
    seen.add(i);
    work.push(...fn.nodes[i].succ);
  }
  return false;
}

/** Every path from `start`'s successors to an exit runs only bookkeeping nodes (no call, lock or block). */
function onlyBookkeepingToExit(fn: FunctionIR, start: number): boolean {
  const seen = new Set<number>();
  const work = [...fn.nodes[start].succ];
  while (work.length > 0) {
    const i = work.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    const n: Node = fn.nodes[i];
    if (!['nop', 'assume', 'assign'].includes(n.op.kind)) return false;
    if (n.exit) {
      if ((n.ret ?? '').includes('(')) return false;   // `return f()`: f would run under the lock
      continue;
    }
    work.push(...n.succ);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Release names: from the API tables, by the naming conventions the tables follow

const STRIP = [/_nested$/, /_(interruptible|killable|io|timeout)$/, /RaiseToDpc$/];

function releaseCandidates(api: string): string[] {
  const bases = new Set([api]);
  for (const re of STRIP) for (const b of [...bases]) bases.add(b.replace(re, ''));
  const out: string[] = [];
  for (const b of bases) {
    out.push(b.replace(/(^|_)(try|rd|wr|timed)?lock/, '$1unlock').replace(/irqsave/, 'irqrestore'));
    out.push(b.replace(/^down/, 'up'));
    out.push(b.replace(/_enter$/, '_exit'));
    out.push(b.replace(/^Enter/, 'Leave').replace(/^TryEnter/, 'Leave'));
    const released = b.replace(/(Try)?(ToAcquire|Acquire)/, 'Release').replace(/AtDpcLevel$/, 'FromDpcLevel');
    out.push(released, released.replace(/(Exclusive|Shared)(Lite)?$/, '$2'));
  }
  return [...new Set(out)].filter((n) => n !== api);
}

export function releaseEntryFor(acquire: string, table: ReadonlyMap<string, ApiEntry>): ApiEntry | undefined {
  const entry = table.get(acquire);
  for (const name of releaseCandidates(acquire)) {
    const r = table.get(name);
    if (r?.role === 'release' && (!entry?.kind || !r.kind || r.kind === entry.kind)) return r;
  }
  return undefined;
}

/** The release statement matching an acquisition as written, or undefined when we cannot say it for sure. */
function releaseStatement(ctx: Ctx, acquire: Extract<Op, { kind: 'acquire' }>): string | undefined {
  const call = ctx.src.slice(acquire.span);
  if (ctx.language === 'go') {
    const m = /^(.+)\.(R?)Lock\(\)$/s.exec(call);
    return m && /\.R?Lock$/.test(acquire.api) ? `${m[1]}.${m[2]}Unlock()` : undefined;
  }
  const table = ctx.api.c;
  const entry = table.get(acquire.api);
  const release = releaseEntryFor(acquire.api, table);
  const parsed = callArguments(call);
  if (!release || !parsed || parsed.callee !== acquire.api) return undefined;
  let args = parsed.args.filter((_, i) => i !== entry?.subclassArg);
  if (/irqsave/.test(acquire.api)) {
    if (args.length !== 2) return undefined;
  } else if (/^KeAcquireSpinLock$/.test(acquire.api)) {
    if (args.length !== 2 || !args[1].startsWith('&')) return undefined;
    args = [args[0], args[1].slice(1).trim()];
  } else if (args.length > 1) {
    return undefined;
  }
  return `${release.name}(${args.join(', ')});`;
}

// ---------------------------------------------------------------------------------------------
// Placing statements at an exit

/**
 * Edits that make `statements` run in place of the exit statement at `exit` (which they end
 * with, unless they replace it), keeping the block structure: a braceless `if (...) return x;`
 * gets braces.
 */
function replaceExit(ctx: Ctx, fn: FunctionIR, exit: Span, atEnd: boolean, statements: string[]): FixEdit[] | undefined {
  const { src } = ctx;
  const eol = src.eol;
  if (atEnd) {
    // Falls off the end: the exit is the closing brace. Insert at the body's indentation.
    if (src.lines[exit.line].slice(0, exit.col).trim() !== '') return undefined;
    const indent = bodyIndent(src, fn, exit.line);
    return [{ span: point(exit.line, 0), newText: statements.map((s) => `${indent}${s}${eol}`).join('') }];
  }
  const prefix = src.lines[exit.line].slice(0, exit.col);
  const before = codeOnly(src.text.slice(0, src.offset(exit.line, exit.col))).trimEnd();
  const braceless = ctx.language === 'c' && (before.endsWith(')') || /\belse$/.test(before));
  if (prefix.trim() === '') {
    if (!braceless) return [{ span: exit, newText: statements.join(`${eol}${prefix}`) }];
    const at = src.position(before.length);   // just after `)` / `else`
    const outer = src.indentOf(at.line);
    // The closing brace goes after anything trailing the return on its line (a comment).
    return [
      { span: point(at.line, at.col), newText: ' {' },
      { span: exit, newText: statements.join(`${eol}${prefix}`) },
      { span: point(exit.endLine, src.lines[exit.endLine].length), newText: `${eol}${outer}}` },
    ];
  }
  if (braceless) return [{ span: exit, newText: `{ ${statements.join(' ')} }` }];
  if (/[{;}:]$/.test(before)) return [{ span: exit, newText: statements.join(' ') }];
  return undefined;
}

function bodyIndent(src: SourceText, fn: FunctionIR, closingLine: number): string {
  const outer = src.indentOf(closingLine);
  for (let l = fn.span.line + 1; l < closingLine; l++) {
    const t = src.lines[l];
    if (t.trim() === '' || t.trim() === '{') continue;
    const indent = src.indentOf(l);
    if (indent.length > outer.length) return indent;
    break;
  }
  return outer + (ctx_tabs(src) ? '\t' : '    ');
}

function ctx_tabs(src: SourceText): boolean {
  return src.lines.some((l) => l.startsWith('\t'));
}

// ---------------------------------------------------------------------------------------------
// leaked-lock

function leakedLockFixes(ctx: Ctx, hint: Extract<FindingHint, { kind: 'leaked-lock' }>): Fix[] {
  const fn = functionAt(ctx.ir, ctx.finding.span);
  if (!fn) return [];
  const acquire = nodeAt(fn, 'acquire', hint.acquire);
  if (!acquire || acquire.op.try) return [];
  const release = releaseStatement(ctx, acquire.op);
  if (!release) return [];
  const key = acquire.op.lock.path;
  const name = acquire.op.lock.text;

  if (ctx.language === 'go') {
    const deferFix = goDefer(ctx, fn, acquire.index, acquire.op, release);
    if (deferFix) return [deferFix];
  }
  // Only where every path reaching this exit holds the lock: a shared `out:` label reached from
  // both sides of the unlock must not unlock twice.
  if (!hint.everyPathHolds) return [];
  if (ctx.language === 'c') {
    const jump = cGoto(ctx, fn, hint, key);
    if (jump) {
      const edits = replaceExit(ctx, fn, ctx.finding.span, hint.atEnd, jump.statements);
      if (edits) return [{ title: `Jump to ${jump.label} (unlocks ${name})`, isPreferred: true, edits }];
    }
  }
  const returnText = hint.atEnd ? undefined : ctx.src.slice(ctx.finding.span);
  const edits = replaceExit(ctx, fn, ctx.finding.span, hint.atEnd, returnText === undefined ? [release] : [release, returnText]);
  if (!edits) return [];
  const callName = release.replace(/\(.*$/s, '').replace(/^.*\./, '');
  return [{ title: `Release ${name} before ${hint.atEnd ? 'the end of the function' : 'this return'} (${callName})`, isPreferred: true, edits }];
}

/**
 * `defer mu.Unlock()` right after the Lock(), sound when: the lock is taken once, not in a loop;
 * and every explicit unlock is followed only by bookkeeping up to a return (so releasing at the
 * return instead changes nothing another goroutine can see). The explicit unlocks are removed.
 */
function goDefer(ctx: Ctx, fn: FunctionIR, acquireIndex: number, acquire: Extract<Op, { kind: 'acquire' }>, release: string): Fix | undefined {
  const key = acquire.lock.path;
  const touches = (op: Op): boolean => (op.kind === 'acquire' || op.kind === 'release' || op.kind === 'tryfail') && op.lock.path === key;
  if (fn.nodes.some((n, i) => i !== acquireIndex && n.op.kind === 'acquire' && n.op.lock.path === key)) return undefined;
  if (fn.nodes.some((n) => n.op.kind === 'defer' && n.op.ops.some(touches))) return undefined;
  if (reaches(fn, fn.nodes[acquireIndex].succ, acquireIndex)) return undefined;
  const acquireStmt = statementOf(ctx.src, acquire.span, 'go');
  if (!acquireStmt?.alone) return undefined;
  const edits: FixEdit[] = [];
  for (let i = 0; i < fn.nodes.length; i++) {
    const op = fn.nodes[i].op;
    if (op.kind !== 'release' || op.lock.path !== key) continue;
    if (op.mode !== acquire.mode || !onlyBookkeepingToExit(fn, i)) return undefined;
    const stmt = statementOf(ctx.src, op.span, 'go');
    if (!stmt?.alone) return undefined;
    edits.push({ span: { line: stmt.span.line, col: 0, endLine: stmt.span.endLine + 1, endCol: 0 }, newText: '' });
  }
  const indent = ctx.src.indentOf(acquire.span.line);
  const end = acquireStmt.span;
  edits.push({ span: point(end.endLine, ctx.src.lines[end.endLine].length), newText: `${ctx.src.eol}${indent}defer ${release}` });
  return { title: `Add defer ${release} after ${ctx.src.slice(acquire.span)}`, isPreferred: true, edits };
}

/**
 * C goto unwinding: a label that the function already jumps to, followed only by releases of
 * locks held here (ours among them) and a `return` we can reach with the same value.
 */
function cGoto(ctx: Ctx, fn: FunctionIR, hint: Extract<FindingHint, { kind: 'leaked-lock' }>, key: string): { label: string; statements: string[] } | undefined {
  const { src } = ctx;
  const code = codeOnly(src.lines.slice(fn.span.line, fn.span.endLine + 1).join('\n'));
  const lines = code.split('\n');
  const held = new Set(hint.heldAtExit);
  for (let i = 0; i < lines.length; i++) {
    const label = /^\s*([A-Za-z_]\w*)\s*:\s*$/.exec(lines[i])?.[1];
    if (!label || label === 'default' || !new RegExp(`\\bgoto\\s+${label}\\s*;`).test(code)) continue;
    let releasesOurs = false;
    let ret: string | undefined;
    let ok = true;
    for (let j = i + 1; j < lines.length && ok; j++) {
      const t = lines[j].trim();
      if (t === '' || /^[A-Za-z_]\w*\s*:$/.test(t)) continue;
      const r = /^return\b\s*(.*?)\s*;$/.exec(t);
      if (r) {
        ret = r[1];
        break;
      }
      const line = fn.span.line + j;
      const rel = fn.nodes.find((n) => n.op.kind === 'release' && n.op.span.line === line)?.op as Extract<Op, { kind: 'release' }> | undefined;
      if (!rel || !statementOf(src, rel.span, 'c')?.alone || !held.has(rel.lock.path)) ok = false;
      else if (rel.lock.path === key) releasesOurs = true;
    }
    if (!ok || !releasesOurs || ret === undefined) continue;
    const ours = hint.atEnd ? '' : (hint.exitRet ?? '');
    if (ret === ours) return { label, statements: [`goto ${label};`] };
    if (/^[A-Za-z_]\w*$/.test(ret) && ours !== '') return { label, statements: [`${ret} = ${ours};`, `goto ${label};`] };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// double-lock / unlock-not-held: remove the redundant call, when it is redundant on every path

function removeRedundant(ctx: Ctx, kind: 'acquire' | 'release'): Fix[] {
  const fn = functionAt(ctx.ir, ctx.finding.span);
  if (!fn) return [];
  const found = kind === 'acquire' ? nodeAt(fn, 'acquire', ctx.finding.span) : nodeAt(fn, 'release', ctx.finding.span);
  if (!found) return [];
  const states = lockStates(fn, found.op.lock.path);
  if (states[found.index] !== (kind === 'acquire' ? HELD : FREE)) return [];
  // Without the second acquisition, a release that paired with it would find the lock free.
  if (kind === 'acquire') {
    const without = lockStates(fn, found.op.lock.path, found.index);
    const releases = fn.nodes.map((n, i) => (n.op.kind === 'release' && n.op.lock.path === found.op.lock.path ? i : -1)).filter((i) => i >= 0);
    if (releases.some((i) => (without[i] & FREE) !== 0 && (states[i] & FREE) === 0)) return [];
  }
  const stmt = statementOf(ctx.src, found.op.span, ctx.language);
  if (!stmt?.alone) return [];
  const call = ctx.src.slice(found.op.span);
  return [{
    title: kind === 'acquire' ? `Remove the second acquisition ${call}` : `Remove the redundant release ${call}`,
    isPreferred: false,
    edits: [{ span: { line: stmt.span.line, col: 0, endLine: stmt.span.endLine + 1, endCol: 0 }, newText: '' }],
  }];
}

// ---------------------------------------------------------------------------------------------
// lock-order: swap two directly nested acquisitions into the workspace's dominant order

function swapFixes(ctx: Ctx, hint: Extract<FindingHint, { kind: 'lock-order' }>): Fix[] {
  if (hint.threads.length !== 2) return [];
  const t = hint.threads[hint.here];
  const other = hint.threads[1 - hint.here];
  if (t.outer.via || t.inner.via || t.outer.irq !== 'none' || t.inner.irq !== 'none') return [];
  if (hint.counts[1 - hint.here] < hint.counts[hint.here]) return [];   // this is the dominant order
  const fn = functionAt(ctx.ir, t.inner.span);
  if (!fn || fn.name !== t.fn) return [];
  const outer = nodeAt(fn, 'acquire', t.outer.span);
  const inner = nodeAt(fn, 'acquire', t.inner.span);
  if (!outer || !inner || outer.op.try || inner.op.try) return [];
  const outerStmt = statementOf(ctx.src, outer.op.span, ctx.language);
  const innerStmt = statementOf(ctx.src, inner.op.span, ctx.language);
  if (!outerStmt?.alone || !innerStmt?.alone || outerStmt.span.endLine >= innerStmt.span.line) return [];
  const from = ctx.src.offset(outerStmt.span.endLine, outerStmt.span.endCol);
  const to = ctx.src.offset(innerStmt.span.line, innerStmt.span.col);
  const between = codeOnly(ctx.src.text.slice(from, to));
  if (/[{}]/.test(between)) return [];
  // Statements in between may stay (they now run holding the inner lock instead of the outer one)
  // only if they neither use the outer lock's data nor compute the inner lock's address, and call nothing.
  for (const n of fn.nodes) {
    const s = spanOf(n.op) ?? n.span;
    if (!s || n.op.kind === 'assign' || n.op.kind === 'nop' || n.op.kind === 'assume') continue;
    const o = ctx.src.offset(s.line, s.col);
    if (o >= from && o < to) return [];
  }
  if (between.trim() !== '') {
    if (/\(/.test(between)) return [];
    const root = outer.op.lock.root;
    if (root === '' || mentions(between, root)) return [];
    if (identifiers(inner.op.lock.text).some((id) => mentions(between, id))) return [];
  }
  const outerCall = ctx.src.slice(outer.op.span);
  const innerCall = ctx.src.slice(inner.op.span);
  const dominant = hint.counts[1 - hint.here] > hint.counts[hint.here];
  return [{
    title: `Take ${inner.op.lock.text} before ${outer.op.lock.text} (the order ${other.fn}() uses${dominant ? `, ${hint.counts[1 - hint.here]} sites` : ''})`,
    isPreferred: dominant,
    edits: [
      { span: outer.op.span, newText: innerCall },
      { span: inner.op.span, newText: outerCall },
    ],
  }];
}

// ---------------------------------------------------------------------------------------------
// blocking-under-lock: move the call after the unlock that follows it

function moveAfterUnlock(ctx: Ctx): Fix[] {
  const { src, finding } = ctx;
  const fn = functionAt(ctx.ir, finding.span);
  if (!fn) return [];
  const block = nodeAt(fn, 'block', finding.span);
  if (!block) return [];
  const stmt = statementOf(src, block.op.span, ctx.language);
  if (!stmt?.alone) return [];
  // The culprits: related sites "acquired here", each a direct acquisition in this function.
  const culprits: Extract<Op, { kind: 'acquire' }>[] = [];
  for (const r of finding.related) {
    if (r.file !== finding.file) return [];
    const a = nodeAt(fn, 'acquire', r.span);
    if (!a) return [];
    culprits.push(a.op);
  }
  if (culprits.length === 0) return [];
  // What follows must be the releases of every culprit, and nothing else.
  const waiting = new Set(culprits.map((c) => c.lock.path));
  let last = -1;
  for (let line = stmt.span.endLine + 1; line < src.lines.length && waiting.size > 0; line++) {
    if (codeOnly(src.lines[line]).trim() === '') continue;
    const rel = fn.nodes.find((n) => n.op.kind === 'release' && n.op.span.line === line)?.op as Extract<Op, { kind: 'release' }> | undefined;
    if (!rel || !statementOf(src, rel.span, ctx.language)?.alone) return [];
    waiting.delete(rel.lock.path);
    last = line;
  }
  if (waiting.size > 0 || last < 0) return [];
  // The call's operands must not be the locked object nor anything touched inside the section.
  const parsed = callArguments(src.slice(block.op.span));
  if (!parsed) return [];
  const receiver = parsed.callee.includes('.') ? parsed.callee.replace(/\.[^.]*$/, '') : '';
  const ids = identifiers([...parsed.args, receiver].join(' '));
  const start = Math.min(...culprits.map((c) => src.offset(c.span.endLine, c.span.endCol)));
  const region = src.text.slice(start, src.offset(stmt.span.line, stmt.span.col));
  for (const c of culprits) if (c.lock.root !== '' && ids.includes(c.lock.root)) return [];
  if (ids.some((id) => mentions(region, id))) return [];
  const eol = src.eol;
  return [{
    title: `Move ${parsed.callee}() after the unlock`,
    isPreferred: true,
    edits: [
      { span: { line: stmt.span.line, col: 0, endLine: stmt.span.endLine + 1, endCol: 0 }, newText: '' },
      // The whole statement line moves, with a trailing comment.
      { span: point(last + 1, 0), newText: `${src.indentOf(last)}${src.lines.slice(stmt.span.line, stmt.span.endLine + 1).join(eol).trimStart()}${eol}` },
    ],
  }];
}
