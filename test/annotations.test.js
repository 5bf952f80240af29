// Lock annotations: reading them (C sparse / Clang / SAL, Go checklocks) and the SAL mask.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { createParser } = require('../server/out/syntax/parser.js');
const { lowerC } = require('../server/out/frontend/c/index.js');
const { lowerGo } = require('../server/out/frontend/go/index.js');
const { buildApiIndex } = require('../server/out/api/index.js');
const { maskSal } = require('../server/out/frontend/c/sal-mask.js');
const { parseLockExpr, findAnnotations, blankNonCode } = require('../server/out/frontend/c/annotation-text.js');

const api = buildApiIndex();
let wasm;
test.before(async () => {
  wasm = await createParser('wasm');
});

function lower(src, language = 'c', file = language === 'c' ? 'k/x.c' : 'k/x.go') {
  const tree = wasm.parse(language, language === 'c' ? maskSal(src) : src);
  try {
    return (language === 'c' ? lowerC : lowerGo)({ file, text: src, tree, api });
  } finally {
    tree.delete();
  }
}

/** `role: path|cls|paramIndex|mode` lines for a contract, in a stable order. */
function contract(a) {
  if (!a) return [];
  const out = [];
  for (const role of ['requires', 'acquires', 'releases', 'excludes', 'tryAcquires']) {
    for (const l of a[role]) out.push(`${role}: ${l.lock.path}|${l.lock.cls ?? ''}|${l.lock.paramIndex ?? ''}|${l.mode}${l.lockKind ? '|' + l.lockKind : ''}`);
  }
  if (a.noAnalysis) out.push('noAnalysis');
  if (a.atomic) out.push('atomic');
  return out;
}

const fnNamed = (ir, name) => ir.functions.find((f) => f.name === name);

test('lock expressions in annotation text split like call arguments', () => {
  assert.deepStrictEqual(parseLockExpr('&rq->lock'), { root: 'rq', base: 'rq', segments: ['.lock'], castAt: 0 });
  assert.deepStrictEqual(parseLockExpr('*_Curr_'), { root: '_Curr_', base: '_Curr_', segments: [], castAt: 0 });
  assert.deepStrictEqual(parseLockExpr('&tbl[i % 4].lock').segments, ['[]', '.lock']);
  const cast = parseLockExpr('&((struct foo *)p)->lock');
  assert.strictEqual(cast.castType, 'struct foo');
  assert.strictEqual(cast.castAt, 1);
  assert.strictEqual(parseLockExpr('&kernfs_root(kn)->kernfs_rwsem').root, '');
  assert.strictEqual(parseLockExpr('!mu'), undefined);
  assert.strictEqual(parseLockExpr('a + b'), undefined);
});

test('annotations in comments, strings and #define lines are not annotations', () => {
  const text = '#define __acquires(x) __attribute__((context(x,0,1)))\n/* __must_hold(&a) */ "REQUIRES(b)" void f(void) __releases(&c);\n';
  const found = findAnnotations(blankNonCode(text), 0, text.length).map((a) => `${a.name}(${a.args.join(',')})`);
  assert.deepStrictEqual(found, ['__releases(&c)']);
});

test('sparse annotations on definitions and prototypes resolve against parameters', () => {
  const ir = lower(`
#include <linux/spinlock.h>
struct rq { raw_spinlock_t lock; };
struct task_struct { raw_spinlock_t pi_lock; };
static DEFINE_SPINLOCK(l);
static inline void lock_it(void) __acquires(&l);
extern void task_rq_unlock(struct rq *rq, struct task_struct *p)
	__releases(rq->lock)
	__releases(p->pi_lock);
static void balance(struct rq *this_rq, struct rq *busiest)
	__must_hold(&this_rq->lock)
	__acquires(busiest->lock)
{
	raw_spin_lock(&busiest->lock);
}
static void *seq_start(void *s) __acquires(RCU) { rcu_read_lock(); return s; }
`);
  assert.deepStrictEqual(contract(fnNamed(ir, 'balance').annotations), [
    'requires: this_rq.lock|struct rq.lock|0|exclusive',
    'acquires: busiest.lock|struct rq.lock|1|exclusive',
  ]);
  assert.deepStrictEqual(contract(fnNamed(ir, 'seq_start').annotations), ['acquires: rcu|global:rcu||shared|rcu']);
  const decls = Object.fromEntries((ir.declarations ?? []).map((d) => [d.name, d]));
  assert.deepStrictEqual(contract(decls.lock_it.annotations), ['acquires: l|static:k/x.c:l||exclusive']);
  assert.ok(decls.lock_it.isStatic);
  assert.deepStrictEqual(contract(decls.task_rq_unlock.annotations), [
    'releases: rq.lock|struct rq.lock|0|exclusive',
    'releases: p.pi_lock|struct task_struct.pi_lock|1|exclusive',
  ]);
  // The annotated definition's body is lowered as usual.
  assert.ok(fnNamed(ir, 'balance').nodes.some((n) => n.op.kind === 'acquire' && n.op.lock.path === 'busiest.lock'));
});

test('sparse __acquire()/__release() statements become context acquire/release ops of the lock\'s kind', () => {
  const ir = lower(`
void f(struct journal *j, int locked) {
	if (locked) __acquire(&j->state_lock); else read_lock(&j->state_lock);
	read_unlock(&j->state_lock);
}
`);
  const ops = fnNamed(ir, 'f').nodes.map((n) => n.op).filter((op) => op.kind === 'acquire');
  assert.deepStrictEqual(ops.map((op) => [op.api, op.lockKind, op.try ?? false]), [['__acquire', 'spin', true], ['read_lock', 'spin', false]]);
});

