// Lowers one C function body into the lock-event control-flow graph (docs/dev/ir.md).
//
// The builder keeps `preds`: the nodes whose next successor is the next node emitted. Joins are
// therefore free (concatenate pred lists) and only loops, labels and switches need nop nodes.
// Statements recurse with a depth cap; expressions are walked with an explicit stack.
import type { ApiEntry, ApiIndex } from '../../api/types';
import type { LockRef, Node, Op, Span } from '../../ir/types';
import { boundedText, identifierText, type SyntaxNode } from '../../syntax/tree';
import { assumeKeyOfText, constantTruth, constantTruthOfText, identifiersRead, trylockTest, type AssumeKey, type TrylockOperand } from './conditions';
import { argRefOf, fieldLockRefOf, lockRefOf, pseudoLockRef } from './lockref';
import { compactText, calleeName, firstNamed, lastChild, spanEndingAt, spanEndingWith, INERT_TYPES, isTransparentCall, namedKids, operatorOf, spanOf, STATEMENT_TYPES, stripParens } from './syntax';
import { scanDeclaration, type VarScope } from './var-scope';
import { GuardedFields } from './guarded';
import { definedTestTruth, macroDefinedAt } from './macros';

export interface BuildLimits {
  maxDepth: number;   // statement nesting
  maxNodes: number;   // IR nodes per function
  maxVisits: number;  // syntax nodes visited per function
}

export const DEFAULT_LIMITS: BuildLimits = { maxDepth: 1500, maxNodes: 200_000, maxVisits: 2_000_000 };

export interface BuiltBody {
  nodes: Node[];
  incomplete: boolean;
  /** Why the body is incomplete, for the file's problems list. */
  reason?: string;
}


/**
 * Scope-based lock guards of newer kernels (`guard(spinlock)(&l)`, `scoped_guard(...) { }`): their
 * release happens at scope exit, which this front end does not model; emitting nothing is
 * better than an acquire that is never released.
 */
const GUARD_MACROS = new Set(['guard', 'scoped_guard', 'scoped_cond_guard', 'CLASS', 'no_free_ptr']);


interface Jump {
  kind: 'loop' | 'switch';
  breaks: number[];
  continues: number[];
  // switch only
  dispatch: number;
  prefix: string;
  vars: string[];
  hasDefault: boolean;
}

interface Edges {
  t: number[];
  f: number[];
}

/** A trylock whose result went into a variable that a later condition tests (`ret = down_interruptible(&s)`). */
interface PendingTrylock {
  entry: ApiEntry;
  acquire: Op;
}

