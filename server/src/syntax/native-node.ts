// A lean node view over the native tree-sitter binding (node-tree-sitter 0.25).
//
// The binding's own SyntaxNode costs 2–4 µs per node handed out: a BigInt id, a defineProperty,
// a Map per child list and a native weak reference per node (`tree._cacheNodes`), and every
// getter (`type`, `startIndex`, ...) is a call into C++. Lowering reads a few million nodes, so
// that overhead was several times the parse itself. This view talks to the binding's
// `NodeMethods` directly: a node is the six words the binding transfers (id, start byte, start
// point, alias), type names and namedness are cached per symbol, start offsets cost nothing,
// and every other answer (end, children, fields, error flags) is fetched once and memoised.
// Nothing here changes what a node says: test/parsers.test.js compares with web-tree-sitter.
import type { Point, SyntaxNode } from './tree';

/** The native binding's internals this view relies on (checked by `nativeBindingOf`). */
export interface NativeBinding {
  NodeMethods: Record<string, (tree: unknown, arg?: unknown) => unknown>;
  nodeTransferArray: Uint32Array;
  pointTransferArray: Uint32Array;
  getNodeFieldNamesById(language: unknown): (string | null)[];
}

const NEEDED_METHODS = ['type', 'typeId', 'isNamed', 'isMissing', 'hasError', 'endIndex', 'endPosition', 'children', 'childForFieldId', 'parent'];

/** The binding object behind `require('tree-sitter')`, when it has the internals this view needs. */
export function nativeBindingOf(treeSitterModuleDir: string): NativeBinding | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const b = require('node-gyp-build')(treeSitterModuleDir) as Partial<NativeBinding>;
    if (!b.NodeMethods || !b.pointTransferArray || typeof b.getNodeFieldNamesById !== 'function') return undefined;
    for (const m of NEEDED_METHODS) if (typeof b.NodeMethods[m] !== 'function') return undefined;
    return b as NativeBinding;
  } catch {
    return undefined;
  }
}

/** Per-language tables: symbol -> type name / namedness (filled on first sight), field name -> id. */
export class NativeLanguageInfo {
  readonly typeNames: (string | undefined)[] = [];
  readonly named: (boolean | undefined)[] = [];
  readonly fieldIds = new Map<string, number>();
  /** C lets `$` into identifiers (a GNU extension the grammar accepts); Go does not. */
  readonly dollarInIdentifiers: boolean;
  /**
   * Which child a field names, learned per node shape (symbol + child symbols): field id -> child
   * index, -1 for none. A shape is one grammar production, and a production puts a field at one
   * position, so the first answer from the binding holds for every node of that shape.
   */
  readonly shapes = new Map<string, Map<number, number>>();

  constructor(readonly binding: NativeBinding, language: unknown, dollarInIdentifiers: boolean) {
    this.dollarInIdentifiers = dollarInIdentifiers;
    const fields = binding.getNodeFieldNamesById(language);
    fields.forEach((name, id) => {
      if (name) this.fieldIds.set(name, id);
    });
  }
}

/** One parsed file: the native tree, its source and its language's tables. */
interface Ctx {
  readonly tree: unknown;
  readonly text: string;
  readonly lang: NativeLanguageInfo;
  readonly m: NativeBinding['NodeMethods'];
  readonly b: NativeBinding;
  /** Offsets where rows start (tree-sitter counts rows by '\n' only), built on first use. */
  lineStarts?: Int32Array;
}

/** Nodes with more children than this ask the binding for fields (their shapes hardly repeat). */
const MAX_SHAPE_CHILDREN = 12;

function lineStartsOf(text: string): Int32Array {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  const starts = new Int32Array(n);
  let k = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
  return starts;
}

/** The row/column of a string offset: what the binding reports, without asking it. */
function pointAt(ctx: Ctx, index: number): Point {
  const starts = (ctx.lineStarts ??= lineStartsOf(ctx.text));
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return { row: lo, column: index - starts[lo] };
}

