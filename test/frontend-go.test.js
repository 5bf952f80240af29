// Go front end: IR shape for small snippets (run after `npx tsc -b server`).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { createParser, createNativeParser } = require('../server/out/syntax/parser.js');
const { lowerGo } = require('../server/out/frontend/go/index.js');
const { buildApiIndex } = require('../server/out/api/index.js');

const api = buildApiIndex();
let wasm;
const native = createNativeParser();

async function lowerWith(parser, text, file = 'pkg/netx/a.go') {
  const tree = parser.parse('go', text);
  try {
    return lowerGo({ file, text, tree, api });
  } finally {
    tree.delete();
  }
}

async function lower(text, file) {
  wasm = wasm || (await createParser('wasm'));
  return lowerWith(wasm, text, file);
}

function fn(ir, name) {
  const f = ir.functions.find((x) => x.name === name);
  assert.ok(f, `function ${name} not found in ${ir.functions.map((x) => x.name).join(', ')}`);
  return f;
}

const ops = (f, kind) => f.nodes.map((n) => n.op).filter((op) => !kind || op.kind === kind);

/** Node index of the first op matching `pred`. */
const find = (f, pred) => f.nodes.findIndex((n) => pred(n.op));

/** Whether `to` is reachable from `from` without passing through a node matching `avoid`. */
function reaches(f, from, to, avoid = () => false) {
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length) {
    const i = stack.pop();
    if (i === to) return true;
    for (const s of f.nodes[i].succ) {
      if (!seen.has(s) && !avoid(f.nodes[s].op)) { seen.add(s); stack.push(s); }
    }
  }
  return false;
}

const HDR = 'package netx\nimport ("sync"; "time"; "log")\n';

test('Lock/Unlock on receiver fields get <pkg>.T.field classes', async () => {
  const ir = await lower(HDR + `
type endpoint struct { mu sync.Mutex; rw *sync.RWMutex; peer *endpoint }
func (e *endpoint) Attach(x int, o *endpoint) {
  e.mu.Lock()
  o.peer.rw.RLock()
  (*e).mu.Unlock()
  o.peer.rw.RUnlock()
}`);
  const f = fn(ir, '(*endpoint).Attach');
  assert.equal(f.receiver, 'e');
  assert.deepEqual(f.params, ['x', 'o']);
  const [a1, a2] = ops(f, 'acquire');
  assert.deepEqual(a1.lock, { text: 'e.mu', path: 'e.mu', root: 'e', cls: 'netx.endpoint.mu', paramIndex: -1 });
  assert.equal(a1.lockKind, 'mutex');
  assert.equal(a1.api, 'sync.Mutex.Lock');
  assert.equal(a2.lock.path, 'o.peer.rw');
  assert.equal(a2.lock.cls, 'netx.endpoint.rw');
  assert.equal(a2.lock.paramIndex, 1);
  assert.equal(a2.mode, 'shared');
  assert.equal(a2.lockKind, 'rwlock');
  const [r1] = ops(f, 'release');
  assert.equal(r1.lock.path, 'e.mu');
  assert.equal(r1.lock.cls, 'netx.endpoint.mu');
  assert.equal(f.incomplete, false);
});

test('embedded mutex, package vars, locals, index paths, untyped receivers', async () => {
  const ir = await lower(HDR + `
type S struct { sync.RWMutex; n int }
type holder struct { items []*S }
var gmu sync.Mutex
func (s S) M(h *holder, i int, l sync.Locker) {
  s.Lock()
  s.RWMutex.Unlock()
  gmu.Lock()
  var mu sync.Mutex
  mu.Lock()
  h.items[i].RLock()
  l.Lock()
  unknown.Wait()
}`);
  const f = fn(ir, 'S.M');
  const acq = ops(f, 'acquire');
  assert.deepEqual(acq.map((a) => [a.lock.path, a.lock.cls]), [
    ['s', 'netx.S'], ['gmu', 'netx.gmu'], ['mu', undefined], ['h.items[]', 'netx.S'], ['l', undefined],
  ]);
  assert.equal(acq[0].lockKind, 'rwlock');
  assert.equal(acq[4].api, 'Lock'); // matched by name only
  const [rel] = ops(f, 'release');
  assert.equal(rel.lock.path, 's');
  assert.equal(rel.lock.cls, 'netx.S');
  // An unknown receiver's Wait() is a plain call, not a block.
  const calls = ops(f, 'call');
  assert.equal(calls.length, 1);
  assert.equal(calls[0].callee, 'Wait');
  assert.equal(ops(f, 'block').length, 0);
});