const MAX_COND_DEPTH = 256;
/** A call (`f(`, `)(`, `](`) or an assignment (`=`, `+=`, `<<=`, `++`, `--`; not `==`, `<=`...) somewhere in the text. */
const MAY_HAVE_EFFECT = /[\w)\]]\s*\(|(?:^|[^=!<>])=(?!=)|<<=|>>=|\+\+|--/;
/** Conditions that need the syntax tree: short-circuit operators (trylocks are checked separately). */
const NEEDS_TREE = /&&|\|\|/;
/** Nodes whose own handling matters even when their text looks inert. */
const ALWAYS_WALK = new Set(['call_expression', 'assignment_expression', 'update_expression', 'ERROR', 'argument_list']);
const MAX_RET_TEXT = 200;

// Parallel-stack flags for the expression walker.
const PRE = 0;
const POST = 1;
const PRE_IN_ARGS = 2; // a child of an argument/initializer list: ERROR here is a macro argument, not a broken statement

export class CfgBuilder {
  private readonly nodes: Node[] = [{ op: { kind: 'nop' }, succ: [] }];
  private preds: number[] = [0];
  private readonly jumps: Jump[] = [];
  private readonly labels = new Map<string, number>();
  private readonly definedLabels = new Set<string>();
  private readonly pending = new Map<string, PendingTrylock>();
  /**
   * Saved interrupt-state variables (`flags`) -> the entry whose save they hold, by the latest save
   * in source order: a pseudo-lock save (`local_irq_save`) or null for a lock's own (`spin_lock_irqsave`).
   */
  private readonly savedState = new Map<string, ApiEntry | null>();
  private incomplete = false;
  private reason: string | undefined;
  private stopped = false;
  private depth = 0;
  private visits = 0;
  /** Guarded-field bookkeeping (only with `guarded`): write targets and address-of operands, by range. */
  private readonly writeTargets = new Set<string>();
  private readonly notAccessed = new Set<string>();
  /** Locals holding an object this function allocated (not shared yet: no lock needed). */
  private readonly fresh = new Set<string>();
  /** The function body, and the variables it tests for parity (`seq & 1`), found on first need. */
  private body: SyntaxNode | undefined;
  private parityTested: Set<string> | undefined;

  constructor(
    private readonly api: ApiIndex,
    private readonly vars: VarScope,
    /** Matches any tryacquire API name (see `trylockNamePattern`). */
    private readonly trylockNames: RegExp,
    private readonly limits: BuildLimits = DEFAULT_LIMITS,
    /** The fields and globals this file declares guarded: their accesses become `access` ops. */
    private readonly guarded?: GuardedFields,
  ) {}

  /** Lowers a function's compound_statement body; never throws on malformed trees. */
  build(body: SyntaxNode): BuiltBody {
    this.body = body;
    this.lowerStmt(body);
    if (this.preds.length > 0) {
      const kids = body.children;
      const last = kids[kids.length - 1];
      const brace = last && last.type === '}' && !last.isMissing ? last : body;
      this.addExit('return', spanEndingAt(brace, brace));
    }
    for (const name of this.labels.keys()) {
      if (!this.definedLabels.has(name)) this.markIncomplete(`label '${name}' is not defined (inside an unparsable region?)`);
    }
    return { nodes: this.nodes, incomplete: this.incomplete, reason: this.reason };
  }

  // ---- graph primitives -------------------------------------------------------------------

  private markIncomplete(reason: string): void {
    this.incomplete = true;
    this.reason ??= reason;
  }

  private newNode(op: Op): number {
    const id = this.nodes.length;
    this.nodes.push({ op, succ: [] });
    if (id >= this.limits.maxNodes && !this.stopped) {
      this.stopped = true;
      this.markIncomplete('function too large: lowering stopped');
    }
    return id;
  }

  private link(from: readonly number[], to: number): void {
    for (const p of from) this.nodes[p].succ.push(to);
  }

  /** Appends a node after the current preds. */
  private add(op: Op): number {
    const id = this.newNode(op);
    this.link(this.preds, id);
    this.preds = [id];
    return id;
  }

  private addExit(exit: 'return' | 'panic', span: Span, ret?: string): void {
    const id = this.newNode({ kind: 'nop' });
    const node = this.nodes[id];
    node.exit = exit;
    node.span = span;
    if (ret !== undefined) node.ret = ret;
    this.link(this.preds, id);
    this.preds = [];
  }

  /** A node after `from` without touching `preds` (branch edges). */
  private addAfter(from: readonly number[], op: Op): number {
    const id = this.newNode(op);
    this.link(from, id);
    return id;
  }

  private labelNode(name: string): number {
    let id = this.labels.get(name);
    if (id === undefined) {
      id = this.newNode({ kind: 'nop' });
      this.labels.set(name, id);
    }
    return id;
  }

  private innermost(kind: 'loop' | 'switch' | 'any'): Jump | undefined {
    for (let i = this.jumps.length - 1; i >= 0; i--) {
      if (kind === 'any' || this.jumps[i].kind === kind) return this.jumps[i];
    }
    return undefined;
  }

  private pushJump(kind: 'loop' | 'switch', dispatch = -1, prefix = '', vars: string[] = []): Jump {
    const j: Jump = { kind, breaks: [], continues: [], dispatch, prefix, vars, hasDefault: false };
    this.jumps.push(j);
    return j;
  }

  // ---- statements ---------------------------------------------------------------------------

  private lowerStmt(node: SyntaxNode, type: string = node.type): void {
    if (this.stopped) return;
    if (++this.visits > this.limits.maxVisits) {
      this.stopped = true;
      this.markIncomplete('function too large: lowering stopped');
      return;
    }
    if (this.depth >= this.limits.maxDepth) {
      this.markIncomplete('statements nested too deeply: inner blocks skipped');
      return;
    }
    this.depth++;
    this.lowerStmtInner(node, type);
    this.depth--;
  }

  private lowerStmtInner(node: SyntaxNode, type: string): void {
    switch (type) {
      case 'compound_statement':
        this.vars.enterBlock();
        this.lowerSeq(namedKids(node));
        this.vars.leaveBlock();
        return;
      case 'expression_statement': {
        this.noteErrorChildren(node);
        const e = firstNamed(node);
        if (e) this.lowerExpr(e);
        return;
      }
      case 'declaration':
        return this.lowerDeclaration(node);
      case 'if_statement':
        return this.lowerIf(node);
      case 'while_statement':
        return this.lowerWhile(node);
      case 'do_statement':
        return this.lowerDo(node);
      case 'for_statement':
        return this.lowerFor(node);
      case 'switch_statement':
        return this.lowerSwitch(node);
      case 'case_statement':
        return this.lowerCase(node);
      case 'break_statement': {
        const j = this.innermost('any');
        if (j) j.breaks.push(...this.preds);
        this.preds = [];
        return;
      }
      case 'continue_statement': {
        const j = this.innermost('loop');
        if (j) j.continues.push(...this.preds);
        this.preds = [];
        return;
      }
      case 'return_statement':
        return this.lowerReturn(node);
      case 'goto_statement':
        return this.lowerGoto(node);
      case 'labeled_statement':
        return this.lowerLabeled(node);
      case 'attributed_statement': {
        const kids = namedKids(node);
        const inner = kids[kids.length - 1];
        if (inner && inner.type !== 'attribute_declaration') this.lowerStmt(inner);
        return;
      }
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_elif':
      case 'preproc_elifdef':
        return this.lowerPreprocBranch(node);
      case 'preproc_else':
        return this.lowerSeq(namedKids(node));
      case 'seh_try_statement':
        return this.lowerSehTry(node);
      case 'function_definition':
        return this.lowerBlockMacro(node);
      case 'ERROR':
        this.markIncomplete('parts of the body could not be parsed (macros?)');
        return this.lowerSeq(namedKids(node), true);
      default:
        if (INERT_TYPES.has(type)) return;
        // Expressions found at statement level inside recovered regions.
        if (type.endsWith('_expression')) this.lowerExpr(node);
    }
  }

  /** A statement list; `salvage` = the children of an ERROR node, where only whole statements and expressions are kept. */
  private lowerSeq(kids: readonly SyntaxNode[], salvage = false): void {
    // Node types are read once: on web-tree-sitter every `.type` read decodes the type name again.
    const types = kids.map((k) => k.type);
    for (let i = 0; i < kids.length; i++) {
      const kid = kids[i];
      const type = types[i];
      const nextType = types[i + 1];
      if (nextType !== undefined && nextType !== 'ERROR' && STATEMENT_TYPES.has(nextType) && (type === 'expression_statement' || type === 'call_expression')) {
        const loopCall = macroLoopHead(kid, type, nextType === 'compound_statement');
        if (loopCall) {
          this.lowerMacroLoop(loopCall.childForFieldName('arguments'), kids[i + 1], nextType);
          i++;
          continue;
        }
      }
      if (salvage && !STATEMENT_TYPES.has(type)) {
        // Pieces of a misparsed macro statement (declarators, type specifiers): keep the calls inside.
        if (!INERT_TYPES.has(type)) this.lowerExpr(kid);
        continue;
      }
      this.lowerStmt(kid, type);
    }
  }

  /** ERROR directly under a statement means tree-sitter dropped or guessed part of it. */
  private noteErrorChildren(node: SyntaxNode): void {
    if (!node.hasError) return;
    for (const c of node.children) {
      if (c && c.type === 'ERROR') {
        this.markIncomplete('parts of the body could not be parsed (macros?)');
        return;
      }
    }
  }

  private lowerDeclaration(decl: SyntaxNode): void {
    const info = scanDeclaration(decl);
    if (info.macroType) {
      // `for_each_thing(x) stmt;` misparsed as a declaration: keep the calls, flag the function.
      this.markIncomplete('a macro statement was parsed as a declaration');
      this.lowerExpr(decl);
      return;
    }
    if (info.broken) this.markIncomplete('parts of the body could not be parsed (macros?)');
    this.vars.declareAll(info);
    for (const d of info.declarators) {
      if (this.guarded) this.noteFresh(d.name, d.value ?? null);
      if (!d.value) continue;
      this.lowerExpr(d.value);
      this.assigned(d.name, d.value);
    }
  }

  private lowerIf(node: SyntaxNode): void {
    const cond = node.childForFieldName('condition');
    const edges = cond ? this.lowerCond(cond, 0) : { t: this.preds, f: this.preds };
    this.preds = edges.t;
    const then = node.childForFieldName('consequence');
    if (then) this.lowerStmt(then);
    const afterThen = this.preds;
    this.preds = edges.f;
    let alt = node.childForFieldName('alternative');
    if (alt && alt.type === 'else_clause') alt = firstNamed(alt);
    if (alt) this.lowerStmt(alt);
    this.preds = afterThen.concat(this.preds);
  }

  private lowerWhile(node: SyntaxNode): void {
    const header = this.add({ kind: 'nop' });
    const cond = node.childForFieldName('condition');
    const edges = cond ? this.lowerCond(cond, 0) : { t: this.preds, f: [] };
    this.loopBody(node.childForFieldName('body'), edges, header, null);
  }

  private lowerFor(node: SyntaxNode): void {
    this.vars.enterBlock();
    const init = node.childForFieldName('initializer');
    if (init) {
      if (init.type === 'declaration') this.lowerDeclaration(init);
      else this.lowerExpr(init);
    }
    const header = this.add({ kind: 'nop' });
    const cond = node.childForFieldName('condition');
    const edges = cond ? this.lowerCond(cond, 0) : { t: this.preds, f: [] };
    this.loopBody(node.childForFieldName('body'), edges, header, node.childForFieldName('update'));
    this.vars.leaveBlock();
  }

  /** Body on the true edge, back edge (through `update`) to `header`, exit on the false edge and breaks. */
  private loopBody(body: SyntaxNode | null, edges: Edges, header: number, update: SyntaxNode | null, bodyType?: string): void {
    const loop = this.pushJump('loop');
    this.preds = edges.t;
    if (body) this.lowerStmt(body, bodyType);
    this.preds = this.preds.concat(loop.continues);
    if (update) this.lowerExpr(update);
    this.link(this.preds, header);
    this.jumps.pop();
    this.preds = edges.f.concat(loop.breaks);
  }

  private lowerDo(node: SyntaxNode): void {
    const top = this.add({ kind: 'nop' });
    const loop = this.pushJump('loop');
    const body = node.childForFieldName('body');
    if (body) this.lowerStmt(body);
    this.preds = this.preds.concat(loop.continues);
    const cond = node.childForFieldName('condition');
    const edges = cond ? this.lowerCond(cond, 0) : { t: [], f: this.preds };
    this.link(edges.t, top);
    this.jumps.pop();
    this.preds = edges.f.concat(loop.breaks);
  }

  /** `list_for_each_entry(pos, head, member) body`: zero or more iterations of `body`. */
  private lowerMacroLoop(args: SyntaxNode | null, body: SyntaxNode, bodyType: string): void {
    const header = this.add({ kind: 'nop' });
    if (args) this.lowerExpr(args);
    const edges: Edges = { t: this.preds, f: this.preds };
    this.loopBody(body, edges, header, null, bodyType);
  }

  /** `for_each_possible_cpu(cpu) { ... }` (see `blockMacroName`): an iterator like any macro before a block. */
  private lowerBlockMacro(def: SyntaxNode): void {
    const name = blockMacroName(def);
    const body = def.childForFieldName('body');
    // A real nested function is not this body's code: it runs only when called.
    if (name === undefined || !body) return;
    if (GUARD_MACROS.has(name)) return this.lowerStmt(body);
    this.lowerMacroLoop(null, body, body.type);
  }

  private lowerSwitch(node: SyntaxNode): void {
    const cond = node.childForFieldName('condition');
    let prefix = 'switch()';
    let vars: string[] = [];
    if (cond) {
      this.lowerExpr(cond);
      prefix = `switch(${compactText(stripParens(cond).text)})`;
      vars = identifiersRead(cond.text);
    }
    const dispatch = this.add({ kind: 'nop' });
    const sw = this.pushJump('switch', dispatch, prefix, vars);
    this.preds = [];
    const body = node.childForFieldName('body');
    if (body) this.lowerStmt(body);
    this.jumps.pop();
    this.preds = this.preds.concat(sw.breaks);
    if (!sw.hasDefault) this.preds.push(dispatch);
  }

  /** A case label joins the fall-through from the previous case with the dispatch edge. */
  private lowerCase(node: SyntaxNode): void {
    const sw = this.innermost('switch');
    const value = node.childForFieldName('value');
    if (sw) {
      if (value) {
        const key = `${sw.prefix}==${compactText(value.text)}`;
        const a = this.addAfter([sw.dispatch], { kind: 'assume', key, value: true, vars: sw.vars });
        this.preds = this.preds.concat(a);
      } else {
        sw.hasDefault = true;
        this.preds = this.preds.concat(sw.dispatch);
      }
    }
    const stmts = namedKids(node).filter((k) => !value || k.startIndex !== value.startIndex);
    this.lowerSeq(stmts);
  }

  private lowerReturn(node: SyntaxNode): void {
    const value = firstNamed(node);
    if (value) this.lowerExpr(value);
    let ret: string | undefined;
    if (value) {
      const text = value.text;
      ret = text.length > MAX_RET_TEXT ? text.slice(0, MAX_RET_TEXT) : text;
    }
    this.addExit('return', spanEndingAt(node, lastChild(node)), ret);
  }

  private lowerGoto(node: SyntaxNode): void {
    const label = node.childForFieldName('label');
    let computed = !label;
    for (const c of node.children) if (c && (c.type === 'ERROR' || c.type === 'pointer_expression')) computed = true;
    if (computed || !label) {
      // `goto *ptr;`: we cannot tell where it goes; end the path without a leak report.
      this.addExit('panic', spanOf(node));
      return;
    }
    this.link(this.preds, this.labelNode(identifierText(label)));
    this.preds = [];
  }

  private lowerLabeled(node: SyntaxNode): void {
    const label = node.childForFieldName('label');
    if (label) {
      const name = identifierText(label);
      const id = this.labelNode(name);
      this.definedLabels.add(name);
      this.link(this.preds, id);
      this.preds = [id];
    }
    const stmts = namedKids(node).filter((k) => !label || k.startIndex !== label.startIndex);
    this.lowerSeq(stmts);
  }

  /** `#ifdef` inside a body: either branch may be compiled; `#if 0` never is. */
  private lowerPreprocBranch(node: SyntaxNode): void {
    const cond = node.childForFieldName('condition');
    const name = node.childForFieldName('name');
    const alt = node.childForFieldName('alternative');
    const entry = this.preds;
    const truth = this.preprocTruth(node, cond, name);
    const skip = new Set<number>();
    for (const f of [cond, name, alt]) if (f) skip.add(f.startIndex);
    const body = namedKids(node).filter((k) => !skip.has(k.startIndex));
    if (truth !== false) this.lowerSeq(body);
    const afterThen = truth === false ? [] : this.preds;
    this.preds = truth === true ? [] : entry;
    if (alt && truth !== true) this.lowerStmt(alt);
    this.preds = afterThen.concat(this.preds);
  }

  /**
   * A branch condition's value when this file decides it: `#if 0`, or a macro the file itself
   * defines or undefines above unconditionally (`#define final_version` ... `#ifndef final_version`).
   * Undefined keeps both branches: the macro may come from a header or the command line.
   */
  private preprocTruth(node: SyntaxNode, cond: SyntaxNode | null, name: SyntaxNode | null): boolean | undefined {
    const macros = this.vars.file.macros;
    const row = node.startPosition.row;
    if (cond) return constantTruth(cond) ?? definedTestTruth(cond, macros, row);
    if (!name) return undefined;
    const defined = macroDefinedAt(macros, identifierText(name), row);
    if (defined === undefined) return undefined;
    const directive = node.child(0)?.type;
    // `#ifndef` / `#elifndef` take their branch when the name is not defined.
    return directive === '#ifndef' || directive === '#elifndef' ? !defined : defined;
  }

  /** MSVC `__try { } __except (f) { } / __finally { }`: the handler may run after any part of the body. */
  private lowerSehTry(node: SyntaxNode): void {
    const body = node.childForFieldName('body');
    if (body) this.lowerStmt(body);
    for (const clause of namedKids(node)) {
      if (clause.type === 'seh_except_clause') {
        const normal = this.preds;
        const handler = clause.childForFieldName('body');
        if (handler) this.lowerStmt(handler);
        this.preds = normal.concat(this.preds);
      } else if (clause.type === 'seh_finally_clause') {
        const fin = clause.childForFieldName('body');
        if (fin) this.lowerStmt(fin);
      }
    }
  }

  // ---- conditions ---------------------------------------------------------------------------

  /**
   * Lowers a branch condition from the current preds; returns the true and false edges. `whole`:
   * `cond` is the whole condition, or its negation (its truth is the branch taken).
   */
  private lowerCond(cond: SyntaxNode, depth: number, whole = depth === 0): Edges {
    // Most conditions are plain tests: build their key from the text and only walk them for calls.
    const text = cond.text;
    if (!NEEDS_TREE.test(text) && !this.mayTestTrylock(text)) {
      const truth = constantTruthOfText(text);
      if (truth !== undefined) return truth ? { t: this.preds, f: [] } : { t: [], f: this.preds };
      this.lowerExpr(cond);
      return this.branch(assumeKeyOfText(text), identifiersRead(text), undefined);
    }
    const n = stripParens(cond);
    if (depth < MAX_COND_DEPTH) {
      if (n.type === 'unary_expression' && operatorOf(n) === '!') {
        const arg = n.childForFieldName('argument');
        if (arg) {
          const r = this.lowerCond(arg, depth + 1, whole);
          return { t: r.f, f: r.t };
        }
      }
      if (n.type === 'binary_expression') {
        const op = operatorOf(n);
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if ((op === '&&' || op === '||') && left && right) {
          const l = this.lowerCond(left, depth + 1);
          this.preds = op === '&&' ? l.t : l.f;
          const r = this.lowerCond(right, depth + 1);
          const edges = op === '&&' ? { t: r.t, f: l.f.concat(r.f) } : { t: l.t.concat(r.t), f: r.f };
          return whole ? this.assumeWhole(n, edges) : edges;
        }
      }
    }
    const truth = constantTruth(n);
    if (truth !== undefined) return truth ? { t: this.preds, f: [] } : { t: [], f: this.preds };
    return this.lowerLeafCond(n);
  }

  /**
   * `if (a || b) lock(); ... if (a || b) unlock();`: each operand has its own assume, but where
   * the paths that hold the lock (a true; a false and b true) join, the exploration keeps only
   * what they agree on, which is neither operand. One assume of the whole test on each outcome
   * keeps the fact they share. Only for tests without effects: a call or an assignment may give
   * another value when the same text is evaluated again.
   */
  private assumeWhole(n: SyntaxNode, edges: Edges): Edges {
    const text = n.text;
    if (MAY_HAVE_EFFECT.test(text)) return edges;
    const { key, value } = assumeKeyOfText(text);
    const vars = identifiersRead(text);
    return {
      t: edges.t.length > 0 ? [this.addAfter(edges.t, { kind: 'assume', key, value, vars })] : [],
      f: edges.f.length > 0 ? [this.addAfter(edges.f, { kind: 'assume', key, value: !value, vars })] : [],
    };
  }

  private lowerLeafCond(leaf: SyntaxNode): Edges {
    const test = trylockTest(leaf, (operand) => this.trylockOperand(operand));
    this.lowerExpr(leaf, test?.operand.call);
    if (test?.operand.variable) this.pending.delete(test.operand.variable);
    const text = leaf.text;
    return this.branch(assumeKeyOfText(text), identifiersRead(text), test);
  }

  /** True when a condition's text mentions a trylock API or a variable holding a trylock result. */
  private mayTestTrylock(text: string): boolean {
    if (this.trylockNames.test(text)) return true;
    for (const name of this.pending.keys()) if (text.includes(name)) return true;
    return false;
  }

  /** Two `assume` successors of the current preds; a followed trylock's acquire on its success edge. */
  private branch(k: AssumeKey, vars: string[], test: { operand: TrylockOperand; onTrue: boolean } | undefined): Edges {
    const { key, value } = k;
    const from = this.preds;
    let t = this.addAfter(from, { kind: 'assume', key, value, vars });
    let f = this.addAfter(from, { kind: 'assume', key, value: !value, vars });
    if (test) {
      // The lock is held only on the success edge.
      const acq = test.operand.acquire;
      const fail: Op = acq.kind === 'acquire' ? { kind: 'tryfail', lock: acq.lock, api: acq.api, span: acq.span } : { kind: 'nop' };
      if (test.onTrue) {
        t = this.addAfter([t], acq);
        f = this.addAfter([f], fail);
      } else {
        f = this.addAfter([f], acq);
        t = this.addAfter([t], fail);
      }
    }
    this.preds = [];
    return { t: [t], f: [f] };
  }

  /** The trylock a condition operand stands for: the call, `(ret = call)`, or a variable holding its result. */
  private trylockOperand(operand: SyntaxNode): TrylockOperand | undefined {
    if (operand.type === 'call_expression') {
      const hit = this.trylockCall(operand);
      return hit && { entry: hit.entry, acquire: hit.acquire, call: operand };
    }
    if (operand.type === 'assignment_expression' && operatorOf(operand) === '=') {
      const left = operand.childForFieldName('left');
      const right = operand.childForFieldName('right');
      const call = right ? stripParens(right) : null;
      const hit = call && call.type === 'call_expression' ? this.trylockCall(call) : undefined;
      // The call is emitted nowhere else: lowerExpr skips trylock calls it cannot follow.
      return hit && { entry: hit.entry, acquire: hit.acquire, variable: left && left.type === 'identifier' ? identifierText(left) : undefined };
    }
    if (operand.type === 'identifier') {
      const name = identifierText(operand);
      const p = this.pending.get(name);
      return p && { entry: p.entry, acquire: p.acquire, variable: name };
    }
    return undefined;
  }

  private trylockCall(call: SyntaxNode): PendingTrylock | undefined {
    const fn = call.childForFieldName('function');
    if (!fn || fn.type !== 'identifier') return undefined;
    const fnName = identifierText(fn);
    const entry = this.api.c.get(fnName);
    if (!entry || entry.role !== 'tryacquire') return undefined;
    const lock = this.lockArg(entry, call);
    if (!lock) return undefined;
    const acquire: Op = {
      kind: 'acquire', lock, lockKind: entry.kind ?? 'mutex', mode: entry.mode ?? 'exclusive',
      irq: entry.irq ?? 'none', api: fnName, span: spanOf(call),
    };
    // A trylock cannot wait; mutex_lock_interruptible() and friends wait like a plain lock.
    if (!entry.waits) acquire.try = true;
    this.noteStateSave(entry, namedKidsOfArgs(call));
    return { entry, acquire };
  }

  // ---- expressions --------------------------------------------------------------------------

  /**
   * Emits the ops of an expression in evaluation order (arguments before the call). `skipCall`:
   * a trylock call consumed by the enclosing condition (its arguments are still evaluated).
   */
  private lowerExpr(root: SyntaxNode, skipCall?: SyntaxNode): void {
    const stack: SyntaxNode[] = [root];
    const flags: number[] = [PRE];
    while (stack.length > 0) {
      if (this.stopped) return;
      const n = stack.pop()!;
      const flag = flags.pop()!;
      if (flag === POST) {
        this.postExpr(n);
        continue;
      }
      if (++this.visits > this.limits.maxVisits) {
        this.stopped = true;
        this.markIncomplete('function too large: lowering stopped');
        return;
      }
      const type = n.type;
      if (this.guarded && GUARDED_SHAPES.has(type)) this.noteAccess(n, type);
      if (INERT_TYPES.has(type)) continue;
      // Reading node text is far cheaper than walking a subtree (every node access crosses into
      // the parser): a subtree without `(`, `=`, `++`, `--` holds no call and no assignment.
      // The text up to the next sibling answers most "no"s without asking where the node ends.
      if (!ALWAYS_WALK.has(type) && !(MAY_HAVE_EFFECT.test(boundedText(n)) && MAY_HAVE_EFFECT.test(n.text))
        && !(this.guarded && this.guarded.names.test(boundedText(n)) && this.guarded.names.test(n.text))) continue;
      switch (type) {
        case 'compound_statement':
          // GNU statement expression `({ ... })`.
          this.lowerStmt(n);
          continue;
        case 'ERROR':
          if (flag !== PRE_IN_ARGS) this.markIncomplete('parts of the body could not be parsed (macros?)');
          break;
        case 'cast_expression': {
          const v = n.childForFieldName('value');
          if (v) { stack.push(v); flags.push(PRE); }
          continue;
        }
        case 'call_expression': {
          const fn = n.childForFieldName('function');
          const args = n.childForFieldName('arguments');
          if (!(skipCall && n.startIndex === skipCall.startIndex && n.endIndex === skipCall.endIndex) && this.callHasOp(fn)) {
            stack.push(n);
            flags.push(POST);
          }
          if (args) { stack.push(args); flags.push(PRE); }
          if (fn && fn.type !== 'identifier') { stack.push(fn); flags.push(PRE); }
          continue;
        }
        case 'assignment_expression':
        case 'update_expression':
          if (this.guarded) this.markOperand(n.childForFieldName(type === 'assignment_expression' ? 'left' : 'argument'), this.writeTargets);
          stack.push(n);
          flags.push(POST);
          break;
        case 'pointer_expression':
          if (this.guarded && operatorOf(n) === '&') this.markOperand(n.childForFieldName('argument'), this.notAccessed, true);
          break;
      }
      // Children in source order: push in reverse.
      const kids = n.namedChildren;
      const childFlag = type === 'argument_list' || type === 'initializer_list' ? PRE_IN_ARGS : PRE;
      for (let i = kids.length - 1; i >= 0; i--) {
        const k = kids[i];
        if (k && (!INERT_TYPES.has(k.type) || (this.guarded && k.type === 'identifier'))) {
          stack.push(k);
          flags.push(childFlag);
        }
      }
    }
  }

  /** Whether a call gets an op of its own (not likely(), guard macros, unfollowed trylocks, unnamed callees). */
  private callHasOp(fn: SyntaxNode | null): boolean {
    if (!fn) return false;
    const name = calleeName(fn);
    if (!name || isTransparentCall(name) || GUARD_MACROS.has(name)) return false;
    if (fn.type === 'identifier') {
      const entry = this.api.c.get(name);
      if (entry && entry.role === 'tryacquire') return false;
    }
    return true;
  }

  private postExpr(n: SyntaxNode): void {
    if (n.type === 'call_expression') {
      this.emitCall(n);
      return;
    }
    const target = n.type === 'assignment_expression' ? n.childForFieldName('left') : n.childForFieldName('argument');
    const name = target ? assignedName(target) : undefined;
    if (!name) return;
    const value = n.type === 'assignment_expression' && operatorOf(n) === '=' ? n.childForFieldName('right') : null;
    this.assigned(name, value);
  }

  /**
   * `seq = 1;` in a function that tests `seq & 1`: states `seq==1` (an `assume` that holds), so
   * the core knows the parity in the retry's bit test (`if (!(seq & 1)) rcu_read_unlock();`).
   * Zero needs nothing: `truth: false` already says it.
   */
  private noteConstant(name: string, value: SyntaxNode): void {
    const c = integerConstant(value);
    if (c === undefined || !this.body) return;
    this.parityTested ??= parityTestedNames(this.body.text);
    if (this.parityTested.has(name)) this.add({ kind: 'assume', key: `${name}==${c}`, value: true, vars: [name] });
  }

  /** An access op when `n` reads or writes a guarded field or global. */
  private noteAccess(n: SyntaxNode, type: string): void {
    const key = rangeKey(n);
    if (this.notAccessed.has(key)) return;
    const op = this.guarded!.accessOf(n, type, this.vars, this.writeTargets.has(key), this.fresh);
    if (op) this.add(op);
  }

  /**
   * Marks an assignment's target (or `&`'s operand) and the objects it is a member of
   * (`s.inner.x = 1` writes `s.inner`); `throughIndex`: also through `a[i]` (`&e->arr[i]` reads nothing).
   */
  private markOperand(target: SyntaxNode | null, into: Set<string>, throughIndex = false): void {
    let t = target ? stripParens(target) : null;
    for (let i = 0; t && i < 16; i++) {
      into.add(rangeKey(t));
      if (t.type === 'field_expression' && operatorOf(t) === '.') t = t.childForFieldName('argument');
      else if (throughIndex && t.type === 'subscript_expression') t = t.childForFieldName('argument');
      else break;
      if (t) t = stripParens(t);
    }
  }

  private noteFresh(name: string, value: SyntaxNode | null): void {
    if (value && GuardedFields.isAllocation(value)) this.fresh.add(name);
    else this.fresh.delete(name);
  }

  /** An assignment to `name`: forget what it held, remember a trylock result stored in it. */
  private assigned(name: string, value: SyntaxNode | null): void {
    if (this.guarded && this.fresh.size > 0 && !(value && GuardedFields.isAllocation(value))) this.fresh.delete(name);
    else if (this.guarded && value && GuardedFields.isAllocation(value)) this.fresh.add(name);
    this.pending.delete(name);
    const alias = value ? aliasOf(value, name) : undefined;
    const truth = value ? constantTruth(value) ?? (stripParens(value).text === 'NULL' ? false : undefined) : undefined;
    this.add({ kind: 'assign', vars: [name], ...(alias ? { alias } : {}), ...(truth !== undefined ? { truth } : {}) });
    if (!value) return;
    if (truth === true) this.noteConstant(name, value);
    else if (truth === undefined && isNegatedErrno(value)) {
      // `err = -ENOMEM;`: kernel errno codes are positive, so the status is negative from here on.
      this.add({ kind: 'assume', key: `${name}<0`, value: true, vars: [name] });
    }
    const v = stripParens(value);
    if (v.type !== 'call_expression') return;
    const hit = this.trylockCall(v);
    if (hit) this.pending.set(name, hit);
  }

  private emitCall(call: SyntaxNode): void {
    const fn = call.childForFieldName('function');
    if (!fn) return;
    const name = calleeName(fn);
    if (!name) return;
    const argsNode = call.childForFieldName('arguments');
    const args = argsNode ? namedKids(argsNode) : [];
    const span = spanEndingWith(call, argsNode);
    const entry = fn.type === 'identifier' ? this.api.c.get(name) : undefined;
    if (entry && this.emitApi(entry, name, call, args, span)) return;
    const indirect = stripParens(fn).type !== 'identifier';
    this.add({ kind: 'call', callee: name, args: args.map((a) => argRefOf(a, this.vars)), span, ...(indirect ? { indirect } : {}) });
    // Calls that never return (API tables, or declared __noreturn in this file): the path ends
    // there without a leaked-lock report (BUG_ON is not one).
    if (entry?.role === 'noreturn') this.addExit('panic', span);
  }

  /** Ops for a call matching an API table entry; false when it should be an ordinary call. */
  private emitApi(entry: ApiEntry, api: string, call: SyntaxNode, args: SyntaxNode[], span: Span): boolean {
    switch (entry.role) {
      case 'acquire': {
        const lock = this.lockArg(entry, call, args);
        if (!lock) return false;
        this.add({ kind: 'acquire', lock, lockKind: entry.kind ?? 'mutex', mode: entry.mode ?? 'exclusive', irq: entry.irq ?? 'none', api, span, ...(entry.sleepable ? { sleepable: true } : {}) });
        this.noteStateSave(entry, args);
        return true;
      }
      case 'release': {
        const lock = this.lockArg(entry, call, args);
        if (!lock) return false;
        this.add({ kind: 'release', lock, lockKind: entry.kind ?? 'mutex', mode: entry.mode ?? 'exclusive', api, span });
        // `local_irq_save(flags); spin_lock(&l); ... spin_unlock_irqrestore(&l, flags)`: the lock's
        // restore puts back the state the pseudo-lock's save took, so it ends that section too.
        const saver = entry.lock ? undefined : this.stateSaverOf(entry, args);
        if (saver?.lock) {
          this.add({ kind: 'release', lock: pseudoLockRef(saver.lock), lockKind: saver.kind ?? 'irqoff', mode: saver.mode ?? 'exclusive', api, span });
        }
        return true;
      }
      case 'block': {
        const op: Op = { kind: 'block', api, category: entry.category ?? 'sleep', span };
        if (entry.domain) op.domain = entry.domain;
        // condwait: the lock released while waiting; transaction: the (engine) handle it is begun on.
        // synchronize without a fixed domain (synchronize_srcu): the srcu_struct it waits for.
        const argLock = entry.category === 'condwait' || entry.category === 'transaction' || (entry.category === 'synchronize' && !entry.domain);
        if (argLock && entry.arg !== undefined && args[entry.arg]) op.lock = lockRefOf(args[entry.arg], this.vars);
        if (entry.handleArg !== undefined && args[entry.handleArg]) op.handle = lockRefOf(args[entry.handleArg], this.vars);
        this.add(op);
        return true;
      }
      case 'spawn': {
        const target = args[entry.arg ?? 0];
        const name = target ? routineName(target) : undefined;
        if (!name) return false;
        const handle = entry.handleArg !== undefined && args[entry.handleArg] ? { handle: lockRefOf(args[entry.handleArg], this.vars) } : {};
        this.add({ kind: 'spawn', target: name, api, span, ...(entry.context ? { context: entry.context } : {}), ...handle });
        return true;
      }
      case 'invoke': {
        // The registrar stays a call of its own (its body may lock too); then the callback runs here,
        // with the registrar's arguments, none of which the caller can map onto the callback's.
        this.add({ kind: 'call', callee: api, args: args.map((a) => argRefOf(a, this.vars)), span });
        const target = args[entry.arg ?? 0];
        const cb = target ? invokedCallee(target, this.vars) : undefined;
        if (cb) this.add({ kind: 'call', callee: cb.name, args: [], span, ...(cb.indirect ? { indirect: true } : {}) });
        return true;
      }
      case 'tryacquire':
        return true; // result not followed: silence
      default:
        return false;
    }
  }

  /** Records which save the entry's state argument (`flags`) now holds. */
  private noteStateSave(entry: ApiEntry, args: readonly SyntaxNode[]): void {
    const name = entry.stateArg !== undefined ? stateVariable(args[entry.stateArg]) : undefined;
    if (name !== undefined) this.savedState.set(name, entry.lock ? entry : null);
  }

  /** The pseudo-lock save whose state a restore's argument gives back, if that was the latest save. */
  private stateSaverOf(entry: ApiEntry, args: readonly SyntaxNode[]): ApiEntry | undefined {
    const name = entry.stateArg !== undefined ? stateVariable(args[entry.stateArg]) : undefined;
    return name !== undefined ? this.savedState.get(name) ?? undefined : undefined;
  }

  private lockArg(entry: ApiEntry, call: SyntaxNode, args?: SyntaxNode[]): LockRef | undefined {
    if (entry.lock) return pseudoLockRef(entry.lock);
    const list = args ?? namedKidsOfArgs(call);
    const arg = list[entry.arg ?? 0];
    if (!arg) return undefined;
    const ref = entry.field ? fieldLockRefOf(arg, entry.field, this.vars) : lockRefOf(arg, this.vars);
    if (entry.subclassArg !== undefined && list[entry.subclassArg]) ref.subclass = list[entry.subclassArg].text;
    return ref;
  }
}

/** `flags`, `&flags`, `dev->flags`: the saved-state variable an argument names, as compact text. */
function stateVariable(arg: SyntaxNode | undefined): string | undefined {
  if (!arg) return undefined;
  let n = stripParens(arg);
  if (n.type === 'pointer_expression' && operatorOf(n) === '&') {
    const inner = n.childForFieldName('argument');
    if (!inner) return undefined;
    n = stripParens(inner);
  }
  return n.type === 'identifier' || n.type === 'field_expression' ? compactText(n.text) : undefined;
}

/** Node shapes that may read or write a guarded name. */
const GUARDED_SHAPES = new Set(['identifier', 'field_expression', 'pointer_expression', 'subscript_expression']);

function rangeKey(n: SyntaxNode): string {
  return `${n.startIndex}:${n.endIndex}`;
}

function namedKidsOfArgs(call: SyntaxNode): SyntaxNode[] {
  const args = call.childForFieldName('arguments');
  return args ? namedKids(args) : [];
}

/** The variable an assignment or `++` writes when it is a plain identifier (`x = ...`, `(x)++`). */
function assignedName(target: SyntaxNode): string | undefined {
  const t = stripParens(target);
  return t.type === 'identifier' ? identifierText(t) : undefined;
}

/** The function a thread/work routine argument names: `worker`, `&worker`, `ops->run`. */
function routineName(arg: SyntaxNode): string | undefined {
  const n = routineNode(arg);
  if (n?.type === 'identifier') return identifierText(n);
  if (n?.type === 'field_expression') {
    const f = n.childForFieldName('field');
    return f ? identifierText(f) : undefined;
  }
  return undefined;
}

/** A routine argument without its `&`, casts and parentheses. */
function routineNode(arg: SyntaxNode): SyntaxNode | undefined {
  let n = stripParens(arg);
  for (let i = 0; i < 8; i++) {
    if (n.type === 'pointer_expression' || n.type === 'cast_expression') {
      const inner = n.childForFieldName(n.type === 'cast_expression' ? 'value' : 'argument');
      if (!inner) return undefined;
      n = stripParens(inner);
      continue;
    }
    break;
  }
  return n;
}

/**
 * The function an invoked callback argument names. A parameter or local holding a function pointer
 * names no function we know (a same-named function elsewhere would be a guess); `ops->cmp` is an
 * indirect call through that field, resolved like `ops->cmp(a, b)`.
 */
function invokedCallee(arg: SyntaxNode, vars: VarScope): { name: string; indirect: boolean } | undefined {
  const name = routineName(arg);
  if (!name) return undefined;
  if (routineNode(arg)?.type === 'field_expression') return { name, indirect: true };
  const storage = vars.lookup(name).storage;
  return storage === 'param' || storage === 'local' ? undefined : { name, indirect: false };
}

/**
 * Names of iterator macros, for heads whose body is a single statement: there a `;`-less macro
 * call may just as well be a statement macro that brings its own `;` (jffs2's `D1(...)`, bpf's
 * `ATOMIC_ALU_OP(...)`), and only the name tells a loop. Kernel families: `*for_each*`,
 * `skb_queue_walk*`, `skb_rbtree_walk*`, `skb_walk_frags`, `sctp_walk_*`, `do_each_thread` /
 * `while_each_thread`, `do_each_pid_task`, benet's `for_all_*`, `for_next_zone_zonelist_nodemask`,
 * `iterate_lock_classes`, `rbtree_iterate_from_safe`.
 */
const MACRO_LOOP_HEAD = /^\w*(?:for_?each|for_all|for_next|do_each|while_each)\w*\s*\(|^\w*_walk(?:_\w*)?\s*\(|^(?:\w*_)?iterate(?:_\w*)?\s*\(/i;

/**
 * The call of a macro written as a loop head (`list_for_each_entry(...)`, `skb_queue_walk_safe(...)`):
 * an expression statement missing its `;`, before the statement it repeats. Before a block the
 * shape alone says so (a statement macro ending in its own `;` is not followed by `{`, and kernel
 * macros that open a block are iterators); before a single statement the name must say so too.
 */
function macroLoopHead(node: SyntaxNode, type: string, blockFollows: boolean): SyntaxNode | undefined {
  // Text first: it rules out nearly every statement without touching child nodes (the head
  // test looks at a prefix only, so the text up to the next sibling answers it as well).
  if (!blockFollows && !MACRO_LOOP_HEAD.test(boundedText(node))) return undefined;
  const text = node.text;
  if (type === 'expression_statement' && /;\s*$/.test(text)) return undefined;
  const call = type === 'call_expression' ? node : firstNamed(node);
  if (!call || call.type !== 'call_expression') return undefined;
  if (MACRO_LOOP_HEAD.test(text)) return call;
  if (!blockFollows) return undefined;
  // Scoped guards run their block once and are lowered as a plain block (see GUARD_MACROS).
  const fn = call.childForFieldName('function');
  return fn && fn.type === 'identifier' && !GUARD_MACROS.has(identifierText(fn)) ? call : undefined;
}

/**
 * The macro name of `for_each_possible_cpu(cpu) { ... }` inside a body, which tree-sitter reads as
 * a nested function definition (type `for_each_possible_cpu`, declarator `(cpu)`). A GCC nested
 * function has a function declarator instead and gets undefined.
 */
function blockMacroName(def: SyntaxNode): string | undefined {
  const type = def.childForFieldName('type');
  const declarator = def.childForFieldName('declarator');
  if (!type || type.type !== 'type_identifier' || !declarator || declarator.type !== 'parenthesized_declarator') return undefined;
  return identifierText(type);
}

/** One regex for all tryacquire names of an API index: conditions without any need no tree walk. */
export function trylockNamePattern(api: ApiIndex): RegExp {
  const names = [...api.c.values()].filter((e) => e.role === 'tryacquire').map((e) => e.name.replace(/[^\w]/g, ''));
  return names.length > 0 ? new RegExp(`\\b(?:${names.join('|')})\\b`) : /(?!)/;
}

/** `cur = op`, `sbi = EXT4_SB(sb)`: what the variable now names, when that is a plain path or accessor call. */
function aliasOf(value: SyntaxNode, name: string): { from: string; vars: string[] } | undefined {
  let v = stripParens(value);
  // `cxt = &pstore_zone_cxt`: `cxt->lock` is `pstore_zone_cxt.lock` (lock paths spell both with '.').
  if (v.type === 'pointer_expression' && operatorOf(v) === '&') {
    const arg = v.childForFieldName('argument');
    if (!arg) return undefined;
    v = stripParens(arg);
    if (v.type !== 'identifier' && v.type !== 'field_expression') return undefined;
  }
  if (v.type !== 'identifier' && v.type !== 'field_expression' && v.type !== 'call_expression') return undefined;
  // Spelled as lock paths are: fields with '.', a call base as written.
  const from = v.type === 'field_expression' ? compactText(v.text).replace(/->/g, '.') : compactText(v.text);
  if (from.length > 80 || from === name || /[=;{}]/.test(from)) return undefined;
  const vars = [...new Set(from.match(/[A-Za-z_]\w*/g) ?? [])].filter((x) => x !== name);
  return { from, vars };
}

/** `-EINVAL`, `(-ENOENT)`: a negated errno macro. */
function isNegatedErrno(value: SyntaxNode): boolean {
  const v = stripParens(value);
  if (v.type !== 'unary_expression' || operatorOf(v) !== '-') return false;
  const arg = v.childForFieldName('argument');
  return !!arg && arg.type === 'identifier' && /^E[A-Z0-9]{2,}$/.test(arg.text);
}

/** An integer literal, possibly negated (`1`, `0x10u`, `-1`), as compact text. */
function integerConstant(value: SyntaxNode): string | undefined {
  let v = stripParens(value);
  let minus = '';
  if (v.type === 'unary_expression' && operatorOf(v) === '-') {
    const arg = v.childForFieldName('argument');
    if (!arg) return undefined;
    v = stripParens(arg);
    minus = '-';
  }
  if (v.type !== 'number_literal' || !/^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*$/.test(v.text)) return undefined;
  return minus + v.text;
}

/** Names tested for their low bit in a function's text: `seq & 1`, `1 & seq`. */
function parityTestedNames(text: string): Set<string> {
  const names = new Set<string>();
  if (!/&\s*(0[xX]0*)?1\b|\b1[uUlL]*\s*&/.test(text)) return names;
  for (const m of text.matchAll(/([A-Za-z_]\w*)\s*\)?\s*&\s*(?:0[xX]0*)?1[uUlL]*\b/g)) names.add(m[1]);
  for (const m of text.matchAll(/\b(?:0[xX]0*)?1[uUlL]*\s*&\s*([A-Za-z_]\w*)/g)) names.add(m[1]);
  return names;
}
