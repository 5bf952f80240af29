// The C front end: tree-sitter-c syntax -> lock-event IR (docs/dev/ir.md).
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { createParser, createNativeParser } = require('../server/out/syntax/parser.js');
const { lowerC } = require('../server/out/frontend/c/index.js');
const { buildApiIndex } = require('../server/out/api/index.js');

const api = buildApiIndex();
let wasm;
const native = createNativeParser();

test.before(async () => {
  wasm = await createParser('wasm');
});

function lower(src, parser = wasm, file = 'drv/x.c') {
  const tree = parser.parse('c', src);
  try {
    return lowerC({ file, text: src, tree, api });
  } finally {
    tree.delete();
  }
}

function fn(ir, name) {
  const f = ir.functions.find((x) => x.name === name);
  assert.ok(f, `function ${name} lowered (have ${ir.functions.map((x) => x.name).join(', ')})`);
  return f;
}

const ops = (f, kind) => f.nodes.map((n, i) => ({ ...n.op, index: i })).filter((o) => o.kind === kind);

/** Node indices reachable from `from` without passing through nodes for which `stop` holds. */
function reachable(f, from, stop = () => false) {
  const seen = new Set([from]);
  const work = [from];
  while (work.length > 0) {
    const i = work.pop();
    for (const s of f.nodes[i].succ) {
      if (seen.has(s) || stop(f.nodes[s], s)) continue;
      seen.add(s);
      work.push(s);
    }
  }
  return seen;
}

const exitsReached = (f, from, stop) =>
  [...reachable(f, from, stop)].filter((i) => f.nodes[i].exit).map((i) => f.nodes[i].exit + ':' + (f.nodes[i].ret ?? ''));

test('acquire/release carry normalised paths and classes', () => {
  const ir = lower(`
static DEFINE_SPINLOCK(glock);
extern struct mutex ext_lock;
struct priv { struct mutex mutex; };
struct dev { spinlock_t lock; struct priv *priv; spinlock_t locks[4]; };
typedef struct dev dev_t;
static int f(struct dev *d, dev_t *g, struct dev tbl[]) {
  spinlock_t local;
  unsigned long flags;
  spin_lock_irqsave(&d->lock, flags);
  mutex_lock(&d->priv->mutex);
  spin_lock(&g->lock);
  spin_lock(&tbl[i].lock);
  spin_lock_nested(&d->locks[2], SINGLE_DEPTH_NESTING);
  spin_lock(&glock);
  mutex_lock(&ext_lock);
  mutex_lock(&undeclared_lock);
  spin_lock(&local);
  spin_lock(&((struct dev *)p)->lock);
  rcu_read_lock();
  rcu_read_unlock();
  spin_unlock_irqrestore(&(d->lock), flags);
  return 0;
}`);
  const f = fn(ir, 'f');
  assert.strictEqual(f.qualifiedName, 'drv/x.c:f');
  assert.strictEqual(f.isStatic, true);
  assert.deepStrictEqual(f.params, ['d', 'g', 'tbl']);
  const acq = ops(f, 'acquire').map((o) => [o.lock.text, o.lock.path, o.lock.root, o.lock.cls, o.lock.paramIndex, o.lockKind, o.irq]);
  assert.deepStrictEqual(acq, [
    ['&d->lock', 'd.lock', 'd', 'struct dev.lock', 0, 'spin', 'irq'],
    ['&d->priv->mutex', 'd.priv.mutex', 'd', 'struct priv.mutex', 0, 'mutex', 'none'],
    ['&g->lock', 'g.lock', 'g', 'dev_t.lock', 1, 'spin', 'none'],
    ['&tbl[i].lock', 'tbl[].lock', 'tbl', 'struct dev.lock', 2, 'spin', 'none'],
    // A constant index names one element (path), all elements share the class.
    ['&d->locks[2]', 'd.locks[2]', 'd', 'struct dev.locks[]', 0, 'spin', 'none'],
    ['&glock', 'glock', 'glock', 'static:drv/x.c:glock', undefined, 'spin', 'none'],
    ['&ext_lock', 'ext_lock', 'ext_lock', 'global:ext_lock', undefined, 'mutex', 'none'],
    ['&undeclared_lock', 'undeclared_lock', 'undeclared_lock', 'global:undeclared_lock', undefined, 'mutex', 'none'],
    ['&local', 'local', 'local', undefined, undefined, 'spin', 'none'],
    ['&((struct dev *)p)->lock', 'p.lock', 'p', 'struct dev.lock', undefined, 'spin', 'none'],
    ['rcu', 'rcu', 'rcu', 'global:rcu', undefined, 'rcu', 'none'],
  ]);
  assert.strictEqual(ops(f, 'acquire')[4].lock.subclass, 'SINGLE_DEPTH_NESTING');
  const rel = ops(f, 'release').map((o) => [o.api, o.lock.path, o.lock.cls]);
  assert.deepStrictEqual(rel, [['rcu_read_unlock', 'rcu', 'global:rcu'], ['spin_unlock_irqrestore', 'd.lock', 'struct dev.lock']]);
});