test('defer mu.Unlock() and deferred closures carry the release', async () => {
  const ir = await lower(HDR + `
type T struct { mu sync.Mutex; wg sync.WaitGroup }
func (t *T) A() { t.mu.Lock(); defer t.mu.Unlock(); t.work() }
func (t *T) B() {
  t.mu.Lock()
  defer func() {
    if r := recover(); r != nil { log.Print(r) }
    t.mu.Unlock()
  }()
  defer t.wg.Done()
}`);
  const a = fn(ir, '(*T).A');
  const [d] = ops(a, 'defer');
  assert.equal(d.ops.length, 1);
  assert.equal(d.ops[0].kind, 'release');
  assert.equal(d.ops[0].lock.cls, 'netx.T.mu');
  assert.deepEqual(ops(a, 'call').map((c) => [c.callee, c.receiver]), [['work', '*T']]);
  const b = fn(ir, '(*T).B');
  const [d1, d2] = ops(b, 'defer');
  assert.deepEqual(d1.ops.map((o) => o.kind), ['release', 'call']);
  assert.equal(d1.ops[0].lock.path, 't.mu');
  assert.equal(d1.ops[0].lock.paramIndex, -1);
  assert.equal(d1.ops[1].callee, '(*T).B.func@8:9');
  assert.deepEqual(d2.ops.map((o) => [o.kind, o.callee]), [['call', 'Done']]);
  // The closure is its own function.
  const lit = fn(ir, '(*T).B.func@8:9');
  assert.equal(ops(lit, 'release')[0].lock.cls, 'netx.T.mu');
});

test('TryLock acquires on the success edge only', async () => {
  const ir = await lower(HDR + `
type T struct { mu sync.Mutex }
func (t *T) A() {
  if t.mu.TryLock() { t.x() }
}
func (t *T) B() {
  if !t.mu.TryLock() { return }
  t.y()
}
func (t *T) C() {
  ok := t.mu.TryLock()
  if !ok { return }
  t.z()
}
func (t *T) D() { t.mu.TryLock() }`);
  for (const [name, callee] of [['(*T).A', 'x'], ['(*T).B', 'y'], ['(*T).C', 'z']]) {
    const f = fn(ir, name);
    const acq = find(f, (op) => op.kind === 'acquire');
    assert.ok(acq > 0, `${name}: acquire`);
    assert.equal(f.nodes[acq].op.api, 'sync.Mutex.TryLock');
    const call = find(f, (op) => op.kind === 'call' && op.callee === callee);
    const ret = f.nodes.findIndex((n) => n.exit === 'return' && n.span && f.nodes.indexOf(n) < call);
    assert.ok(reaches(f, acq, call), `${name}: acquire precedes the success path`);
    // The failure path reaches an exit without the acquire.
    const exits = f.nodes.map((n, i) => (n.exit ? i : -1)).filter((i) => i >= 0);
    assert.ok(exits.some((x) => reaches(f, 0, x, (op) => op.kind === 'acquire')), `${name}: failure path`);
    assert.ok(ret >= -1);
  }
  const c = fn(ir, '(*T).C');
  assert.ok(ops(c, 'assume').some((a) => a.key === 'ok' && a.value === false));
  assert.equal(ops(fn(ir, '(*T).D'), 'acquire').length, 0); // result ignored: nothing
});

test('select with and without default; channel send, receive and range', async () => {
  const ir = await lower(HDR + `
func F(ch chan int, done <-chan struct{}) {
  select { case v := <-ch: use(v); default: }
  select { case <-done: return; case ch <- 1: }
  ch <- 2
  v, ok := <-ch
  for x := range ch { use(x) }
  c2 := make(chan int)
  for range c2 {}
  for _, y := range []int{1} { use(y) }
  _ = v; _ = ok
}`);
  const f = fn(ir, 'F');
  const blocks = ops(f, 'block');
  assert.deepEqual(blocks.map((b) => [b.category, b.api]), [
    ['channel', 'select'], ['channel', 'ch <- 2'], ['channel', '<-ch'], ['channel', 'range ch'], ['channel', 'range c2'],
  ]);
  // The select without default branches: one exit inside it (return), the send case continues.
  const sel = find(f, (op) => op.kind === 'block' && op.api === 'select');
  assert.equal(f.nodes[sel].succ.length, 2);
  assert.ok(ops(f, 'assign').some((a) => a.vars.join() === 'v,ok'));
});

