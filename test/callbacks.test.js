// Callbacks passed to functions that call them now (API role `invoke`) or start them elsewhere
// (`spawn`), bundled and configured: the IR the front ends emit, and what the configured entries
// change in the findings. Run after `npx tsc -b server`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createParser } = require('../server/out/syntax/parser.js');
const { lowerC } = require('../server/out/frontend/c/index.js');
const { lowerGo } = require('../server/out/frontend/go/index.js');
const { buildApiIndex } = require('../server/out/api/index.js');
const { parseConfig, toApiEntries } = require('../server/out/config');
const { CHECK_IDS } = require('../server/out/checks/index');
const { analyzeFiles } = require('./helpers/engine');

let wasm;
test.before(async () => {
  wasm = await createParser('wasm');
});

function lower(lang, text, api = buildApiIndex()) {
  const tree = wasm.parse(lang, text);
  try {
    return (lang === 'c' ? lowerC : lowerGo)({ file: lang === 'c' ? 'drv/x.c' : 'pkg/srv/x.go', text, tree, api });
  } finally {
    tree.delete();
  }
}

const fnNamed = (ir, name) => {
  const f = ir.functions.find((x) => x.name === name);
  assert.ok(f, `${name} not among ${ir.functions.map((x) => x.name).join(', ')}`);
  return f;
};
const calls = (f) => f.nodes.map((n) => n.op).filter((op) => op.kind === 'call' || op.kind === 'spawn');
const brief = (op) => ({
  kind: op.kind, ...(op.callee !== undefined ? { callee: op.callee } : { target: op.target }),
  ...(op.receiver !== undefined ? { receiver: op.receiver } : {}), ...(op.indirect ? { indirect: true } : {}),
  ...(op.context ? { context: op.context } : {}), line: op.span.line,
});

test('C: an invoke entry is its own call, then a call to the callback with no arguments', () => {
  const ir = lower('c', `
struct ops { int (*cmp)(const void *, const void *); };
static int by_id(const void *a, const void *b) { return 0; }
void f(int *v, int n, struct ops *ops, int (*cmp)(const void *, const void *))
{
	qsort(v, n, sizeof(*v), by_id);
	qsort(v, n, sizeof(*v), &by_id);
	qsort(v, n, sizeof(*v), ops->cmp);
	qsort(v, n, sizeof(*v), cmp);
	qsort(v, n);
}
`);
  const f = fnNamed(ir, 'f');
  assert.deepEqual(calls(f).map(brief), [
    { kind: 'call', callee: 'qsort', line: 5 }, { kind: 'call', callee: 'by_id', line: 5 },
    { kind: 'call', callee: 'qsort', line: 6 }, { kind: 'call', callee: 'by_id', line: 6 },
    { kind: 'call', callee: 'qsort', line: 7 }, { kind: 'call', callee: 'cmp', indirect: true, line: 7 },
    // a function-pointer parameter names no known function; a call without the argument has none
    { kind: 'call', callee: 'qsort', line: 8 },
    { kind: 'call', callee: 'qsort', line: 9 },
  ]);
  const ops = calls(f);
  assert.deepEqual(ops[1].args, []);
  assert.equal(ops[0].args.length, 4, 'the registrar keeps its arguments');
});