test('calls: callee names, lock-shaped arguments, function pointers, blocks, spawns, noreturn', () => {
  const ir = lower(`
int g(struct dev *d) {
  helper(&d->lock, 5, d, GFP_KERNEL, foo(x));
  d->ops->release(d);
  (*fp)(d);
  pthread_cond_wait(&d->cv, &d->m);
  msleep(10);
  synchronize_rcu();
  pthread_create(&t, NULL, worker, d);
  if (bad) BUG();
  BUG_ON(d == NULL);
  return 0;
}
int proto(int x);`);
  assert.deepStrictEqual(ir.functions.map((f) => f.name), ['g']);
  const f = fn(ir, 'g');
  assert.strictEqual(f.qualifiedName, 'g');
  const calls = ops(f, 'call');
  assert.deepStrictEqual(calls.map((c) => c.callee), ['foo', 'helper', 'release', 'fp', 'BUG', 'BUG_ON']);
  const helper = calls[1];
  assert.deepStrictEqual(helper.args.map((a) => a && [a.path, a.cls, a.paramIndex]), [['d.lock', 'struct dev.lock', 0], null, ['d', undefined, 0], null, null]);
  const blocks = ops(f, 'block');
  assert.deepStrictEqual(blocks.map((b) => [b.api, b.category, b.lock && b.lock.path, b.domain]), [
    ['pthread_cond_wait', 'condwait', 'd.m', undefined],
    ['msleep', 'sleep', undefined, undefined],
    ['synchronize_rcu', 'synchronize', undefined, 'rcu'],
  ]);
  assert.deepStrictEqual(ops(f, 'spawn').map((s) => s.target), ['worker']);
  // BUG() ends its path as a panic; BUG_ON() is an ordinary call.
  const bug = calls[4].index;
  assert.deepStrictEqual(exitsReached(f, bug), ['panic:']);
  assert.ok(exitsReached(f, calls[5].index).includes('return:0'));
});

test('goto unwinding: every path from the acquire to a return passes the unlock', () => {
  const ir = lower(`
int probe(struct dev *d) {
  int err;
  spin_lock(&d->lock);
  err = setup(d);
  if (err)
    goto out_unlock;
  if (!d->ready) {
    err = -EINVAL;
    goto out_unlock;
  }
  work(d);
out_unlock:
  spin_unlock(&d->lock);
  return err;
}`);
  const f = fn(ir, 'probe');
  const acq = ops(f, 'acquire')[0].index;
  const isRelease = (n) => n.op.kind === 'release';
  assert.deepStrictEqual(exitsReached(f, acq, isRelease), [], 'no exit reachable while holding the lock');
  assert.deepStrictEqual(exitsReached(f, acq), ['return:err']);
  const ret = f.nodes.find((n) => n.exit === 'return');
  assert.deepStrictEqual(ret.span, { line: 14, col: 2, endLine: 14, endCol: 13 });
  // Assignments to whole variables only.
  assert.deepStrictEqual(ops(f, 'assign').map((a) => a.vars), [['err'], ['err']]);
});