test('go statements spawn literals, functions and methods', async () => {
  const ir = await lower(HDR + `
type srv struct{}
func (s *srv) Run() {
  go func(n int) {
    s.loop(n)
  }(3)
  go worker(1)
  go s.serve()
  go time.Sleep(1)
}`);
  const f = fn(ir, '(*srv).Run');
  assert.deepEqual(ops(f, 'spawn').map((s) => s.target), ['(*srv).Run.func@6:6', 'worker', 'serve', 'time.Sleep']);
  const lit = fn(ir, '(*srv).Run.func@6:6');
  assert.deepEqual(lit.params, ['n']);
  assert.equal(lit.receiver, undefined);
  // Captured receiver keeps its type.
  assert.deepEqual(ops(lit, 'call').map((c) => [c.callee, c.receiver]), [['loop', '*srv']]);
  assert.equal(lit.qualifiedName, 'pkg/netx/a.go:(*srv).Run.func@6:6');
});

test('function and method naming', async () => {
  const ir = await lower(HDR + `
type V struct{}
type G[T any] struct{ mu sync.Mutex }
func (V) Val() {}
func (v *V) Ptr() {}
func (g *G[T]) Gen() { g.mu.Lock() }
func plain(a, b int, _ string, c ...int) {}
var handler = func() {}
func asm()
`);
  assert.deepEqual(ir.functions.map((f) => f.name), ['V.Val', '(*V).Ptr', '(*G).Gen', 'plain', 'handler.func@10:15']);
  assert.equal(fn(ir, 'V.Val').receiver, undefined);
  assert.deepEqual(fn(ir, 'plain').params, ['a', 'b', '_', 'c']);
  assert.equal(fn(ir, '(*V).Ptr').qualifiedName, 'pkg/netx/netx.(*V).Ptr');
  assert.equal(ops(fn(ir, '(*G).Gen'), 'acquire')[0].lock.cls, 'netx.G.mu');
  const p = fn(ir, '(*V).Ptr');
  assert.deepEqual(p.nameSpan, { line: 6, col: 12, endLine: 6, endCol: 15 });
  assert.equal(p.nodes[p.nodes.length - 1].exit, 'return');
});

test('assume keys correlate repeated conditions', async () => {
  const ir = await lower(HDR + `
var mu sync.Mutex
func F(need bool, p *int) {
  if need { mu.Lock() }
  work()
  if (need) { mu.Unlock() }
  if !(p != nil) { return }
  switch x := *p; x { case 1, 2: work(); fallthrough; case 3: default: }
}`);
  const f = fn(ir, 'F');
  const keys = ops(f, 'assume').map((a) => `${a.key}=${a.value}[${a.vars}]`);
  assert.deepEqual(keys, [
    'need=true[need]', 'need=false[need]', 'need=true[need]', 'need=false[need]',
    'p!=nil=false[p]', 'p!=nil=true[p]', 'switch(x)==1,2=true[x]', 'switch(x)==3=true[x]',
  ]);
});

test('returns, panics, fatal calls and fall-off exits', async () => {
  const ir = await lower(HDR + `
import "os"
func F(t *testing.T, x int) int {
  if x == 1 { panic("no") }
  if x == 2 { log.Fatalf("bad %d", x) }
  if x == 3 { t.Fatal("x") }
  if x == 4 { os.Exit(2) }
  if x == 5 { return x + 1 }
  for {
    if x > 9 { break }
    x++
  }
L:
  for i := 0; i < x; i++ {
    for { continue L }
  }
  goto end
end:
}`);
  const f = fn(ir, 'F');
  const exits = f.nodes.filter((n) => n.exit);
  assert.deepEqual(exits.map((n) => n.exit), ['panic', 'panic', 'panic', 'panic', 'return', 'return']);
  assert.equal(exits[4].ret, 'x + 1');
  assert.equal(exits[5].ret, undefined);
  assert.equal(exits[5].span.line, 20); // closing brace
  assert.ok(reaches(f, 0, f.nodes.indexOf(exits[5])), 'fall-off exit reachable through break, continue L and goto');
});

test('sync.Cond.Wait releases the lock the Cond was built with', async () => {
  const ir = await lower(HDR + `
type Q struct { mu sync.Mutex; cond *sync.Cond; wg sync.WaitGroup }
func NewQ() *Q { q := &Q{}; q.cond = sync.NewCond(&q.mu); return q }
func (q *Q) Get() {
  q.mu.Lock()
  for q.empty() { q.cond.Wait() }
  q.mu.Unlock()
  q.wg.Wait()
  time.Sleep(time.Second)
}`);
  const f = fn(ir, '(*Q).Get');
  const blocks = ops(f, 'block');
  assert.equal(blocks[0].category, 'condwait');
  assert.equal(blocks[0].lock.path, 'q.mu');
  assert.equal(blocks[0].lock.cls, 'netx.Q.mu');
  assert.deepEqual(blocks.slice(1).map((b) => [b.category, b.api]), [['wait', 'sync.WaitGroup.Wait'], ['sleep', 'time.Sleep']]);
});

