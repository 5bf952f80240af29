import type { Finding, RelatedSite } from '../core/finding';
import type { AcquireFact, BlockFact, CallStep, FunctionFacts, HeldLock, SpawnFact } from '../core/facts';
import { fingerprint, lineOf, lockName, viaText } from '../core/describe';
import type { FunctionIR, LockRef, Op, Span } from '../ir/types';
import { pathFactsReliable } from './path-checks-common';
import type { Check, ProgramFacts } from './types';

export const waitUnderLock: Check = {
  meta: {
    id: 'wait-under-lock',
    doc: `waiting for threads or goroutines that need a lock the waiter holds

A WaitGroup.Wait, pthread_join, kthread_stop, flush_work or cancel_work_sync made while holding
lock L, where the awaited goroutine, thread or work function (or a function it calls) acquires
L's class: it blocks on L, so it never finishes, so the wait never returns, so L is never released.
A writer waiting for goroutines that only read-lock L deadlocks the same way. This is the proven
form of blocking-under-lock's "wait while holding a lock": where it applies, blocking-under-lock
stays silent on that wait.`,
    defaultSeverity: 'warning',
    docPath: 'docs/checks/wait-under-lock.md',
  },
  run(program: ProgramFacts): Finding[] {
    const findings: Finding[] = [];
    for (const [block, proof] of provenWaits(program)) findings.push(toFinding(proof.facts, block, proof.proofs));
    return findings;
  },
};

/** One held lock the awaited code needs: where it is held, who was started, and where that one takes it. */
export interface WaitProof {
  held: HeldLock;
  spawn: { fn: FunctionIR; op: Extract<Op, { kind: 'spawn' }> };
  routine: FunctionIR;
  acquire: AcquireFact;
  /** Calls from the routine down to the function that acquires (empty: the routine itself). */
  chain: CallStep[];
  acquiredIn: FunctionIR;
}

interface ProvenWait {
  facts: FunctionFacts;
  proofs: WaitProof[];
}

// Waits whose partner can be recognised by the spawn API that started it.
const GO_WAITS = new Set(['sync.WaitGroup.Wait']);
const C_JOINS = new Set(['pthread_join', 'kthread_stop']);
const C_THREAD_SPAWNS = new Set(['pthread_create', 'kthread_run', 'kthread_create']);
const C_WORK_WAITS = new Set(['flush_work', 'cancel_work_sync', 'flush_delayed_work', 'cancel_delayed_work_sync']);
const C_WORK_SPAWNS = new Set(['INIT_WORK', 'INIT_DELAYED_WORK']);
const MAX_CALL_DEPTH = 5;
const MAX_DONE_DEPTH = 2;
const MAX_INTERFACE_IMPLS = 3;

const memo = new WeakMap<ProgramFacts, Map<BlockFact, ProvenWait>>();

/**
 * Waits under a sleeping lock whose awaited code provably acquires that lock's class. Shared with
 * blocking-under-lock, which leaves these waits to this check (one finding per wait).
 */
export function provenWaits(program: ProgramFacts): Map<BlockFact, ProvenWait> {
  const cached = memo.get(program);
  if (cached) return cached;
  const result = new Map<BlockFact, ProvenWait>();
  memo.set(program, result);
  const ctx = new Context(program);
  for (const facts of program.functions) {
    if (!pathFactsReliable(facts)) continue;
    const language = program.languageOf(facts.fn.file);
    for (const block of facts.blocks) {
      if (block.category !== 'wait') continue;
      const kind = waitKind(block.api, language);
      if (!kind) continue;
      const held = block.held.filter((h) => !isAtomic(h) && h.lock.cls !== undefined);
      if (held.length === 0) continue;
      const proofs: WaitProof[] = [];
      for (const h of held) {
        const proof = ctx.prove(facts, block, kind, h);
        if (proof) proofs.push(proof);
      }
      if (proofs.length > 0) result.set(block, { facts, proofs });
    }
  }
  return result;
}