test('Clang attributes and macro spellings, declared orders, NO_THREAD_SAFETY_ANALYSIS', () => {
  const ir = lower(`
struct mutex { int m; };
struct q { struct mutex a ACQUIRED_BEFORE(b); struct mutex b; int n GUARDED_BY(a); };
struct mutex m1;
struct mutex m2 ACQUIRED_AFTER(m1);
void mu_lock(struct mutex *mu) __attribute__((acquire_capability(mu)));
void mu_unlock_shared(struct mutex *mu) RELEASE_SHARED(mu);
void refresh(struct q *q) ABSL_LOCKS_EXCLUDED(q->a) REQUIRES(m1, m2);
int try_it(struct q *q) TRY_ACQUIRE(true, q->a) NO_THREAD_SAFETY_ANALYSIS
{
	return 1;
}
`);
  const decls = Object.fromEntries((ir.declarations ?? []).map((d) => [d.name, d]));
  assert.deepStrictEqual(contract(decls.mu_lock.annotations), ['acquires: mu||0|exclusive']);
  assert.deepStrictEqual(contract(decls.mu_unlock_shared.annotations), ['releases: mu||0|shared']);
  assert.deepStrictEqual(contract(decls.refresh.annotations), [
    'requires: m1|global:m1||exclusive', 'requires: m2|global:m2||exclusive', 'excludes: q.a|struct q.a|0|exclusive',
  ]);
  const t = fnNamed(ir, 'try_it');
  assert.deepStrictEqual(contract(t.annotations), ['tryAcquires: q.a|struct q.a|0|exclusive', 'noAnalysis']);
  assert.strictEqual(t.annotations.tryAcquires[0].success, 'true');
  assert.ok(ir.suppressions.some((s) => s.line === t.span.line + 1 && s.checks.includes('*')));
  assert.deepStrictEqual((ir.lockOrders ?? []).map((o) => `${o.first.cls} < ${o.second.cls}`), [
    'struct q.a < struct q.b', 'global:m1 < global:m2',
  ]);
});

test('SAL: blanked before parsing (same length), read from the text, _Curr_ names the parameter', () => {
  const src = `
_IRQL_requires_(DISPATCH_LEVEL)
_Releases_lock_(*SpinLock)
VOID
ReleaseIt(_Inout_ PKSPIN_LOCK SpinLock, _In_ _IRQL_restores_ KIRQL OldIrql)
{
	KeReleaseSpinLock(SpinLock, OldIrql);
}

_Requires_lock_held_(Queue->Lock)
static VOID InsertLocked(_Inout_ PQUEUE Queue, _In_opt_ PVOID Item)
{
	Queue->Count++;
}

VOID Drop(_Inout_ _Requires_lock_held_(*_Curr_) _Releases_lock_(*_Curr_) PKSPIN_LOCK Lock);
`;
  const masked = maskSal(src);
  assert.strictEqual(masked.length, src.length);
  assert.strictEqual(masked.split('\n').length, src.split('\n').length);
  assert.ok(!/_In_|_IRQL_|_Releases_lock_/.test(masked));
  assert.strictEqual(maskSal('#ifndef _FOO_H_\nint x;\n'), '#ifndef _FOO_H_\nint x;\n');
  const ir = lower(src);
  assert.deepStrictEqual(ir.functions.map((f) => f.name), ['ReleaseIt', 'InsertLocked']);
  assert.deepStrictEqual(fnNamed(ir, 'ReleaseIt').params, ['SpinLock', 'OldIrql']);
  assert.deepStrictEqual(contract(fnNamed(ir, 'ReleaseIt').annotations), ['releases: SpinLock||0|exclusive', 'atomic']);
  assert.deepStrictEqual(contract(fnNamed(ir, 'InsertLocked').annotations), ['requires: Queue.Lock|PQUEUE.Lock|0|exclusive']);
  const drop = (ir.declarations ?? []).find((d) => d.name === 'Drop');
  assert.deepStrictEqual(contract(drop.annotations), ['requires: Lock||0|exclusive', 'releases: Lock||0|exclusive']);
});

test('gVisor checklocks comments on Go functions', () => {
  const ir = lower(`package tcp

import "sync"

type endpoint struct {
	mu sync.RWMutex
	// +checklocks:mu
	state int
}

// stateLocked reads the state.
//
// +checklocksread:e.mu
func (e *endpoint) stateLocked() int { return e.state }

// +checklocksacquire:e.mu
// +checklocksrelease:other.mu
func (e *endpoint) swap(other *endpoint) { e.mu.Lock(); other.mu.Unlock() }

// +checklocksignore
func (e *endpoint) racy() int { return e.state }
`, 'go');
  assert.deepStrictEqual(contract(fnNamed(ir, '(*endpoint).stateLocked').annotations), ['requires: e.mu|tcp.endpoint.mu|-1|shared']);
  assert.deepStrictEqual(contract(fnNamed(ir, '(*endpoint).swap').annotations), [
    'acquires: e.mu|tcp.endpoint.mu|-1|exclusive', 'releases: other.mu|tcp.endpoint.mu|0|exclusive',
  ]);
  const racy = fnNamed(ir, '(*endpoint).racy');
  assert.deepStrictEqual(contract(racy.annotations), ['noAnalysis']);
  assert.ok(ir.suppressions.some((s) => s.line === racy.span.line && s.checks.includes('*')));
});
