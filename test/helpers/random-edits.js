'use strict';
// Random edits of C and Go source for the incremental-analysis tests: typing near the previous
// edit, deletions, pasted statements, unbalanced braces, cut-and-paste of lines, and toggles of
// file-scope declarations that functions depend on. Deterministic for a seed.

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const C_SNIPPETS = [
  'x', 'a', '_', ';', '(', ')', '{', '}', '\n', '\n\n', '\t', ' ', '*', '&', '->',
  '\tspin_lock(&d->lock);\n', '\tspin_unlock(&d->lock);\n', '\tmutex_lock(&d->cfg_mutex);\n',
  '\tmutex_unlock(&d->cfg_mutex);\n', '\tmsleep(10);\n', '\treturn -EINVAL;\n', '\tgoto out_unlock;\n',
  'if (d->state) {\n', '}\n', '/* comment */', '// locklint-ignore lock-order\n', '// locklint-ignore *\n',
  'static DEFINE_SPINLOCK(extra_lock);\n', 'struct bdev0 { spinlock_t lock; struct bdev1 *peer; };\n',
  'static const struct net_device_ops ops = { .ndo_start_xmit = bdev0_get_state, };\n',
  'static void added(struct bdev1 *d)\n{\n\tspin_lock(&d->lock);\n\tmutex_lock(&d->cfg_mutex);\n\tmutex_unlock(&d->cfg_mutex);\n\tspin_unlock(&d->lock);\n}\n',
  '\r\n', '\r', 'é', '😀',
  // Lock annotations: prototypes lend their contract to callers, from wherever they are.
  'void ann_take(struct bdev0 *d) __acquires(&d->lock);\n', '\tann_take(d);\n', '\tabsl_mutex_lock(&c->mu);\n',
  '\tdns_cache_refresh(c);\n', 'static void ann_held(struct bdev0 *d) __must_hold(&d->lock)\n{\n\td->state = 2;\n}\n',
];

const GO_SNIPPETS = [
  'x', '_', '(', ')', '{', '}', '\n', '\t', ' ', '.', ':=', '<-',
  '\tm.mu.Lock()\n', '\tm.mu.Unlock()\n', '\tdefer m.mu.Unlock()\n', '\tgo func() { m.mu.Lock() }()\n',
  '\tch <- 1\n', '\treturn\n', 'if x {\n', '}\n', '// locklint-ignore lock-order\n',
  'type extra struct { mu sync.Mutex; other *extra }\n',
  'func (e *extra) both() {\n\te.mu.Lock()\n\te.other.mu.Lock()\n\te.other.mu.Unlock()\n\te.mu.Unlock()\n}\n',
];

/** File-scope declarations functions depend on (a lock's class, a field's type), toggled both ways. */
const C_TOGGLES = [
  ['static DEFINE_SPINLOCK(bench_global_lock);', 'spinlock_t bench_global_lock;'],
  ['static DEFINE_MUTEX(bench_global_mutex);', 'static struct mutex bench_global_mutex;'],
  ['struct bdev1 {\n\tspinlock_t lock;', 'struct bdev1 {\n\tstruct bdev0 *parent;\n\tspinlock_t lock;'],
  ['static const struct net_device_ops', 'typedef struct bdev0 bdev0_t;\nstatic const struct net_device_ops'],
  // A function named in an ops table runs in that table's context: set after lowering, undone here.
  ['.ndo_start_xmit = qux_start_xmit,', '.ndo_start_xmit = qux_open,'],
  // A prototype's annotation changes the contract of calls in unchanged functions.
  ['void dns_cache_refresh(struct dns_cache *c) ABSL_LOCKS_EXCLUDED(c->mu);', 'void dns_cache_refresh(struct dns_cache *c);'],
  ['void absl_mutex_unlock(struct absl_mutex *mu) ABSL_UNLOCK_FUNCTION(mu);', '\nvoid absl_mutex_unlock(struct absl_mutex *mu) ABSL_UNLOCK_FUNCTION(mu);'],
];
const GO_TOGGLES = [
  ['package p', 'package q'],
  ['mu sync.Mutex', 'mu sync.RWMutex'],
];

/** One random edit of `text`: mostly typing near the previous edit, sometimes anywhere. */
function randomEdit(text, rand, snippets, state, toggles) {
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  if (toggles.length > 0 && rand() < 0.06) {
    const [a, b] = pick(toggles);
    if (text.includes(a)) return text.replace(a, b);
    if (text.includes(b)) return text.replace(b, a);
  }
  const r = rand();
  const near = Math.min(text.length, Math.max(0, state.at + Math.floor(rand() * 40) - 20));
  const anywhere = Math.floor(rand() * (text.length + 1));
  const at = r < 0.5 ? near : anywhere;
  let next;
  if (r < 0.55) {
    const s = pick(snippets);
    next = text.slice(0, at) + s + text.slice(at);
    state.at = at + s.length;
  } else if (r < 0.8) {
    const len = 1 + Math.floor(rand() * (rand() < 0.8 ? 8 : 200));
    next = text.slice(0, at) + text.slice(at + len);
    state.at = at;
  } else if (r < 0.92) {
    const len = 1 + Math.floor(rand() * 30);
    const s = pick(snippets);
    next = text.slice(0, at) + s + text.slice(at + len);
    state.at = at + s.length;
  } else {
    // Move a line elsewhere (cut and paste).
    const lines = text.split('\n');
    const from = Math.floor(rand() * lines.length);
    const [line] = lines.splice(from, 1);
    lines.splice(Math.floor(rand() * (lines.length + 1)), 0, line);
    next = lines.join('\n');
    state.at = at;
  }
  return next;
}

module.exports = { rng, randomEdit, C_SNIPPETS, C_TOGGLES, GO_SNIPPETS, GO_TOGGLES };