type WaitKind = 'goroutines' | 'thread' | 'work';

/** Spinlocks, irq-disabled sections and read sections: waiting there is blocking-under-lock's (atomic) finding. */
function isAtomic(h: HeldLock): boolean {
  return h.lockKind === 'spin' || h.irq !== 'none' || (h.lockKind === 'rcu' && !h.sleepable) || h.lockKind === 'epoch';
}

function waitKind(api: string, language: 'c' | 'go'): WaitKind | undefined {
  if (language === 'go') return GO_WAITS.has(api) ? 'goroutines' : undefined;
  if (C_JOINS.has(api)) return 'thread';
  if (C_WORK_WAITS.has(api)) return 'work';
  return undefined;
}

function spawnMatches(kind: WaitKind, api: string): boolean {
  if (kind === 'goroutines') return api === 'go';
  if (kind === 'thread') return C_THREAD_SPAWNS.has(api);
  return C_WORK_SPAWNS.has(api);
}

/** `(*T).M`, `T.M` and closures inside them (`(*T).M.func@3:4`) → `T`. */
function receiverTypeOf(fnName: string): string | undefined {
  return /^\(?\*?([A-Za-z_]\w*)\)?\.[A-Za-z_]\w*/.exec(fnName)?.[1];
}

function dirOf(file: string): string {
  return file.slice(0, file.lastIndexOf('/') + 1);
}

interface Candidate {
  spawn: SpawnFact;
  spawner: FunctionIR;
  routine: FunctionIR;
}

class Context {
  private readonly byFn = new Map<FunctionIR, FunctionFacts>();
  private readonly structFields = new Map<string, Record<string, string>>();
  private readonly callsDone = new Map<FunctionIR, boolean>();
  /** Functions by file and Go functions by directory: every wait looks in one of them. */
  private readonly byFile = new Map<string, FunctionFacts[]>();
  private readonly goByDir = new Map<string, FunctionFacts[]>();

  constructor(private readonly program: ProgramFacts) {
    const push = (map: Map<string, FunctionFacts[]>, key: string, f: FunctionFacts) => {
      const list = map.get(key);
      if (list) list.push(f);
      else map.set(key, [f]);
    };
    for (const f of program.functions) {
      this.byFn.set(f.fn, f);
      push(this.byFile, f.fn.file, f);
      if (program.languageOf(f.fn.file) === 'go') push(this.goByDir, dirOf(f.fn.file), f);
    }
    for (const ir of program.files.values()) {
      for (const t of ir.types ?? []) this.structFields.set(t.name, t.fields);
    }
  }

  prove(facts: FunctionFacts, block: BlockFact, kind: WaitKind, held: HeldLock): WaitProof | undefined {
    const cls = held.lock.cls!;
    // The spawns of the waiting function itself are the awaited ones when there are any (a local
    // WaitGroup, `pthread_create(&t, …); …; pthread_join(t, …)`); otherwise those of the lock's
    // owner: methods of the same Go struct type in the package, or the same C file.
    const local = block.via ? [] : this.candidates([facts], kind);
    const owner = kind === 'goroutines' ? this.goOwner(cls) : undefined;
    const all = local.length > 0 ? local : this.candidates(this.scopeFunctions(facts.fn, kind, owner), kind, owner);
    // cancel_work_sync(&priv->ani_work) waits for ani_work only, not every work item of the file.
    const scope = block.handle ? all.filter((c) => !c.spawn.op.handle || sameWorkItem(c.spawn.op.handle, block.handle!)) : all;
    if (scope.length === 0) return undefined;
    const proofs = scope.map((c) => this.awaitedAcquire(c, cls, held));
    const found = proofs.find((p) => p !== undefined);
    if (!found) return undefined;
    // Several started routines and only some need L: which one this wait is for is beyond the IR
    // (it does not name the WaitGroup or work item), unless nothing else could be waited for.
    const unambiguous = local.length > 0 || proofs.every((p) => p !== undefined)
      || (kind === 'goroutines' && owner !== undefined && this.waitGroupFields(owner.type) === 1);
    return unambiguous ? found : undefined;
  }

