// A strict JSON (RFC 8259) parser that keeps the position of every key and value, so config
// problems can point at the exact spot. JSON.parse only reports a byte offset for the first
// syntax error and nothing for semantic errors, and a dependency (jsonc-parser) is not worth it
// for one small file format.

export interface JsonPos {
  offset: number;
  /** 0-based line and column in UTF-16 code units. */
  line: number;
  col: number;
}

export interface JsonMember {
  key: string;
  keyPos: JsonPos;
  value: JsonNode;
}

export type JsonNode =
  | { type: 'object'; pos: JsonPos; members: JsonMember[] }
  | { type: 'array'; pos: JsonPos; items: JsonNode[] }
  | { type: 'string'; pos: JsonPos; value: string }
  | { type: 'number'; pos: JsonPos; value: number }
  | { type: 'boolean'; pos: JsonPos; value: boolean }
  | { type: 'null'; pos: JsonPos };

export interface JsonSyntaxError {
  message: string;
  pos: JsonPos;
}

export type JsonParseResult = { ok: true; value: JsonNode } | { ok: false; error: JsonSyntaxError };

/** Deeper nesting than this is certainly not a config file; the bound keeps recursion safe. */
const MAX_DEPTH = 256;

/** Thrown inside the parser only; parseJson turns it into a result value. */
class SyntaxFailure extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** Offsets at which each line starts; \r\n, \n and a lone \r all end a line. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x0a || (ch === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) starts.push(i + 1);
  }
  return starts;
}

export function positionAt(starts: readonly number[], offset: number): JsonPos {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { offset, line: lo, col: offset - starts[lo] };
}

export function parseJson(text: string): JsonParseResult {
  const starts = lineStarts(text);
  // A UTF-8 BOM survives some editors' "save as"; it is not part of the JSON text.
  const parser = new Parser(text, text.charCodeAt(0) === 0xfeff ? 1 : 0, (o) => positionAt(starts, o));
  try {
    return { ok: true, value: parser.parseDocument() };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { ok: false, error: { message: e.message, pos: positionAt(starts, e.offset) } };
    throw e;
  }
}

/** Builds a position-less tree from an already parsed value (VS Code settings arrive as objects). */
export function nodeFromValue(value: unknown, depth = 0): JsonNode {
  const pos: JsonPos = { offset: 0, line: 0, col: 0 };
  if (depth > MAX_DEPTH) return { type: 'null', pos };
  if (value === null || value === undefined) return { type: 'null', pos };
  if (typeof value === 'string') return { type: 'string', pos, value };
  if (typeof value === 'number') return { type: 'number', pos, value };
  if (typeof value === 'boolean') return { type: 'boolean', pos, value };
  if (Array.isArray(value)) return { type: 'array', pos, items: value.map((v) => nodeFromValue(v, depth + 1)) };
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([key, v]) => ({ key, keyPos: pos, value: nodeFromValue(v, depth + 1) }));
    return { type: 'object', pos, members };
  }
  return { type: 'null', pos };
}

function describeChar(text: string, offset: number): string {
  if (offset >= text.length) return 'end of input';
  const ch = text[offset];
  const code = ch.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? `character U+${code.toString(16).padStart(4, '0').toUpperCase()}` : `'${ch}'`;
}

class Parser {
  private i: number;

  constructor(
    private readonly text: string,
    start: number,
    private readonly pos: (offset: number) => JsonPos,
  ) {
    this.i = start;
  }

  parseDocument(): JsonNode {
    this.skipWs();
    const value = this.parseValue(0);
    this.skipWs();
    if (this.i < this.text.length) this.fail(`unexpected ${describeChar(this.text, this.i)} after the JSON value`);
    return value;
  }

  private fail(message: string, offset = this.i): never {
    throw new SyntaxFailure(message, offset);
  }