test('Go: literals, functions, method values; parameters and func variables name nothing', () => {
  const ir = lower('go', `package srv
import ("sort"; "sync"; "path/filepath"; "time")
type S struct { once sync.Once; m sync.Map; xs []int }
func (s *S) init() {}
func helper() {}
func (s *S) Run(f func()) {
	s.once.Do(func() { helper() })
	s.once.Do(s.init)
	s.once.Do(helper)
	s.once.Do(f)
	g := func() {}
	s.once.Do(g)
	sort.Slice(s.xs, func(i, j int) bool { return s.xs[i] < s.xs[j] })
	s.m.Range(func(k, v any) bool { return true })
	filepath.Walk(".", nil)
	time.AfterFunc(time.Second, s.init)
	time.AfterFunc(time.Second, func() {})
}
`);
  const run = fnNamed(ir, '(*S).Run');
  const lit = (line, col) => `(*S).Run.func@${line}:${col}`;
  assert.deepEqual(calls(run).map(brief), [
    { kind: 'call', callee: 'Do', receiver: 'sync.Once', line: 6 }, { kind: 'call', callee: lit(7, 12), line: 6 },
    { kind: 'call', callee: 'Do', receiver: 'sync.Once', line: 7 }, { kind: 'call', callee: 'init', receiver: '*S', line: 7 },
    { kind: 'call', callee: 'Do', receiver: 'sync.Once', line: 8 }, { kind: 'call', callee: 'helper', line: 8 },
    { kind: 'call', callee: 'Do', receiver: 'sync.Once', line: 9 },
    { kind: 'call', callee: 'Do', receiver: 'sync.Once', line: 11 }, { kind: 'call', callee: lit(11, 7), line: 11 },
    { kind: 'call', callee: 'sort.Slice', line: 12 }, { kind: 'call', callee: lit(13, 19), line: 12 },
    { kind: 'call', callee: 'Range', receiver: 'sync.Map', line: 13 }, { kind: 'call', callee: lit(14, 12), line: 13 },
    { kind: 'call', callee: 'path/filepath.Walk', line: 14 },
    { kind: 'spawn', target: 'init', line: 15 },
    { kind: 'spawn', target: lit(17, 30), line: 16 },
  ]);
  // The literal callee is the literal's own function, lowered once.
  for (const [line, col] of [[7, 12], [13, 19], [14, 12], [17, 30]]) fnNamed(ir, lit(line, col));
  assert.equal(ir.functions.filter((x) => x.name === lit(7, 12)).length, 1);
  // A method value calls on its operand: the callee's receiver locks map to `s`.
  const init = calls(run)[3];
  assert.equal(init.receiverRef.path, 's');
  assert.deepEqual(init.args, []);
});

// ---------------------------------------------------------------------------------------------
// Configured callbackFunctions, end to end

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'locklint-callbacks-'));

async function findingsWith(config, name, text) {
  const parsed = parseConfig(JSON.stringify(config), '.locklint.json', CHECK_IDS);
  assert.deepEqual(parsed.problems, []);
  const file = path.join(scratch, name);
  fs.writeFileSync(file, text);
  const result = await analyzeFiles([file], { options: { extraApi: toApiEntries(parsed.config), contexts: parsed.config.contexts } });
  return result.findings.map((f) => `${f.span.line + 1}:${f.check}`).sort();
}

const C_TABLE = `#include <linux/spinlock.h>
static DEFINE_SPINLOCK(tbl_lock);
struct table;
static int drain(int id, void *p, void *data)
{
	msleep(10);
	return 0;
}
void tbl_drain(struct table *t)
{
	spin_lock(&tbl_lock);
	tbl_for_each(t, drain, NULL);
	spin_unlock(&tbl_lock);
}
`;

test('configured runs "now": the callback sleeps under the caller\'s spinlock', async () => {
  assert.deepEqual(await findingsWith({}, 'none.c', C_TABLE), []);
  assert.deepEqual(await findingsWith({ callbackFunctions: [{ name: 'tbl_for_each', argIndex: 1 }] }, 'now.c', C_TABLE), ['12:blocking-under-lock']);
  // The wrong argument names a data pointer, not a function: nothing is called.
  assert.deepEqual(await findingsWith({ callbackFunctions: [{ name: 'tbl_for_each', argIndex: 2 }] }, 'arg2.c', C_TABLE), []);
  // Started on another thread, the callback no longer runs under the lock.
  assert.deepEqual(await findingsWith({ callbackFunctions: [{ name: 'tbl_for_each', argIndex: 1, runs: 'thread' }] }, 'thread.c', C_TABLE), []);
});