  /** Go lock class `pkg.T.mu` or embedded `pkg.T` → the struct `pkg.T`; package-level mutexes → `{}` (package scope). */
  private goOwner(cls: string): { type?: string } | undefined {
    const parts = cls.split('.');
    if (parts.length < 2) return undefined;
    const type = `${parts[0]}.${parts[1]}`;
    if (this.structFields.has(type)) return { type };
    return parts.length === 2 ? {} : undefined;
  }

  private waitGroupFields(type: string | undefined): number {
    const fields = type ? this.structFields.get(type) : undefined;
    return fields ? Object.values(fields).filter((t) => /^\*?sync\.WaitGroup$/.test(t)).length : 0;
  }

  private scopeFunctions(waiter: FunctionIR, kind: WaitKind, owner: { type?: string } | undefined): FunctionFacts[] {
    if (kind === 'goroutines') {
      if (!owner) return [];
      const typeName = owner.type?.slice(owner.type.indexOf('.') + 1);
      return (this.goByDir.get(dirOf(waiter.file)) ?? [])
        .filter((f) => typeName === undefined || receiverTypeOf(f.fn.name) === typeName);
    }
    return this.byFile.get(waiter.file) ?? [];
  }

  private candidates(scope: FunctionFacts[], kind: WaitKind, owner?: { type?: string }): Candidate[] {
    const out: Candidate[] = [];
    const seen = new Set<Op>();
    for (const f of scope) {
      for (const spawn of f.spawns) {
        if (seen.has(spawn.op) || !spawnMatches(kind, spawn.op.api)) continue;
        seen.add(spawn.op);
        const routine = this.routineOf(spawn.op.target, f.fn, owner?.type);
        if (!routine) continue;
        // A WaitGroup waits only for goroutines that call Done.
        if (kind === 'goroutines' && !this.reachesDone(routine, 0)) continue;
        out.push({ spawn, spawner: f.fn, routine });
      }
    }
    return out;
  }

  /** The function a spawn starts; `go s.run()` names only `run`: look for that method of the spawner's type. */
  private routineOf(target: string, spawner: FunctionIR, ownerType?: string): FunctionIR | undefined {
    const named = this.program.functionNamed(target, spawner);
    if (named) return named;
    if (this.program.languageOf(spawner.file) !== 'go' || !/^[A-Za-z_]\w*$/.test(target)) return undefined;
    const type = receiverTypeOf(spawner.name) ?? ownerType?.slice(ownerType.indexOf('.') + 1);
    if (!type) return undefined;
    const dir = dirOf(spawner.file);
    const methods = this.program.functions.filter((f) => dirOf(f.fn.file) === dir
      && receiverTypeOf(f.fn.name) === type && new RegExp(`\\.${target}$`).test(f.fn.name));
    return methods.length === 1 ? methods[0].fn : undefined;
  }

  private reachesDone(fn: FunctionIR, depth: number): boolean {
    if (depth === 0 && this.callsDone.has(fn)) return this.callsDone.get(fn)!;
    let found = false;
    for (const call of callsOf(fn)) {
      if (call.callee === 'Done' && /^\*?sync\.WaitGroup$/.test(call.receiver ?? '')) {
        found = true;
        break;
      }
    }
    if (!found && depth < MAX_DONE_DEPTH) {
      for (const call of callsOf(fn)) {
        if (this.program.targetsOf(call, fn).some((t) => t !== fn && this.reachesDone(t, depth + 1))) {
          found = true;
          break;
        }
      }
    }
    if (depth === 0) this.callsDone.set(fn, found);
    return found;
  }