const UNKNOWN = -1;
const LAST_CHILD = -2;
// errorFlags bits
const HAS_ERROR_KNOWN = 1;
const HAS_ERROR = 2;
const MISSING_KNOWN = 4;
const MISSING = 8;
const CLEAN = HAS_ERROR_KNOWN | MISSING_KNOWN;

class NativeNode implements SyntaxNode {
  private kids: NativeNode[] | undefined;
  private named: NativeNode[] | undefined;
  private end = UNKNOWN;
  private endPos: Point | undefined;
  /** Field lookups so far: field id at even slots, the child (or null) after it. */
  private fieldMemo: (number | NativeNode | null)[] | undefined;
  private errorFlags = 0; // HAS_ERROR_KNOWN | HAS_ERROR | MISSING_KNOWN | MISSING
  private shape: Map<number, number> | undefined;
  /**
   * From the parent's child list: the next sibling's start, or LAST_CHILD (the parent's end is
   * an upper bound: a last visible child can be followed by tokens the grammar hides), or UNKNOWN.
   */
  bound = UNKNOWN;

  constructor(
    private readonly ctx: Ctx,
    private readonly symbol: number,
    private readonly w0: number,
    private readonly w1: number,
    private readonly w2: number,
    private readonly w3: number,
    private readonly w4: number,
    private readonly w5: number,
    private up: NativeNode | null | undefined,
  ) {
    // A node without errors has none below it (and no MISSING token): its children need not ask.
    if (up && up.errorFlags === CLEAN) this.errorFlags = CLEAN;
  }

  /** Puts this node in the binding's transfer buffer: every NodeMethods call reads it from there. */
  private put(): void {
    const t = this.ctx.b.nodeTransferArray;
    t[0] = this.w0;
    t[1] = this.w1;
    t[2] = this.w2;
    t[3] = this.w3;
    t[4] = this.w4;
    t[5] = this.w5;
  }

  private sameNode(o: NativeNode): boolean {
    return o.w0 === this.w0 && o.w1 === this.w1 && o.w2 === this.w2 && o.symbol === this.symbol;
  }

  get type(): string {
    const lang = this.ctx.lang;
    const name = lang.typeNames[this.symbol];
    if (name !== undefined) return name;
    this.put();
    const t = this.ctx.m.type(this.ctx.tree) as string;
    lang.typeNames[this.symbol] = t;
    return t;
  }

  get isNamed(): boolean {
    const lang = this.ctx.lang;
    const n = lang.named[this.symbol];
    if (n !== undefined) return n;
    this.put();
    const v = this.ctx.m.isNamed(this.ctx.tree) as boolean;
    lang.named[this.symbol] = v;
    return v;
  }

  get hasError(): boolean {
    if (!(this.errorFlags & HAS_ERROR_KNOWN) && !this.cleanByAncestor()) {
      this.put();
      // No error here means no MISSING token either (a missing token is an error).
      this.errorFlags = this.ctx.m.hasError(this.ctx.tree) ? this.errorFlags | HAS_ERROR_KNOWN | HAS_ERROR : CLEAN;
    }
    return (this.errorFlags & HAS_ERROR) !== 0;
  }

  get isMissing(): boolean {
    if (!(this.errorFlags & MISSING_KNOWN) && !this.cleanByAncestor()) {
      this.put();
      this.errorFlags |= MISSING_KNOWN | (this.ctx.m.isMissing(this.ctx.tree) ? MISSING : 0);
    }
    return (this.errorFlags & MISSING) !== 0;
  }

  /**
   * Whether an ancestor (or this node) is known to hold no error, which makes this node clean too:
   * answered by walking up, without asking the binding.
   */
  private cleanByAncestor(): boolean {
    let n: NativeNode | null | undefined = this;
    while (n && n.errorFlags !== CLEAN && !(n.errorFlags & HAS_ERROR_KNOWN)) n = n.up;
    if (!n || n.errorFlags !== CLEAN) return false;
    for (let m: NativeNode = this; m !== n; m = m.up!) m.errorFlags = CLEAN;
    return true;
  }

