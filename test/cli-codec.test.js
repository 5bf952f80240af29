'use strict';
// The compact encoding entries travel in (worker -> main thread, disk cache): JSON's semantics for
// plain data, exact numbers, and never an entry for the wrong file or from damaged bytes.
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { encodeEntry, decodeEntry } = require(path.join(__dirname, '..', 'server', 'out', 'cli', 'codec.js'));

const entry = (ir) => ({ hash: 'h1', ir: { file: 'a.c', language: 'c', functions: [], suppressions: [], problems: [], ...ir } });

test('round trip: shapes used often and rarely, strings, numbers, nesting', () => {
  const spans = Array.from({ length: 50 }, (_, i) => ({ line: i, col: i * 2, endLine: i + 1, endCol: 0 }));
  const value = entry({
    functions: [{ name: 'f', nodes: spans.map((span, i) => ({ op: { kind: i % 3 ? 'nop' : 'call', callee: 'ünïcode ✓', args: [null, { text: '&m', path: 'm', root: 'm' }] }, succ: [i + 1], span })) }],
    types: [{ name: 'struct s', fields: { a: 'struct t', b: 'int', 'odd key': '' } }],
    numbers: [0, -1, 2 ** 31, -(2 ** 31) - 1, 1.5, 1e300, Number.MAX_SAFE_INTEGER],
    flags: [true, false, null],
    empty: {}, nested: [[[]]],
  });
  assert.deepStrictEqual(decodeEntry(encodeEntry(value), 'a.c', 'h1'), value);
});

test('JSON semantics for undefined; exact -0 and NaN; __proto__ stays a plain key', () => {
  const decoded = decodeEntry(encodeEntry(entry({ gone: undefined, list: [undefined, 1], z: -0, nan: NaN, odd: JSON.parse('{"__proto__": {"x": 1}}') })), 'a.c', 'h1');
  assert.ok(!('gone' in decoded.ir));
  assert.deepStrictEqual(decoded.ir.list, [null, 1]);
  assert.ok(Object.is(decoded.ir.z, -0));
  assert.ok(Number.isNaN(decoded.ir.nan));
  assert.strictEqual(Object.getPrototypeOf(decoded.ir.odd), Object.prototype);
  assert.deepStrictEqual(Object.keys(decoded.ir.odd), ['__proto__']);
  for (let i = 0; i < 40; i++) { // past the point where the shape gets a compiled literal
    const again = decodeEntry(encodeEntry(entry({ odd: JSON.parse('{"__proto__": {"x": 1}}') })), 'a.c', 'h1');
    assert.strictEqual(Object.getPrototypeOf(again.ir.odd), Object.prototype);
  }
});

test('the wrong file, the wrong content or damaged bytes decode to nothing', () => {
  const bytes = encodeEntry(entry({ functions: [{ name: 'f' }] }));
  assert.ok(decodeEntry(bytes, 'a.c', 'h1'));
  assert.strictEqual(decodeEntry(bytes, 'b.c', 'h1'), undefined);
  assert.strictEqual(decodeEntry(bytes, 'a.c', 'h2'), undefined);
  for (let cut = 0; cut < bytes.length; cut += 3) assert.strictEqual(decodeEntry(bytes.slice(0, cut), 'a.c', 'h1'), undefined, `cut at ${cut}`);
  assert.strictEqual(decodeEntry(new Uint8Array([...bytes, 0, 0, 0, 0]), 'a.c', 'h1'), undefined);
  // Unaligned input (a view into a larger buffer at an odd offset) still decodes.
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  assert.ok(decodeEntry(shifted.subarray(1), 'a.c', 'h1'));
});