test('configured runs "hardirq": the callback is an interrupt entry point', async () => {
  const text = `#include <linux/spinlock.h>
struct dev { spinlock_t lock; int n; };
static struct dev d;
static void on_event(void *data)
{
	spin_lock(&d.lock);
	d.n++;
	spin_unlock(&d.lock);
}
void dev_count(void)
{
	spin_lock(&d.lock);
	d.n = 0;
	spin_unlock(&d.lock);
}
int dev_setup(void)
{
	return hw_register_event(0, on_event, NULL);
}
`;
  assert.deepEqual(await findingsWith({}, 'irq-none.c', text), []);
  assert.deepEqual(await findingsWith({ callbackFunctions: [{ name: 'hw_register_event', argIndex: 1, runs: 'hardirq' }] }, 'irq.c', text), ['12:irq-unsafe']);
  assert.deepEqual(await findingsWith({ callbackFunctions: [{ name: 'hw_register_event', argIndex: 1, runs: 'now' }] }, 'irq-now.c', text), []);
});

test('IPI senders are not bundled as hardirq registrations, but can be configured as such', async () => {
  // Bundled, on_each_cpu() would make every IPI callback an interrupt entry point, and irq-unsafe,
  // which does not see callers' local_irq_save() yet, would flag their irq-off users (mm/slab.c).
  const text = `#include <linux/smp.h>
#include <linux/spinlock.h>
struct cpu_stats { spinlock_t lock; u64 hits; };
static struct cpu_stats stats;
static void flush_stats(void *info)
{
	spin_lock(&stats.lock);
	stats.hits = 0;
	spin_unlock(&stats.lock);
}
void stats_reset(void)
{
	spin_lock(&stats.lock);
	stats.hits = 0;
	spin_unlock(&stats.lock);
}
void stats_flush_all(void)
{
	on_each_cpu(flush_stats, NULL, 1);
}
`;
  assert.deepEqual(await findingsWith({}, 'ipi-none.c', text), []);
  assert.deepEqual(await findingsWith({ callbackFunctions: [{ name: 'on_each_cpu', argIndex: 0, runs: 'hardirq' }] }, 'ipi.c', text), ['13:irq-unsafe']);
});

test('configured Go method of another package: a literal callback orders locks', async () => {
  const text = `package app

import (
	"sync"

	"example.com/registry"
)

type Service struct {
	mu    sync.Mutex
	peers *registry.Table
	peer  *Peer
}

type Peer struct {
	mu  sync.Mutex
	svc *Service
}

func (s *Service) Refresh() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peers.Each(func(name string) {
		s.peer.mu.Lock()
		s.peer.mu.Unlock()
	})
}

func (p *Peer) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.svc.mu.Lock()
	p.svc.mu.Unlock()
}
`;
  assert.deepEqual(await findingsWith({}, 'none.go', text), []);
  assert.deepEqual(
    await findingsWith({ callbackFunctions: [{ name: 'registry.Table.Each', argIndex: 0 }] }, 'each.go', text),
    ['23:lock-order', '32:lock-order'],
  );
});

test('the CLI reads callbackFunctions from the scanned root\'s .locklint.json', () => {
  const { spawnSync } = require('node:child_process');
  const dir = fs.mkdtempSync(path.join(scratch, 'cli-'));
  fs.writeFileSync(path.join(dir, 'tbl.c'), C_TABLE);
  const run = () => {
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'server', 'out', 'cli', 'main.js'), dir, '--format', 'json', '--no-cache', '--threads', '1'], { encoding: 'utf8' });
    return JSON.parse(r.stdout).findings.map((f) => `${path.basename(f.file)}:${f.line}:${f.check}`);
  };
  assert.deepEqual(run(), []);
  fs.writeFileSync(path.join(dir, '.locklint.json'), JSON.stringify({ callbackFunctions: [{ name: 'tbl_for_each', argIndex: 1, runs: 'now' }] }));
  assert.deepEqual(run(), ['tbl.c:12:blocking-under-lock']);
});