  /**
   * Clean by an ancestor, or else by asking about the topmost ancestor not known to have an
   * error: one question settles a whole function body when the error is elsewhere in the file.
   */
  private cleanAsking(): boolean {
    if (this.errorFlags === CLEAN || this.cleanByAncestor()) return true;
    if (this.errorFlags & HAS_ERROR_KNOWN) return false;
    let top: NativeNode = this;
    while (top.up && !(top.up.errorFlags & HAS_ERROR_KNOWN)) top = top.up;
    return !top.hasError && this.cleanByAncestor();
  }

  /** See `identifierText` in tree.ts. */
  get identifierText(): string {
    // An identifier token is the longest run of identifier characters at its start, unless it is
    // a zero-width MISSING token, which only an erroneous region can hold.
    if (this.end === UNKNOWN && this.cleanAsking()) {
      const t = this.ctx.text;
      const start = this.w2 >>> 1;
      const dollar = this.ctx.lang.dollarInIdentifiers;
      let i = start;
      for (; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || (c === 36 && dollar))) break;
      }
      // Non-ASCII letters and `\u` escapes can continue an identifier: the binding knows.
      const stop = i < t.length ? t.charCodeAt(i) : 0;
      if (i > start && stop < 128 && stop !== 92) this.end = i;
    }
    return this.text;
  }

  // The binding parses UTF-16: byte offsets and columns are twice the string's.
  get startIndex(): number {
    return this.w2 >>> 1;
  }

  get startPosition(): Point {
    return { row: this.w3, column: this.w4 >>> 1 };
  }

  get endIndex(): number {
    if (this.end === UNKNOWN) {
      this.put();
      this.end = this.ctx.m.endIndex(this.ctx.tree) as number;
    }
    return this.end;
  }

  /** See `endIsCheap` in tree.ts. */
  get endIsCheap(): boolean {
    return this.end !== UNKNOWN;
  }

  /** See `endBound` in tree.ts: the end when known, else an offset at or after it. */
  get endBound(): number {
    let n: NativeNode = this;
    while (n.end === UNKNOWN && n.bound === LAST_CHILD && n.up) n = n.up;
    if (n.end !== UNKNOWN) return n.end;
    return n.bound >= 0 ? n.bound : n.endIndex;
  }

  get endPosition(): Point {
    this.endPos ??= pointAt(this.ctx, this.endIndex);
    return { row: this.endPos.row, column: this.endPos.column };
  }

  get text(): string {
    return this.ctx.text.substring(this.w2 >>> 1, this.endIndex);
  }

  /** See `boundedText` in tree.ts. */
  get boundedText(): string {
    return this.ctx.text.substring(this.w2 >>> 1, this.endBound);
  }

  get parent(): SyntaxNode | null {
    if (this.up === undefined) {
      this.put();
      this.up = wrapOne(this.ctx, this.ctx.m.parent(this.ctx.tree), undefined);
    }
    return this.up;
  }

  get children(): readonly NativeNode[] {
    if (!this.kids) {
      this.put();
      this.kids = wrapMany(this.ctx, this.ctx.m.children(this.ctx.tree) as unknown[] | undefined, this);
    }
    return this.kids;
  }

  get namedChildren(): readonly NativeNode[] {
    if (!this.named) {
      const all = this.children;
      const out: NativeNode[] = [];
      for (let i = 0; i < all.length; i++) if (all[i].isNamed) out.push(all[i]);
      this.named = out;
    }
    return this.named;
  }

  get childCount(): number {
    return this.children.length;
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  child(index: number): SyntaxNode | null {
    return this.children[index] ?? null;
  }

  namedChild(index: number): SyntaxNode | null {
    return this.namedChildren[index] ?? null;
  }

  childForFieldName(name: string): SyntaxNode | null {
    const id = this.ctx.lang.fieldIds.get(name);
    if (id === undefined) return null;
    const memo = this.fieldMemo;
    if (memo) {
      for (let i = 0; i < memo.length; i += 2) if (memo[i] === id) return memo[i + 1] as NativeNode | null;
    }
    const found = this.fieldFromShape(id);
    (this.fieldMemo ??= []).push(id, found);
    return found;
  }

  /** The field's child by this node's shape, asking the binding only for a shape's first node. */
  private fieldFromShape(id: number): NativeNode | null {
    const kids = this.children;
    if (kids.length > MAX_SHAPE_CHILDREN) return this.fieldFromBinding(id, kids);
    if (!this.shape) {
      let key = String(this.symbol);
      for (let i = 0; i < kids.length; i++) key += ',' + kids[i].symbol;
      const shapes = this.ctx.lang.shapes;
      this.shape = shapes.get(key);
      if (!this.shape) {
        this.shape = new Map();
        shapes.set(key, this.shape);
      }
    }
    const at = this.shape.get(id);
    if (at !== undefined) return at < 0 ? null : kids[at];
    const found = this.fieldFromBinding(id, kids);
    const index = found ? kids.indexOf(found) : -1;
    if (!found || index >= 0) this.shape.set(id, index);
    return found;
  }

  private fieldFromBinding(id: number, kids: readonly NativeNode[]): NativeNode | null {
    this.put();
    const found = wrapOne(this.ctx, this.ctx.m.childForFieldId(this.ctx.tree, id), this);
    // Hand out the child already known from `children`, so what it memoised is reused.
    if (found) for (const k of kids) if (k.sameNode(found)) return k;
    return found;
  }
}