test('trylock: acquire only on the success edge, for every supported form', () => {
  const forms = {
    plain: 'if (spin_trylock(&l)) { work(); spin_unlock(&l); return 0; } return 1;',
    negated: 'if (!spin_trylock(&l)) return 1; work(); spin_unlock(&l); return 0;',
    unlikely: 'if (unlikely(!spin_trylock(&l))) return 1; work(); spin_unlock(&l); return 0;',
    eqZero: 'if (pthread_mutex_trylock(&l) == 0) { work(); pthread_mutex_unlock(&l); return 0; } return 1;',
    neZero: 'if (pthread_mutex_trylock(&l) != 0) return 1; work(); pthread_mutex_unlock(&l); return 0;',
    viaVariable: 'int ret; ret = mutex_lock_interruptible(&l); if (ret) return 1; work(); mutex_unlock(&l); return 0;',
    viaInit: 'int ret = mutex_lock_interruptible(&l); if (ret < 0) return 1; work(); mutex_unlock(&l); return 0;',
    zeroSuccess: 'if (mutex_lock_interruptible(&l)) return 1; work(); mutex_unlock(&l); return 0;',
    assignInCond: 'if ((err = down_interruptible(&l))) return 1; work(); up(&l); return 0;',
    assignCompared: 'if ((err = down_trylock(&l)) != 0) return 1; work(); up(&l); return 0;',
    andChain: 'if (need && spin_trylock(&l)) { work(); spin_unlock(&l); return 0; } return 1;',
  };
  for (const [name, body] of Object.entries(forms)) {
    const f = fn(lower(`int t(void) { ${body} }`), 't');
    const acqs = ops(f, 'acquire');
    assert.strictEqual(acqs.length, 1, `${name}: one acquire`);
    // Interruptible/killable locks sleep until they get the lock: not trylocks for lock order.
    const waits = /interruptible|killable/.test(body);
    assert.strictEqual(acqs[0].try, waits ? undefined : true, `${name}: ${waits ? 'a waiting acquire' : 'marked as a trylock'}`);
    assert.strictEqual(acqs[0].lock.path, 'l', name);
    assert.deepStrictEqual(exitsReached(f, acqs[0].index), ['return:0'], `${name}: success edge`);
    const fails = ops(f, 'tryfail');
    assert.strictEqual(fails.length, 1, `${name}: one failure edge`);
    assert.deepStrictEqual(exitsReached(f, fails[0].index), ['return:1'], `${name}: failure edge`);
    assert.strictEqual(ops(f, 'call').filter((c) => /lock|down/.test(c.callee)).length, 0, `${name}: no call op for the trylock`);
  }
  // A result we cannot follow emits nothing.
  const f = fn(lower('int t(void) { foo(spin_trylock(&l)); return spin_trylock(&m); }'), 't');
  assert.deepStrictEqual(ops(f, 'acquire'), []);
  assert.deepStrictEqual(ops(f, 'call').map((c) => c.callee), ['foo']);
});

test('assume keys are normalised and shared by correlated branches', () => {
  const f = fn(lower(`
void c(struct dev *d, int need) {
  if (need) spin_lock(&d->lock);
  work();
  if (need) spin_unlock(&d->lock);
  if (!( d->flags )) a();
  if (p == NULL) b();
  if (0 != q) e();
  if (likely(r)) h();
  if ((x & MASK) == 0) k();
}`), 'c');
  const keys = ops(f, 'assume').map((a) => `${a.key}=${a.value}`);
  assert.deepStrictEqual(keys, [
    'need=true', 'need=false', 'need=true', 'need=false',
    'd->flags=false', 'd->flags=true', 'p=false', 'p=true', 'q=true', 'q=false', 'r=true', 'r=false',
    'x&MASK=false', 'x&MASK=true',
  ]);
  assert.deepStrictEqual(ops(f, 'assume')[4].vars, ['d']);
  // Both successors of a test start with an assume.
  const test0 = f.nodes.findIndex((n) => n.succ.length === 2);
  assert.deepStrictEqual(f.nodes[test0].succ.map((s) => f.nodes[s].op.kind), ['assume', 'assume']);
});

