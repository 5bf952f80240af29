'use strict';
// The language server's incremental path (setFile with `incremental`: re-parse from the previous
// tree, reuse the IR of unchanged functions, keep their exploration results) must give exactly
// what a fresh Engine gives on the same text. Random edits — typing, deletions, pasted
// statements, unbalanced braces, struct and ops-table changes, suppressions — each followed by
// a comparison of the IR, the findings and the problems with a from-scratch analysis.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Engine } = require('../server/out/engine');
const { createParser } = require('../server/out/syntax/parser');
const { editBetween } = require('../server/out/syntax/edit');
const { generateC } = require('../bench/gen-c');
const { rng, randomEdit, C_SNIPPETS, C_TOGGLES, GO_SNIPPETS, GO_TOGGLES } = require('./helpers/random-edits');

const FIXTURES = path.join(__dirname, 'fixtures');

/** A plain-data copy of a FileIR (key order of objects does not matter to deepEqual). */
function irOf(engine, file) {
  return JSON.parse(JSON.stringify(engine.getEntry(file)?.ir ?? null));
}

async function runRandomEdits(t, { file, text, snippets, toggles, seed, edits }) {
  const parser = await createParser('wasm');
  const live = await Engine.create({ parser });
  t.after(() => live.dispose());
  const rand = rng(seed);
  const state = { at: Math.floor(text.length / 2) };
  let current = text;
  let settled = 0;
  // First every toggle once each way, with typing in between, then random edits.
  const scripted = toggles.flatMap(([a, b]) => [(x) => x.replace(a, b), (x) => randomEdit(x, rand, snippets, state, []), (x) => x.replace(b, a)]);
  for (let i = 0; i <= edits; i++) {
    if (i > 0) current = i <= scripted.length ? scripted[i - 1](current) : randomEdit(current, rand, snippets, state, toggles);
    let problems = live.setFile(file, current, { incremental: true });
    let result = live.analyze();
    // A tree with syntax errors from an incremental parse may be one of tree-sitter's alternative
    // error recoveries: the server publishes it, then settles (a fresh parse) when typing pauses.
    // Often typing goes on first, so provisional trees are re-parsed incrementally in a row.
    if (live.unsettled) {
      if (i < edits && rand() < 0.6) continue;
      settled++;
      assert.deepEqual(live.settle(), [file]);
      assert.equal(live.unsettled, false);
      result = live.analyze();
      problems = live.getEntry(file).ir.problems;
    }
    const fresh = await Engine.create({ parser });
    const freshProblems = fresh.setFile(file, current);
    const expected = fresh.analyze();
    const where = `seed ${seed}, edit ${i}`;
    assert.deepEqual(problems, freshProblems, `problems differ (${where})`);
    assert.deepEqual(irOf(live, file), irOf(fresh, file), `IR differs (${where})`);
    assert.deepEqual(result, expected, `findings differ (${where})`);
  }
  // Both paths were taken: exact incremental results without a settle, and settled ones.
  assert.ok(settled > 0 && settled < edits, `${settled} of ${edits} edits needed a settle (seed ${seed})`);
}

test('editBetween: one edit from the common prefix and suffix, in UTF-16 units and tree-sitter rows', () => {
  assert.equal(editBetween('abc', 'abc'), undefined);
  assert.deepEqual(editBetween('ab\ncd\nef', 'ab\ncXd\nef'), {
    startIndex: 4, oldEndIndex: 4, newEndIndex: 5,
    startPosition: { row: 1, column: 1 }, oldEndPosition: { row: 1, column: 1 }, newEndPosition: { row: 1, column: 2 },
  });
  // A deleted line: the edit ends on the row after it in the old text.
  assert.deepEqual(editBetween('a\nbb\nc', 'a\nc'), {
    startIndex: 2, oldEndIndex: 5, newEndIndex: 2,
    startPosition: { row: 1, column: 0 }, oldEndPosition: { row: 2, column: 0 }, newEndPosition: { row: 1, column: 0 },
  });
  // Repeated characters: the suffix never overlaps the prefix.
  const e = editBetween('aaaa', 'aa');
  assert.deepEqual([e.startIndex, e.oldEndIndex, e.newEndIndex], [2, 4, 2]);
  // A surrogate pair is never split at either edge.
  const s = editBetween('x😀y', 'x😁y');
  assert.deepEqual([s.startIndex, s.oldEndIndex, s.newEndIndex], [1, 3, 3]);
  assert.deepEqual(s.newEndPosition, { row: 0, column: 3 });
});