/** A node from the transfer buffer at `slot` (the binding's answer is its symbol, a cached JS node, or null). */
function wrapAt(ctx: Ctx, value: unknown, slot: number, up: NativeNode | null | undefined): NativeNode | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') {
    const t = ctx.b.nodeTransferArray;
    const o = slot * 6;
    if (t[o] === 0 && t[o + 1] === 0) return null;
    return new NativeNode(ctx, value, t[o], t[o + 1], t[o + 2], t[o + 3], t[o + 4], t[o + 5], up);
  }
  // A node the binding's own API created earlier (its cache answers first): same six words.
  const w = value as Record<number, number>;
  const t = ctx.b.nodeTransferArray;
  for (let i = 0; i < 6; i++) t[i] = w[i];
  const symbol = ctx.m.typeId(ctx.tree) as number;
  return new NativeNode(ctx, symbol, w[0], w[1], w[2], w[3], w[4], w[5], up);
}

function wrapOne(ctx: Ctx, value: unknown, up: NativeNode | null | undefined): NativeNode | null {
  return wrapAt(ctx, value, 0, up);
}

function wrapMany(ctx: Ctx, values: unknown[] | undefined, up: NativeNode): NativeNode[] {
  const out = wrapList(ctx, values, up);
  for (let i = 0; i + 1 < out.length; i++) out[i].bound = out[i + 1].startIndex;
  if (out.length) out[out.length - 1].bound = LAST_CHILD;
  return out;
}

function wrapList(ctx: Ctx, values: unknown[] | undefined, up: NativeNode): NativeNode[] {
  if (!values) return [];
  const out: NativeNode[] = [];
  // Copy every plain answer out of the transfer buffer before a cached one makes another call.
  let slot = 0;
  const pending: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number') {
      const n = wrapAt(ctx, v, slot++, up);
      if (n) out.push(n);
    } else if (v === null || v === undefined) {
      slot++; // the binding writes a null node's (zero) words too
    } else {
      pending.push(out.length);
      out.push(v as unknown as NativeNode);
    }
  }
  for (const i of pending) out[i] = wrapAt(ctx, out[i], 0, up)!;
  return out;
}

/**
 * The root of a native tree as a lean node. `rootNode` is the binding's root (from its public API,
 * which the binding caches): its six words and symbol seed the view.
 */
export function nativeRoot(binding: NativeBinding, lang: NativeLanguageInfo, tree: unknown, rootNode: unknown, text: string): SyntaxNode {
  const ctx: Ctx = { tree, text, lang, m: binding.NodeMethods, b: binding };
  const root = wrapAt(ctx, rootNode, 0, null);
  if (!root) throw new Error('tree-sitter (native) returned a tree without a root');
  root.hasError; // one question for the whole tree: most files answer "no" for every node
  return root;
}