test('switch: fall-through, default, break and case keys', () => {
  const f = fn(lower(`
void s(int n) {
  switch (n) {
  case 1:
    one();
  case 2:
    two();
    break;
  default:
    other();
  }
  after();
}`), 's');
  const calls = Object.fromEntries(ops(f, 'call').map((c) => [c.callee, c.index]));
  const succOf = (i) => f.nodes[i].succ;
  assert.deepStrictEqual(succOf(calls.one), [calls.two], 'case 1 falls through into case 2');
  assert.deepStrictEqual(succOf(calls.two), [calls.after], 'break leaves the switch');
  assert.deepStrictEqual(succOf(calls.other), [calls.after]);
  const keys = ops(f, 'assume').map((a) => a.key);
  assert.deepStrictEqual(keys, ['switch(n)==1', 'switch(n)==2']);
  // With a default there is no direct edge from the dispatch to the code after the switch.
  const dispatch = f.nodes.findIndex((n) => n.succ.length === 3);
  assert.ok(dispatch > 0);
  assert.ok(!f.nodes[dispatch].succ.includes(calls.after));
});

test('loops: break/continue, do-while, infinite loops and list_for_each macros', () => {
  const f = fn(lower(`
void l(struct dev *d) {
  for (i = 0; i < n; i++) { if (skip(i)) continue; if (stop(i)) break; body(i); }
  do { again(); } while (cond());
  while (1) { if (done()) break; spin(); }
  list_for_each_entry(pos, &d->list, node) {
    if (pos->x) break;
    visit(pos);
  }
  end();
}`), 'l');
  const calls = Object.fromEntries(ops(f, 'call').map((c) => [c.callee, c.index]));
  // continue goes back through the update (`i++`) to the loop test, which can reach `again`.
  assert.ok(reachable(f, calls.body).has(calls.skip), 'back edge');
  assert.ok(reachable(f, calls.again).has(calls.again), 'do-while loops');
  assert.ok(reachable(f, calls.visit).has(calls.visit), 'macro loop loops');
  assert.ok(reachable(f, calls.spin).has(calls.end));
  // `while (1)` leaves only through break.
  const afterSpin = reachable(f, calls.spin, (n, i) => i === calls.done);
  assert.ok(!afterSpin.has(calls.end) || reachable(f, calls.done).has(calls.end));
  assert.deepStrictEqual(ops(f, 'call').map((c) => c.callee), ['skip', 'stop', 'body', 'again', 'cond', 'done', 'spin', 'visit', 'end']);
  assert.strictEqual(f.incomplete, false);
});

test('guard() and scoped_guard() are ignored rather than mis-modelled', () => {
  const f = fn(lower(`
void g(struct dev *d) {
  guard(spinlock)(&d->lock);
  scoped_guard(mutex, &d->m) { work(); }
}`), 'g');
  assert.deepStrictEqual(ops(f, 'acquire'), []);
  assert.deepStrictEqual(ops(f, 'call').map((c) => c.callee), ['work']);
});

test('ERROR regions: functions are still lowered (incomplete) and hidden definitions are found', () => {
  const ir = lower(`
void broken(void) {
  foo(;
  mutex_lock(&m);
  for_each_console(con)
    if (con->flags & CON_BOOT)
      unregister_console(con);
  mutex_unlock(&m);
}
int macro_args(struct dev *d) {
  struct dev *x = container_of(p, struct dev, node);
  spin_lock(&x->lock);
  spin_unlock(&x->lock);
  return 0;
}
@@@ garbage $$$ {
static int hidden(struct dev *d) { spin_lock(&d->lock); spin_unlock(&d->lock); return 0; }
`);
  const b = fn(ir, 'broken');
  assert.strictEqual(b.incomplete, true);
  assert.deepStrictEqual(ops(b, 'acquire').map((o) => o.lock.path), ['m']);
  assert.deepStrictEqual(ops(b, 'release').map((o) => o.lock.path), ['m']);
  assert.ok(ops(b, 'call').some((c) => c.callee === 'unregister_console'), 'calls salvaged from the ERROR node');
  assert.ok(ir.problems.some((p) => p.message.startsWith('broken:')));
  // An ERROR inside a macro's argument list (a type name) does not make the function incomplete.
  const m = fn(ir, 'macro_args');
  assert.strictEqual(m.incomplete, false);
  assert.strictEqual(ops(m, 'acquire')[0].lock.cls, 'struct dev.lock');
  const h = fn(ir, 'hidden');
  assert.strictEqual(h.qualifiedName, 'drv/x.c:hidden');
  assert.strictEqual(ops(h, 'acquire').length, 1);
});