test('calls carry callee, receiver and lock-like arguments', async () => {
  const ir = await lower(HDR + `import "strings"
type conn struct{ mu sync.Mutex }
func newConn() *conn { return &conn{} }
func F(p *conn) {
  c := newConn()
  c.flush(&p.mu, 3, p)
  helper(p.mu, "x")
  strings.TrimSpace(" ")
  x.unknownPkg()
  x := len("a")
  _ = x
}`);
  const f = fn(ir, 'F');
  const calls = ops(f, 'call');
  assert.deepEqual(calls.map((c) => [c.callee, c.receiver]), [
    ['newConn', undefined], ['flush', '*conn'], ['helper', undefined], ['strings.TrimSpace', undefined], ['unknownPkg', 'x'],
  ]);
  assert.deepEqual(calls[1].args.map((a) => a && [a.path, a.cls, a.paramIndex]), [['p.mu', 'netx.conn.mu', 0], null, ['p', undefined, 0]]);
});

test('suppression comments', async () => {
  const ir = await lower(`// locklint-ignore-file lock-order
package netx
func F() {
  // locklint-ignore double-lock, leaked-lock: held by caller
  g() /* locklint-ignore */
}`);
  assert.deepEqual(ir.suppressions, [
    { line: -1, checks: ['lock-order'], reason: '' },
    { line: 3, checks: ['double-lock', 'leaked-lock'], reason: 'held by caller' },
    { line: 4, checks: ['*'], reason: '' },
  ]);
});

test('ERROR nodes: lower what parses and mark the function incomplete', async () => {
  const ir = await lower(HDR + `
var mu sync.Mutex
func Bad() {
  mu.Lock()
  x := ][
  mu.Unlock()
}
func Good() { mu.Lock(); mu.Unlock() }
func (
`);
  const bad = fn(ir, 'Bad');
  assert.equal(bad.incomplete, true);
  assert.equal(ops(bad, 'acquire').length, 1);
  assert.equal(fn(ir, 'Good').incomplete, false);
  assert.ok(ir.problems.length >= 1);
  assert.ok(ir.problems.every((p) => typeof p.message === 'string' && p.span));
});

test('deep nesting does not crash', async () => {
  const depth = 3000;
  const body = 'if x {\n'.repeat(depth) + 'mu.Lock()\n' + '}\n'.repeat(depth);
  const ir = await lower(`package netx\nfunc Deep(x bool) {\n${body}}\n` + 'func Expr() int { return ' + '('.repeat(2000) + 'f()' + ')'.repeat(2000) + ' }\n');
  const deep = fn(ir, 'Deep');
  assert.equal(deep.incomplete, true);
  assert.ok(deep.nodes.length > 500, 'the outer levels are still lowered');
  assert.ok(!ir.problems.some((p) => /could not lower/.test(p.message)), 'stopped by the depth cap, not by the JS stack');
  const expr = fn(ir, 'Expr');
  assert.ok(ops(expr, 'call').some((c) => c.callee === 'f'));
  const chain = 'package netx\nfunc Chain() { x := 1' + ' + g()'.repeat(5000) + '; _ = x }\n';
  const ir2 = await lower(chain);
  assert.equal(ops(fn(ir2, 'Chain'), 'call').length, 5000);
});

test('native and wasm parsers give identical IR', { skip: !native && 'native tree-sitter not available' }, async () => {
  const fs = require('node:fs');
  const path = require('node:path');
  const texts = [HDR + `
type T struct { sync.Mutex; mu sync.RWMutex; ch chan int; cond *sync.Cond }
func (t *T) A(n int) (err error) {
  t.Lock(); defer t.Unlock()
  if ok := t.mu.TryRLock(); !ok { return nil }
  select { case v := <-t.ch: _ = v; case <-time.After(time.Second): }
  go func() { t.ch <- n }()
  switch { case n > 1: t.cond.Wait() }
  return
}`];
  const stdDir = '/usr/share/go-1.19/src/sync';
  if (fs.existsSync(stdDir)) {
    for (const f of fs.readdirSync(stdDir).filter((x) => x.endsWith('.go')).slice(0, 8)) texts.push(fs.readFileSync(path.join(stdDir, f), 'utf8'));
  }
  wasm = wasm || (await createParser('wasm'));
  for (const text of texts) {
    const a = await lowerWith(wasm, text);
    const b = await lowerWith(native, text);
    assert.equal(JSON.stringify(a), JSON.stringify(b));
  }
});
