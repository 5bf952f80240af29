'use strict';
// Quick fixes, ESLint RuleTester style: each test/fixtures/quickfix/<lang>/<name>.<ext> marks the
// reporting line with `// fix: <check-id>`; `<name>.<ext>.fixed` holds the exact text after applying
// the first fix offered for that finding. No `.fixed` file means "no fix offered", asserted as such.
// After a fix the finding is gone, no new finding of that check appears, and the file parses with
// no more ERROR nodes than before.
// LOCKLINT_UPDATE_FIXED=1 writes the .fixed files from today's output (review the diff!).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Engine } = require('../server/out/engine');
const { fixesFor, applyEdits } = require('../server/out/fixes/index');
const { parserFor } = require('./helpers/engine');

const DIR = path.join(__dirname, 'fixtures', 'quickfix');
const UPDATE = process.env.LOCKLINT_UPDATE_FIXED === '1';

function cases() {
  const out = [];
  for (const lang of fs.readdirSync(DIR).sort()) {
    const dir = path.join(DIR, lang);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      if (/\.(c|go)$/.test(name)) out.push({ lang, name, file: path.join(dir, name) });
    }
  }
  return out;
}

async function analyse(file, text) {
  const engine = await Engine.create({ parser: await parserFor('wasm') });
  engine.setFile(file, text);
  return { engine, result: engine.analyze() };
}

function errorNodes(parser, language, text) {
  const tree = parser.parse(language, text);
  let count = 0;
  const walk = (n) => {
    if (n.type === 'ERROR' || n.isMissing) count++;
    for (const c of n.children) if (c) walk(c);
  };
  walk(tree.rootNode);
  tree.delete();
  return count;
}

/** The finding a fixture points at, and the fixes offered for it. */
async function fixesForFixture(file, text) {
  const lines = text.split('\n');
  const marked = lines.findIndex((l) => /\/\/ fix: [a-z-]+/.test(l));
  assert.ok(marked >= 0, `${file}: no "// fix: <check>" marker`);
  const check = /\/\/ fix: ([a-z-]+)/.exec(lines[marked])[1];
  const { engine, result } = await analyse(file, text);
  const finding = result.findings.find((f) => f.check === check && f.span.line === marked);
  assert.ok(finding, `${file}:${marked + 1}: expected a ${check} finding there; got ${result.findings.map((f) => `${f.check}@${f.span.line + 1}`).join(', ') || 'none'}`);
  const ir = engine.getEntry(file).ir;
  return { engine, check, finding, fixes: fixesFor({ finding, text, ir, api: engine.apiIndex }), before: result };
}

for (const c of cases()) {
  test(`quick fix ${c.lang}/${c.name}`, async () => {
    const text = fs.readFileSync(c.file, 'utf8');
    const expectedFile = `${c.file}.fixed`;
    const { engine, check, finding, fixes, before } = await fixesForFixture(c.file, text);
    if (UPDATE) {
      if (fixes.length > 0) fs.writeFileSync(expectedFile, applyEdits(text, fixes[0].edits));
      else if (fs.existsSync(expectedFile)) fs.unlinkSync(expectedFile);
    }
    if (!fs.existsSync(expectedFile)) {
      assert.deepEqual(fixes.map((f) => f.title), [], 'no fix offered');
      return;
    }
    assert.ok(fixes.length > 0, `a fix for ${check} is offered`);
    const fixed = applyEdits(text, fixes[0].edits);
    assert.equal(fixed, fs.readFileSync(expectedFile, 'utf8'));
    // Exactly the expected text; now it must also be right.
    const { result } = await analyse(c.file, fixed);
    assert.ok(!result.findings.some((f) => f.fingerprint === finding.fingerprint && f.check === check), 'the finding is gone');
    const count = (r) => r.findings.filter((f) => f.check === check).length;
    assert.ok(count(result) < count(before), `fewer ${check} findings after the fix`);
    const added = result.findings.filter((f) => !before.findings.some((b) => b.check === f.check));
    assert.deepEqual(added.map((f) => `${f.check}@${f.span.line + 1}`), [], 'no new kind of finding');
    const language = c.lang === 'go' ? 'go' : 'c';
    assert.ok(errorNodes(engine.parser, language, fixed) <= errorNodes(engine.parser, language, text), 'no new ERROR nodes');
  });
}

test('release names come from the API tables', async () => {
  const { releaseEntryFor } = require('../server/out/fixes/index');
  const engine = await Engine.create({ parser: await parserFor('wasm') });
  const c = engine.apiIndex.c;
  const pairs = {
    spin_lock_irqsave: 'spin_unlock_irqrestore', spin_lock_bh: 'spin_unlock_bh', spin_lock_nested: 'spin_unlock',
    mutex_lock_interruptible: 'mutex_unlock', pthread_mutex_lock: 'pthread_mutex_unlock', pthread_rwlock_rdlock: 'pthread_rwlock_unlock',
    down_read: 'up_read', rcu_read_lock: 'rcu_read_unlock', KeAcquireSpinLock: 'KeReleaseSpinLock',
    AcquireSRWLockExclusive: 'ReleaseSRWLockExclusive', EnterCriticalSection: 'LeaveCriticalSection', ebpf_epoch_enter: 'ebpf_epoch_exit',
    KeAcquireSpinLockAtDpcLevel: 'KeReleaseSpinLockFromDpcLevel', ExAcquireResourceExclusiveLite: 'ExReleaseResourceLite',
  };
  for (const [acquire, release] of Object.entries(pairs)) {
    if (!c.has(acquire)) continue; // a table without it
    assert.equal(releaseEntryFor(acquire, c)?.name, release, acquire);
  }
});