test('deep nesting does not overflow the stack', () => {
  const depth = 5000;
  const src = `void deep(void) { spin_lock(&a); ${'{'.repeat(depth)} x(); ${'}'.repeat(depth)} spin_unlock(&a); }`;
  const ir = lower(src);
  const f = fn(ir, 'deep');
  assert.strictEqual(f.incomplete, true);
  assert.strictEqual(ops(f, 'acquire').length, 1);
  const deepIf = `int d2(int a) { ${'if (a) '.repeat(3000)} y(); return 0; }`;
  assert.doesNotThrow(() => lower(deepIf));
  const deepExpr = `int d3(int a) { return ${'('.repeat(3000)}a${')'.repeat(3000)} + ${'a + '.repeat(20000)} 1; }`;
  assert.doesNotThrow(() => lower(deepExpr));
  const deepCond = `int d4(int a) { if (${'a && '.repeat(5000)} spin_trylock(&l)) return 1; return 0; }`;
  assert.doesNotThrow(() => lower(deepCond));
});

test('suppression comments', () => {
  const ir = lower(`// locklint-ignore-file blocking-under-lock
void s(void) {
  // locklint-ignore double-lock,lock-order: known and fine
  spin_lock(&a); /* locklint-ignore leaked-lock: released by the caller */
  const char *x = "locklint-ignore not-a-comment";
}`);
  assert.deepStrictEqual(ir.suppressions, [
    { line: -1, checks: ['blocking-under-lock'], reason: '' },
    { line: 2, checks: ['double-lock', 'lock-order'], reason: 'known and fine' },
    { line: 3, checks: ['leaked-lock'], reason: 'released by the caller' },
  ]);
});

test('fall-off exit and preprocessor branches', () => {
  const f = fn(lower(`
void p(void) {
#ifdef CONFIG_A
  spin_lock(&a);
#else
  spin_lock(&b);
#endif
#if 0
  never();
#endif
  work();
}`), 'p');
  const acqs = ops(f, 'acquire');
  assert.deepStrictEqual(acqs.map((o) => o.lock.path), ['a', 'b']);
  assert.ok(!reachable(f, acqs[0].index).has(acqs[1].index), '#ifdef and #else are alternatives');
  assert.ok(!ops(f, 'call').some((c) => c.callee === 'never'));
  const exit = f.nodes.find((n) => n.exit === 'return');
  assert.deepStrictEqual(exit.span, { line: 11, col: 0, endLine: 11, endCol: 1 });
  assert.strictEqual(exit.ret, undefined);
});

test('native and wasm parsers give identical IR', { skip: !native && 'native tree-sitter not available' }, () => {
  const snippets = [
    `static DEFINE_MUTEX(m);
struct s { struct mutex lock; };
static int a(struct s *x) { /* naïve comment é */ int r = mutex_lock_interruptible(&x->lock); if (r) return r;
  switch (r) { case 0: mutex_unlock(&x->lock); default: break; } return 0; }`,
    `void b(void) { foo(; mutex_lock(&m); list_for_each_entry(p, &h, l) { if (!spin_trylock(&p->l)) continue; spin_unlock(&p->l); } goto out; out: mutex_unlock(&m); }`,
    `int c(int n) { do { if (n == 3) break; n--; } while (n); for (;;) { if (x()) return 1; } }`,
  ];
  for (const src of snippets) {
    assert.strictEqual(JSON.stringify(lower(src, native)), JSON.stringify(lower(src, wasm)));
  }
});

test('guarded fields: access ops only for fields the file declares guarded', () => {
  const plain = lower('struct s { int mu; int data; }; int f(struct s *p) { p->data = 1; return p->data; }');
  assert.deepStrictEqual(fn(plain, 'f').nodes.filter((n) => n.op.kind === 'access'), []);
  const ir = lower(`
#define GUARDED_BY(x) __attribute__((guarded_by(x)))
struct s { int mu; int data GUARDED_BY(mu); int other; };
int f(struct s *p) { p->other = 2; p->data = 1; return p->data + (int)sizeof(p->data); }`);
  const ops = fn(ir, 'f').nodes.filter((n) => n.op.kind === 'access').map((n) => [n.op.target, n.op.write, n.op.guards[0].path, n.op.guards[0].cls]);
  assert.deepStrictEqual(ops, [['p->data', true, 'p.mu', 'struct s.mu'], ['p->data', false, 'p.mu', 'struct s.mu']]);
});