  private unexpected(expected: string): never {
    // Common non-JSON habits get a specific hint.
    const t = this.text;
    if (t[this.i] === '/' && (t[this.i + 1] === '/' || t[this.i + 1] === '*')) this.fail('comments are not allowed in JSON');
    if (t[this.i] === "'") this.fail('strings must use double quotes');
    this.fail(`expected ${expected}, found ${describeChar(this.text, this.i)}`);
  }

  private skipWs(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.i++;
    }
  }

  private parseValue(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const t = this.text;
    const start = this.i;
    const ch = t[this.i];
    if (ch === '{') return this.parseObject(depth);
    if (ch === '[') return this.parseArray(depth);
    if (ch === '"') return { type: 'string', pos: this.pos(start), value: this.parseString() };
    if (ch === '-' || (ch >= '0' && ch <= '9')) return { type: 'number', pos: this.pos(start), value: this.parseNumber() };
    for (const [word, node] of [
      ['true', { type: 'boolean', value: true }],
      ['false', { type: 'boolean', value: false }],
      ['null', { type: 'null' }],
    ] as const) {
      if (t.startsWith(word, this.i)) {
        this.i += word.length;
        return { ...node, pos: this.pos(start) } as JsonNode;
      }
    }
    this.unexpected('a value');
  }

  private parseObject(depth: number): JsonNode {
    const pos = this.pos(this.i);
    const members: JsonMember[] = [];
    this.i++; // {
    this.skipWs();
    if (this.text[this.i] === '}') {
      this.i++;
      return { type: 'object', pos, members };
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.i] !== '"') {
        if (this.text[this.i] === '}' && members.length > 0) this.fail('trailing comma before }');
        this.unexpected('a property name in double quotes');
      }
      const keyPos = this.pos(this.i);
      const key = this.parseString();
      this.skipWs();
      if (this.text[this.i] !== ':') this.unexpected("':' after the property name");
      this.i++;
      this.skipWs();
      members.push({ key, keyPos, value: this.parseValue(depth + 1) });
      this.skipWs();
      if (this.text[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.text[this.i] === '}') {
        this.i++;
        return { type: 'object', pos, members };
      }
      this.unexpected("',' or '}'");
    }
  }

  private parseArray(depth: number): JsonNode {
    const pos = this.pos(this.i);
    const items: JsonNode[] = [];
    this.i++; // [
    this.skipWs();
    if (this.text[this.i] === ']') {
      this.i++;
      return { type: 'array', pos, items };
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.i] === ']' && items.length > 0) this.fail('trailing comma before ]');
      items.push(this.parseValue(depth + 1));
      this.skipWs();
      if (this.text[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.text[this.i] === ']') {
        this.i++;
        return { type: 'array', pos, items };
      }
      this.unexpected("',' or ']'");
    }
  }

  private parseString(): string {
    const t = this.text;
    const open = this.i;
    this.i++; // opening quote
    let out = '';
    let runStart = this.i;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c === 0x22) {
        out += t.slice(runStart, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail(c === 0x0a || c === 0x0d ? 'unterminated string' : `unescaped ${describeChar(t, this.i)} in string`);
      if (c === 0x5c) {
        out += t.slice(runStart, this.i);
        out += this.parseEscape();
        runStart = this.i;
        continue;
      }
      this.i++;
    }
    this.fail('unterminated string', open);
  }

  private parseEscape(): string {
    const t = this.text;
    const esc = t[this.i + 1];
    const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    if (esc !== undefined && esc in simple) {
      this.i += 2;
      return simple[esc];
    }
    if (esc === 'u') {
      const hex = t.slice(this.i + 2, this.i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape: expected 4 hex digits');
      this.i += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    this.fail(`invalid escape '\\${esc ?? ''}' in string`);
  }

  private parseNumber(): number {
    // The JSON number grammar, anchored at the current offset.
    const re = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    re.lastIndex = this.i;
    const m = re.exec(this.text);
    if (!m) this.fail('invalid number');
    const end = this.i + m[0].length;
    const next = this.text[end];
    if (next !== undefined && /[0-9.eE+\-]/.test(next)) this.fail('invalid number', end);
    this.i = end;
    return Number(m[0]);
  }
}
