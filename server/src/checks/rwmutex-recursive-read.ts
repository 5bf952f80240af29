import type { Finding } from '../core/finding';
import type { FunctionFacts, RecursiveReadFact } from '../core/facts';
import { fingerprint, lineOf, lockName, viaText } from '../core/describe';
import { pathFactsReliable } from './path-checks-common';
import type { Check, ProgramFacts } from './types';

export const rwmutexRecursiveRead: Check = {
  meta: {
    id: 'rwmutex-recursive-read',
    doc: `a Go RWMutex is read-locked again while already read-held

Go's sync.RWMutex blocks new readers as soon as a writer is waiting. A goroutine that holds RLock
and calls RLock again (directly or through a callee) deadlocks when a Lock() arrives between the
two: the writer waits for the first read lock, the second RLock waits for the writer. Reported
only when the same lock class is also write-locked somewhere; C rwlock_t reader recursion is legal
and never reported.`,
    defaultSeverity: 'warning',
    docPath: 'docs/checks/rwmutex-recursive-read.md',
  },
  run(program: ProgramFacts): Finding[] {
    const writers = writeLockedClasses(program);
    const findings: Finding[] = [];
    const reported = new Set<string>();
    for (const facts of program.functions) {
      if (program.languageOf(facts.fn.file) !== 'go' || !pathFactsReliable(facts)) continue;
      for (const r of facts.recursiveReads ?? []) {
        if (!sameInstance(facts, r) || !hasWriter(facts, r, writers)) continue;
        const where = `${facts.fn.file}:${r.span.line}:${r.span.col}`;
        if (reported.has(where)) continue;
        reported.add(where);
        findings.push(toFinding(facts, r));
      }
    }
    return findings;
  },
};

/** `(*T).M` / `T.M` → `T`; closures (`(*T).M.func@…`) and plain functions → undefined. */
function receiverType(fnName: string): string | undefined {
  return /^\(?\*?([A-Za-z_]\w*)\)?\.[A-Za-z_]\w*$/.exec(fnName)?.[1];
}

/** Is the second read lock on the instance the first one holds (not merely another of its class)? */
function sameInstance(facts: FunctionFacts, r: RecursiveReadFact): boolean {
  if (!r.call) {
    // The same site again on a later loop iteration names a new instance far more often than it
    // forgets an RUnlock (`for _, s := range shards { s.mu.RLock() … }`).
    return !(r.first.site.line === r.span.line && r.first.site.col === r.span.col);
  }
  // Through a call: only a callee that read-locks on every path (a flag parameter often says "already held").
  if (!r.byClass) return r.must === true;
  // A package-level RWMutex (class `pkg.mu`, path `mu`): the class is the instance.
  if (isPackageVar(r.first.lock)) return true;
  // Known by class only: the callee read-locks its receiver's lock, and the call site's receiver
  // expression is not in the IR. Trust it only for the common shape: a method holding its own
  // receiver's read lock and calling a method of the same type (`s.mu.RLock(); s.get()`), and
  // only when the callee takes it on every path.
  const own = receiverType(facts.fn.name);
  const receiver = r.call.receiver?.replace(/^[*&]/, '') ?? '';
  // `driver.Rows` is another package's type, whatever the call index resolved it to.
  const pkg = r.first.lock.cls?.split('.')[0];
  const dot = receiver.lastIndexOf('.');
  if (dot >= 0 && receiver.slice(0, dot) !== pkg) return false;
  const callType = receiver.slice(dot + 1);
  return own !== undefined && own === callType && r.first.lock.paramIndex === -1 && r.must === true;
}

/** Lock classes some function write-locks (not by TryLock), with the functions that do. */
function writeLockedClasses(program: ProgramFacts): Map<string, Set<FunctionFacts>> {
  const classes = new Map<string, Set<FunctionFacts>>();
  for (const facts of program.functions) {
    for (const a of facts.acquires) {
      if (a.mode !== 'exclusive' || a.try || !a.lock.cls) continue;
      const set = classes.get(a.lock.cls) ?? new Set();
      set.add(facts);
      classes.set(a.lock.cls, set);
    }
  }
  return classes;
}

/**
 * Without a writer, reader recursion cannot hang. A writer in this same function on a local
 * RWMutex (`var rwm sync.RWMutex; rwm.RLock(); rwm.RLock(); …; rwm.Lock()`) runs on this
 * goroutine, after the readers: it cannot come between them.
 */
function hasWriter(facts: FunctionFacts, r: RecursiveReadFact, writers: Map<string, Set<FunctionFacts>>): boolean {
  const cls = r.first.lock.cls;
  const fns = cls ? writers.get(cls) : undefined;
  if (!fns) return false;
  const shared = r.first.lock.paramIndex !== undefined || isPackageVar(r.first.lock);
  return shared || [...fns].some((f) => f !== facts);
}

function isPackageVar(lock: { path: string; cls?: string; paramIndex?: number }): boolean {
  return lock.paramIndex === undefined && /^\w+$/.test(lock.path) && lock.cls === `${lock.cls?.split('.')[0]}.${lock.path}`;
}

function toFinding(facts: FunctionFacts, r: RecursiveReadFact): Finding {
  const fn = facts.fn;
  const first = r.first;
  const second = r.call ? `RLock${viaText(r.via)}` : `RLock(${r.lock.text})`;
  return {
    check: 'rwmutex-recursive-read',
    severity: 'warning',
    message: `${lockName(first.lock.text)} is read-locked again${r.call ? viaText(r.via) : ''} while this goroutine already read-holds it (RLock at line ${lineOf(first.site)}). If a writer calls Lock() in between, the writer waits for the first read lock and this RLock waits for the writer: deadlock.`,
    file: fn.file,
    span: r.span,
    related: [
      { file: fn.file, span: first.site, message: `${lockName(first.lock.text)} read-locked here` },
      ...(r.via ?? []).map((s) => ({ file: s.file, span: s.span, message: s === r.via![r.via!.length - 1] ? `${lockName(r.lock.text)} read-locked again here (${s.callee})` : `call to ${s.callee}()` })),
    ],
    explanation: [
      'Possible deadlock: recursive read lock on a sync.RWMutex',
      '',
      `${`Goroutine 1: ${fn.name}()`.padEnd(44)}Goroutine 2`,
      `${'----'.padEnd(44)}----`,
      `RLock(${first.lock.text})  line ${lineOf(first.site)}`,
      `${''.padEnd(44)}Lock(${first.lock.text})  <- waits for goroutine 1's read lock`,
      `${second}  line ${lineOf(r.span)} <- waits for the queued writer`,
      '',
      ' *** DEADLOCK: a queued writer blocks new readers, including this one ***',
      'Fix: do not re-enter the read lock: call an unlocked variant (`getLocked`) while holding it, or RUnlock first.',
    ].join('\n'),
    fingerprint: fingerprint('rwmutex-recursive-read', fn.qualifiedName, first.lock.cls ?? first.lock.path, r.call?.callee),
  };
}