test('incremental C analysis equals a fresh one after random edits (exact trees at once, provisional ones once settled)', { timeout: 300000 }, async (t) => {
  const base = generateC(700, 7).text + [
    'irq-unsafe/bad_xmit_vs_hardirq.c', 'missing-required-lock/bad_clang_excludes.c', 'missing-required-lock/bad_sparse_must_hold_after_unlock.c',
  ].map((f) => fs.readFileSync(path.join(FIXTURES, 'c', f), 'utf8')).join('\n');
  for (const seed of [1, 2, 3]) {
    await runRandomEdits(t, { file: 'ws/drv.c', text: base, snippets: C_SNIPPETS, toggles: C_TOGGLES, seed, edits: 120 });
  }
});

test('incremental Go analysis equals a fresh one after random edits (exact trees at once, provisional ones once settled)', { timeout: 300000 }, async (t) => {
  const dir = path.join(FIXTURES, 'go', 'lock-order');
  const bodies = fs.readdirSync(dir).filter((f) => f.endsWith('.go')).sort().slice(0, 6)
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8').replace(/^package .*$/m, '').replace(/^import (\([^)]*\)|.*)$/m, ''));
  const base = `package p\n\nimport (\n\t"sync"\n\t"time"\n)\n${bodies.join('\n')}`;
  for (const seed of [4, 5]) {
    await runRandomEdits(t, { file: 'ws/p/m.go', text: base, snippets: GO_SNIPPETS, toggles: GO_TOGGLES, seed, edits: 120 });
  }
});

test('an edited callee re-explores its unchanged callers: their findings point into its new lines', async () => {
  const parser = await createParser('wasm');
  const live = await Engine.create({ parser });
  const callee = (pad) => `static void take_b(void)\n{\n${pad}\tspin_lock(&b);\n\tspin_unlock(&b);\n}\n`;
  const rest = [
    'static void a_then_b(void)\n{\n\tspin_lock(&a);\n\ttake_b();\n\tspin_unlock(&a);\n}\n',
    'static void b_then_a(void)\n{\n\tspin_lock(&b);\n\tspin_lock(&a);\n\tspin_unlock(&a);\n\tspin_unlock(&b);\n}\n',
  ].join('');
  const head = 'static DEFINE_SPINLOCK(a);\nstatic DEFINE_SPINLOCK(b);\n';
  live.setFile('x.c', head + callee('') + rest, { incremental: true });
  live.analyze();
  // Lines inserted inside the callee above its lock: same summary, new lines. The callers' text
  // (and IR objects) did not change; their related sites into take_b() must still move.
  for (const pad of ['\n', '\n\n\n', '']) {
    const text = head + callee(pad) + rest;
    live.setFile('x.c', text, { incremental: true });
    const fresh = await Engine.create({ parser });
    fresh.setFile('x.c', text);
    const expected = fresh.analyze();
    assert.ok(expected.findings.some((f) => f.related.some((r) => /take_b|spin_lock/.test(r.message))), 'the cycle goes through take_b()');
    assert.deepEqual(live.analyze(), expected);
  }
  live.dispose();
});

test('a file that stops being incremental frees its tree and is analysed from scratch', async () => {
  const parser = await createParser('wasm');
  const engine = await Engine.create({ parser });
  const text = 'static DEFINE_SPINLOCK(a);\nstatic DEFINE_SPINLOCK(b);\nvoid f(void) { spin_lock(&a); spin_lock(&b); spin_unlock(&b); spin_unlock(&a); }\n';
  const swapped = 'void g(void) { spin_lock(&b); spin_lock(&a); spin_unlock(&a); spin_unlock(&b); }\n';
  engine.setFile('x.c', text, { incremental: true });
  engine.setFile('x.c', text + swapped, { incremental: true });
  assert.deepEqual(engine.analyze().findings.map((f) => f.check), ['lock-order', 'lock-order']);
  // The document is closed: the disk copy (without g) replaces it, no tree is kept.
  engine.setFile('x.c', text);
  assert.deepEqual(engine.analyze().findings, []);
  engine.setFile('x.c', text + swapped, { incremental: true });
  assert.equal(engine.analyze().findings.length, 2);
  engine.removeFile('x.c');
  assert.deepEqual(engine.analyze().findings, []);
  engine.dispose();
});