  /**
   * What a call in awaited code may run. Beyond the resolved targets, a Go call through an
   * interface (`d.dispatch()`, `d linkDispatcher`) may run the package's own implementations: the
   * dispatcher loops of the model incident go through one. Only within the package, and only when
   * there are few, so that `Close`/`Next` do not connect unrelated types.
   */
  private calleesOf(call: Extract<Op, { kind: 'call' }>, caller: FunctionIR): FunctionIR[] {
    const targets = this.program.targetsOf(call, caller);
    if (targets.length > 0 || !call.receiver || this.program.languageOf(caller.file) !== 'go') return targets;
    const type = call.receiver.replace(/^[*&]/, '');
    const pkg = [...this.structFields.keys()].find((k) => k.endsWith(`.${type}`) || k === type);
    if (pkg || type.includes('.') || !/^[A-Za-z_]\w*$/.test(type)) return [];
    const dir = dirOf(caller.file);
    const impls = this.program.functions.filter((f) => dirOf(f.fn.file) === dir
      && /^\(?\*?[A-Za-z_]\w*\)?\.[A-Za-z_]\w*$/.test(f.fn.name) && f.fn.name.endsWith(`.${call.callee}`)).map((f) => f.fn);
    return impls.length <= MAX_INTERFACE_IMPLS ? impls : [];
  }

  /** The first acquisition of `cls` in the routine or what it calls (breadth first, bounded). */
  private awaitedAcquire(c: Candidate, cls: string, held: HeldLock): WaitProof | undefined {
    const queue: { fn: FunctionIR; chain: CallStep[] }[] = [{ fn: c.routine, chain: [] }];
    const visited = new Set<FunctionIR>([c.routine]);
    while (queue.length > 0) {
      const { fn, chain } = queue.shift()!;
      const facts = this.byFn.get(fn);
      if (!facts) continue;
      const acquire = facts.acquires.find((a) => !a.via && !a.try && a.lock.cls === cls
        // Readers do not exclude readers: only a writer on either side makes this a deadlock.
        && (held.mode === 'exclusive' || a.mode === 'exclusive'));
      if (acquire) {
        return { held, spawn: { fn: c.spawner, op: c.spawn.op }, routine: c.routine, acquire, chain, acquiredIn: fn };
      }
      if (chain.length >= MAX_CALL_DEPTH) continue;
      for (const call of callsOf(fn)) {
        for (const t of this.calleesOf(call, fn)) {
          if (visited.has(t)) continue;
          visited.add(t);
          queue.push({ fn: t, chain: [...chain, { callee: call.callee, span: call.span, file: fn.file }] });
        }
      }
    }
    return undefined;
  }
}

function callsOf(fn: FunctionIR): Extract<Op, { kind: 'call' }>[] {
  const calls: Extract<Op, { kind: 'call' }>[] = [];
  for (const node of fn.nodes) {
    const ops = node.op.kind === 'defer' ? node.op.ops : [node.op];
    for (const op of ops) if (op.kind === 'call') calls.push(op);
  }
  return calls;
}

function verb(a: AcquireFact): string {
  return a.mode === 'shared' ? 'read-locks' : 'locks';
}

