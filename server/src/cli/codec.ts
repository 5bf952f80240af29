// How a FileEntry travels from a worker thread and lives in the disk cache: a compact "shape table"
// encoding of plain data. Every object is a shape id (its key list, stored once) followed by its
// values; strings go to a table (IR repeats names and lock paths ~10x); small integers stay inline
// in an Int32Array. Decoding rebuilds objects with one generated literal per frequent shape, so they
// get V8's fast literal layout: on kernel IR it is 3-5x faster than JSON.parse and ~6x faster than
// structured clone, and it runs on the main thread, which is where a parallel scan waits.
// Semantics are JSON's (undefined properties dropped, undefined in arrays is null, no identity or
// cycles) except that numbers round-trip exactly. Layout of the bytes:
//   u32 length of meta | meta = JSON [strings, shapes, numbers] | padding to 4 | Int32 tokens
import type { FileEntry } from '../engine';

const NULL = 0;
const TRUE = 1;
const FALSE = 2;
const INT = 3;       // next token: the value
const NUMBER = 4;    // next token: index in the numbers table
const STRING = 5;    // next token: index in the strings table
const ARRAY = 6;     // next token: length, then the elements
const SHAPE0 = 7;    // 7 + shape id, then the values in the shape's key order

interface Trie {
  id?: number;
  next?: Map<string, Trie>;
}

class Writer {
  tokens = new Int32Array(1 << 12);
  n = 0;
  readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  readonly shapes: string[][] = [];
  private readonly shapeRoot: Trie = {};
  readonly numbers: string[] = [];

  push(v: number): void {
    if (this.n === this.tokens.length) {
      const grown = new Int32Array(this.n * 2);
      grown.set(this.tokens);
      this.tokens = grown;
    }
    this.tokens[this.n++] = v;
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        if ((v | 0) === v && !Object.is(v, -0)) { this.push(INT); this.push(v); }
        // As text: JSON would turn -0 into 0 and NaN or Infinity into null.
        else { this.push(NUMBER); this.push(this.numbers.push(Object.is(v, -0) ? '-0' : String(v)) - 1); }
        return;
      case 'string': {
        let id = this.stringIds.get(v);
        if (id === undefined) this.stringIds.set(v, id = this.strings.push(v) - 1);
        this.push(STRING);
        this.push(id);
        return;
      }
      case 'boolean': this.push(v ? TRUE : FALSE); return;
      case 'object':
        if (v === null) return this.push(NULL);
        if (Array.isArray(v)) {
          this.push(ARRAY);
          this.push(v.length);
          for (const x of v) this.value(x === undefined || typeof x === 'function' ? null : x);
          return;
        }
        return this.object(v as Record<string, unknown>);
      default: // undefined, functions, symbols, bigints: what JSON.stringify writes as null
        this.push(NULL);
    }
  }

  private object(o: Record<string, unknown>): void {
    const keys = Object.keys(o);
    let node = this.shapeRoot;
    for (const k of keys) {
      if (skipped(o[k])) continue;
      const next = (node.next ??= new Map());
      let child = next.get(k);
      if (!child) next.set(k, child = {});
      node = child;
    }
    node.id ??= this.shapes.push(keys.filter((k) => !skipped(o[k]))) - 1;
    this.push(SHAPE0 + node.id);
    for (const k of keys) {
      const v = o[k];
      if (!skipped(v)) this.value(v);
    }
  }
}

const skipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

export function encodeEntry(entry: FileEntry): Uint8Array {
  const w = new Writer();
  w.value(entry);
  const meta = Buffer.from(JSON.stringify([w.strings, w.shapes, w.numbers]), 'utf8');
  const at = (4 + meta.length + 3) & ~3;
  const out = new Uint8Array(at + w.n * 4);
  new DataView(out.buffer).setUint32(0, meta.length, true);
  out.set(meta, 4);
  out.set(new Uint8Array(w.tokens.buffer, 0, w.n * 4), at);
  return out;
}

type Maker = (read: () => unknown) => Record<string, unknown>;

/** Compiled object literals per shape, shared by every decode; a shape earns one after a few uses. */
const makers = new Map<string, { uses: number; make?: Maker }>();
const COMPILE_AFTER = 16;

function makerFor(keys: readonly string[]): { uses: number; make?: Maker } {
  const key = keys.join('\0');
  let m = makers.get(key);
  if (!m) makers.set(key, m = { uses: 0 });
  if (!m.make && ++m.uses > COMPILE_AFTER) {
    // `__proto__: x` in a literal would set the prototype; a computed key makes it a property.
    const body = keys.map((k) => (k === '__proto__' ? `["__proto__"]: r()` : `${JSON.stringify(k)}: r()`)).join(', ');
    m.make = new Function('r', `return { ${body} };`) as Maker;
  }
  return m;
}

function decodeValue(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const metaLength = view.getUint32(0, true);
  const [strings, shapes, numbers] = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 4, metaLength).toString('utf8')) as [string[], string[][], string[]];
  const at = (4 + metaLength + 3) & ~3;
  if (at > bytes.byteLength || (bytes.byteLength - at) % 4 !== 0) throw new Error('bad length');
  // An Int32Array needs a 4-aligned offset: cache files read from disk may not give one.
  const aligned = (bytes.byteOffset + at) % 4 === 0 ? bytes : bytes.slice();
  const tokens = new Int32Array(aligned.buffer, aligned.byteOffset + at, (aligned.byteLength - at) / 4);
  const shapeMakers = shapes.map((keys) => ({ keys, m: makerFor(keys) }));
  let i = 0;
  const read = (): unknown => {
    if (i >= tokens.length) throw new Error('truncated');
    const t = tokens[i++];
    switch (t) {
      case NULL: return null;
      case TRUE: return true;
      case FALSE: return false;
      case INT: return tokens[i++];
      case NUMBER: return Number(numbers[tokens[i++]]);
      case STRING: return strings[tokens[i++]];
      case ARRAY: {
        const n = tokens[i++];
        if (n > tokens.length - i) throw new Error('bad array length');
        const a = new Array<unknown>(n);
        for (let k = 0; k < n; k++) a[k] = read();
        return a;
      }
      default: {
        const s = shapeMakers[t - SHAPE0];
        if (!s) throw new Error('bad shape');
        if (s.m.make) return s.m.make(read);
        s.m = makerFor(s.keys);
        const o: Record<string, unknown> = {};
        for (const k of s.keys) {
          if (k === '__proto__') Object.defineProperty(o, k, { value: read(), enumerable: true, writable: true, configurable: true });
          else o[k] = read();
        }
        return o;
      }
    }
  };
  const value = read();
  if (i !== tokens.length) throw new Error('trailing data');
  return value;
}

/** Undefined when the bytes are not an entry for this path and content (corrupt, truncated, foreign). */
export function decodeEntry(bytes: Uint8Array, path: string, hash: string): FileEntry | undefined {
  let value: unknown;
  try {
    value = decodeValue(bytes);
  } catch {
    return undefined;
  }
  return isEntry(value, path, hash) ? value : undefined;
}

function isEntry(v: unknown, path: string, hash: string): v is FileEntry {
  const e = v as FileEntry;
  const ir = e?.ir;
  return typeof e === 'object' && e !== null && e.hash === hash && typeof ir === 'object' && ir !== null
    && ir.file === path && (ir.language === 'c' || ir.language === 'go')
    && Array.isArray(ir.functions) && Array.isArray(ir.suppressions) && Array.isArray(ir.problems);
}