function toFinding(facts: FunctionFacts, block: BlockFact, proofs: WaitProof[]): Finding {
  const fn = facts.fn;
  const p = proofs[0];
  const lock = lockName(p.held.lock.text);
  const awaited = block.api === 'sync.WaitGroup.Wait' ? 'goroutines' : /work/.test(block.api) ? 'work item' : 'thread';
  const routine = displayName(p.routine);
  const chainText = p.chain.length > 0 ? ` via ${p.chain.map((s) => `${s.callee}()`).join(' → ')}` : '';
  const related: RelatedSite[] = [];
  for (const q of proofs) {
    related.push({ file: fn.file, span: q.held.site, message: `${lockName(q.held.lock.text)} acquired here` });
    related.push({ file: q.spawn.fn.file, span: q.spawn.op.span, message: `${displayName(q.routine)} started here (${q.spawn.op.api})` });
    for (const s of q.chain) related.push({ file: s.file, span: s.span, message: `call to ${s.callee}()` });
    related.push({ file: q.acquiredIn.file, span: q.acquire.span, message: `the awaited ${awaited} ${verb(q.acquire)} ${lockName(q.acquire.lock.text)} here (${q.acquire.api})` });
  }
  for (const s of block.via ?? []) related.push({ file: s.file, span: s.span, message: `call to ${s.callee}()` });
  const waitText = `${block.api.replace(/^sync\./, '')}()`;
  const where = (file: string, span: Span) => (file === fn.file ? `line ${lineOf(span)}` : `${file}:${lineOf(span)}`);
  const width = 46;
  const col = (a: string, b = '') => `${a.padEnd(width)}${b}`.trimEnd();
  return {
    check: 'wait-under-lock',
    severity: 'warning',
    message: `\`${waitText}\`${viaText(block.via)} waits for ${awaited === 'goroutines' ? 'goroutines' : `a ${awaited}`} while holding ${lock} (acquired at line ${lineOf(p.held.site)}), but ${routine} (started at ${where(p.spawn.fn.file, p.spawn.op.span)}) ${verb(p.acquire)} ${lockName(p.acquire.lock.text)}${chainText} (class ${p.acquire.lock.cls}, ${where(p.acquiredIn.file, p.acquire.span)}): it cannot finish while the lock is held, and the lock is not released until it finishes.`,
    file: fn.file,
    span: block.span,
    related,
    explanation: [
      'Possible deadlock: waiting for a thread that needs a lock the waiter holds',
      '',
      col(`Waiter: ${fn.name}()`, `Awaited: ${routine}`),
      col('----', '----'),
      col(`lock(${p.held.lock.text})  line ${lineOf(p.held.site)}`),
      col('', `${p.acquire.mode === 'shared' ? 'rlock' : 'lock'}(${p.acquire.lock.text})${chainText}  line ${lineOf(p.acquire.span)} <- waits for the waiter`),
      col(`${waitText}${viaText(block.via)}  line ${lineOf(block.span)} <- waits for the ${awaited === 'goroutines' ? 'goroutine' : awaited}`),
      '',
      `${p.held.lock.cls} is held by the waiter and needed by what it waits for.`,
      ' *** DEADLOCK ***',
      'Fix: release the lock before waiting (stop the workers, unlock, wait, then relock to finish), or make the awaited code not need it.',
    ].join('\n'),
    fingerprint: fingerprint('wait-under-lock', fn.qualifiedName, block.api, ...proofs.map((q) => q.held.lock.cls)),
  };
}

/** Closures are named by position (`(*endpoint).Attach.func@57:7`): say "a goroutine in Attach()". */
function displayName(fn: FunctionIR): string {
  const closure = /^(.*)\.func@\d+:\d+$/.exec(fn.name);
  return closure ? `the function literal in ${closure[1]}()` : `${fn.name}()`;
}

/** Work items named alike: the same field (`ani_work`, or `ani_work.work` of a delayed work). */
function sameWorkItem(a: LockRef, b: LockRef): boolean {
  // Both typed (`struct can_priv.restart_work`): the struct decides; two structs may well name
  // their work items alike (mcp251x's own `restart_work` is not can_priv's).
  const typed = (r: LockRef) => (r.cls?.startsWith('struct ') ? r.cls.replace(/\.work$/, '') : undefined);
  const ta = typed(a);
  const tb = typed(b);
  if (ta !== undefined && tb !== undefined) return ta === tb;
  const field = (r: LockRef) => {
    const segs = r.path.replace(/\.work$/, '').split(/\.|->/);
    return segs[segs.length - 1];
  };
  return field(a) === field(b);
}
