// Whole-program facts: resolve calls, order functions bottom-up over the call graph (Tarjan SCCs,
// callees first), explore each with its callees' summaries, iterate recursive SCCs to a fixed
// point. Results are cached per function object and callee-summary signature, so an edit
// re-explores only the changed functions and the callers whose callees' summaries changed.
import type { FunctionDeclaration, FunctionIR, InterfaceDecl, Op } from '../ir/types';
import { annotateProgram, type AnnotatedProgram } from './annotations';
import { exploreFunction, type CallEffect } from './explore';
import type { FunctionFacts } from './facts';
import { stronglyConnected } from './scc';
import { effectOf, summarize, type FunctionSummary } from './summary';

export interface ProgramOptions {
  interprocedural: boolean;
  /** Annotated prototypes (FileIR.declarations): contracts for definitions and body-less functions. */
  declarations?: readonly FunctionDeclaration[];
}

interface CacheEntry {
  depSig: string;
  facts: FunctionFacts;
  summary: FunctionSummary;
  summarySig: string;
}

/** Owned by an Engine: per-function results that survive between analyses. */
export class ProgramCache {
  readonly entries = new WeakMap<FunctionIR, CacheEntry>();
}

type CallOp = Extract<Op, { kind: 'call' }>;

export interface CallIndex {
  resolve(call: CallOp, caller: FunctionIR): FunctionIR[];
  /** A function named by a spawn or registration, from the naming function's point of view. */
  named(name: string, from: FunctionIR): FunctionIR | undefined;
}

/** A function stored in a struct field somewhere in the workspace (`.detach = fn` in file). */
export interface FieldTarget {
  field: string;
  fn: string;
  file: string;
}

/** A Go interface type declared in the workspace (in `file`'s package). */
export interface InterfaceTarget extends InterfaceDecl {
  file: string;
}

/** Callable from other files: not static, or a static (inline) function of a header that any file may include. */
function visibleElsewhere(fn: FunctionIR): boolean {
  return !fn.isStatic || /\.(h|hh|hpp)$/i.test(fn.file);
}

/** Indirect calls resolve to every function stored in a field of that name, if there are few. */
const MAX_INDIRECT_TARGETS = 4;

export function buildCallIndex(
  functions: readonly FunctionIR[], fieldTargets: readonly FieldTarget[] = [], interfaces: readonly InterfaceTarget[] = [],
): CallIndex {
  const byName = new Map<string, FunctionIR[]>();
  const add = (key: string, fn: FunctionIR) => {
    const list = byName.get(key);
    if (list) list.push(fn);
    else byName.set(key, [fn]);
  };
  for (const fn of functions) {
    add(fn.name, fn);
    const method = /^\(?\*?([A-Za-z_][\w]*)\)?\.([A-Za-z_]\w*)$/.exec(fn.name);
    if (method) {
      add(`method:${method[2]}`, fn);
      add(`method:${method[1]}.${method[2]}`, fn);
    }
  }
  const dirOf = (f: string) => f.slice(0, f.lastIndexOf('/') + 1);
  // Common names (`probe`, `init`, `String`) have hundreds of definitions: each call's lookup
  // must not scan them all, so the split by file and by visibility is made once per name.
  const split = new Map<FunctionIR[], { byFile: Map<string, FunctionIR[]>; visible: FunctionIR[] }>();
  const splitOf = (candidates: FunctionIR[]) => {
    let got = split.get(candidates);
    if (!got) {
      const byFile = new Map<string, FunctionIR[]>();
      for (const f of candidates) {
        const list = byFile.get(f.file);
        if (list) list.push(f);
        else byFile.set(f.file, [f]);
      }
      got = { byFile, visible: candidates.filter(visibleElsewhere) };
      split.set(candidates, got);
    }
    return got;
  };
  const uniqueIn = (candidates: FunctionIR[], file: string): { sameFile?: FunctionIR; visible: FunctionIR[] } => {
    if (candidates.length === 0) return { visible: [] };
    const { byFile, visible } = splitOf(candidates);
    const same = byFile.get(file);
    return { sameFile: same?.length === 1 ? same[0] : undefined, visible };
  };
  const direct = (name: string, file: string): FunctionIR | undefined => {
    const { sameFile, visible } = uniqueIn(byName.get(name) ?? [], file);
    if (sameFile) return sameFile;
    return visible.length === 1 ? visible[0] : undefined;
  };
  const byField = new Map<string, FunctionIR[]>();
  for (const t of fieldTargets) {
    const fn = direct(t.fn, t.file);
    if (!fn) continue;
    const list = byField.get(t.field) ?? [];
    if (!list.includes(fn)) list.push(fn);
    byField.set(t.field, list);
  }
  const implementations = interfaceImplementations(functions, interfaces, dirOf);
  const one = (fn: FunctionIR | undefined): FunctionIR[] => (fn ? [fn] : []);
  /** An op belongs to one function, so the op alone keys its resolution. */
  const resolved = new WeakMap<CallOp, FunctionIR[]>();
  return {
    named(name, from) {
      const bare = name.replace(/^&/, '').trim();
      return direct(bare, from.file) ?? resolveDirect({ kind: 'call', callee: bare, args: [], span: from.span }, from);
    },
    resolve(call, caller) {
      // Facts, dependents and several checks each walk every call: resolve each op once.
      let targets = resolved.get(call);
      if (!targets) {
        targets = resolveUncached(call, caller);
        resolved.set(call, targets);
      }
      return targets;
    },
  };

  function resolveUncached(call: CallOp, caller: FunctionIR): FunctionIR[] {
    {
      if (call.indirect) {
        // Only ops tables of the caller's own file: a field name alone (`read`, `map_update_elem`)
        // is shared by unrelated implementations even within one directory.
        // Nor the caller itself: a wrapper stored in an ops table and calling the same field of a
        // lower layer's table (`adap->uld_ops->tls_dev_del()` in ktls_dev_del) is not recursion.
        const targets = (byField.get(call.callee) ?? []).filter((f) => f.file === caller.file && f !== caller);
        return targets.length <= MAX_INDIRECT_TARGETS ? targets : [];
      }
      const direct = resolveDirect(call, caller);
      if (direct) return [direct];
      // A call through a workspace interface: any type whose methods cover the interface's may run.
      const recv = call.receiver?.replace(/^[*&]+/, '');
      const impls = recv && !recv.includes('.') ? implementations(`${dirOf(caller.file)}|${recv}`, call.callee) : [];
      return impls.length <= MAX_INDIRECT_TARGETS ? impls : [];
    }
  }

  function resolveDirect(call: CallOp, caller: FunctionIR): FunctionIR | undefined {
    {
      const name = call.callee;
      if (caller.name.includes('.') || call.receiver !== undefined) {
        // Go method call with a known receiver type: T.M or (*T).M.
        // A receiver of another package's type (`driver.Rows`) or an expression we could not type
        // (`e.conn`) must not match this package's same-named type.
        if (call.receiver && !call.receiver.includes('.')) {
          const t = call.receiver.replace(/^[*&]+/, '');
          const typed = byName.get(`method:${t}.${name}`);
          if (typed?.length === 1) return typed[0];
          if (typed && typed.length > 1) return typed.find((f) => dirOf(f.file) === dirOf(caller.file));
        }
      }
      const bare = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
      const candidates = byName.get(name) ?? byName.get(bare) ?? [];
      // A method call on a receiver of unknown type could be any implementation of an interface:
      // a guess by method name alone (`Close`, `Next`) joined unrelated types' lock orders.
      if (candidates.length === 0 || call.receiver !== undefined) return undefined;
      // C: a static function in the caller's file wins; then a unique non-static one.
      const { sameFile, visible } = uniqueIn(candidates, caller.file);
      if (sameFile) return sameFile;
      if (visible.length === 1) return visible[0];
      const sameDir = visible.filter((f) => dirOf(f.file) === dirOf(caller.file));
      return sameDir.length === 1 ? sameDir[0] : undefined;
    }
  }
}

/**
 * Implementations of each workspace interface: methods of types (named `dir|T`) whose method set
 * covers the interface's own method names. Names only, not signatures: a type with a same-named
 * method set is almost always an implementation, and the target cap bounds the rest.
 */
function interfaceImplementations(
  functions: readonly FunctionIR[], interfaces: readonly InterfaceTarget[], dirOf: (f: string) => string,
): (iface: string, method: string) => FunctionIR[] {
  const byIface = new Map<string, string[]>();
  for (const i of interfaces) if (i.methods.length > 0) byIface.set(`${dirOf(i.file)}|${i.name}`, i.methods);
  if (byIface.size === 0) return () => [];
  const methodsOf = new Map<string, Map<string, FunctionIR>>();
  for (const fn of functions) {
    const m = /^\(?\*?([A-Za-z_]\w*)\)?\.([A-Za-z_]\w*)$/.exec(fn.name);
    if (!m) continue;
    const type = `${dirOf(fn.file)}|${m[1]}`;
    const set = methodsOf.get(type) ?? new Map<string, FunctionIR>();
    set.set(m[2], fn);
    methodsOf.set(type, set);
  }
  const memo = new Map<string, FunctionIR[]>();
  return (iface, method) => {
    const key = `${iface}#${method}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const wanted = byIface.get(iface);
    const out: FunctionIR[] = [];
    if (wanted?.includes(method)) {
      for (const set of methodsOf.values()) {
        const fn = set.get(method);
        if (fn && wanted.every((w) => set.has(w))) out.push(fn);
      }
    }
    memo.set(key, out);
    return out;
  };
}

export interface ProgramResult {
  facts: FunctionFacts[];
  index: CallIndex;
}

export function computeProgramFacts(
  functions: readonly FunctionIR[], cache: ProgramCache, options: ProgramOptions,
  fieldTargets: readonly FieldTarget[] = [], interfaces: readonly InterfaceTarget[] = [],
): ProgramResult {
  const annotated = annotateProgram(functions, options.declarations);
  const index = buildCallIndex(annotated.functions, fieldTargets, interfaces);
  return { facts: programFacts(annotated.functions, cache, options, index, annotated), index };
}

function programFacts(
  functions: readonly FunctionIR[], cache: ProgramCache, options: ProgramOptions, index: CallIndex,
  annotated: AnnotatedProgram,
): FunctionFacts[] {
  if (!options.interprocedural) {
    return functions.map((fn) => {
      const hit = cache.entries.get(fn);
      const intra = `intra${annotated.signatureOf(fn)}`;
      if (hit && hit.depSig === intra) return hit.facts;
      const facts = exploreFunction(fn, { annotations: annotated.annotationsOf(fn) });
      cache.entries.set(fn, { depSig: intra, facts, summary: summarize(facts), summarySig: '' });
      return facts;
    });
  }
  const callees = new Map<FunctionIR, Map<CallOp, FunctionIR[]>>();
  for (const fn of functions) {
    const map = new Map<CallOp, FunctionIR[]>();
    const add = (op: Op) => {
      if (op.kind !== 'call') return;
      const targets = index.resolve(op, fn);
      if (targets.length > 0) map.set(op, targets);
    };
    for (const node of fn.nodes) {
      if (node.op.kind === 'defer') node.op.ops.forEach(add);
      else add(node.op);
    }
    callees.set(fn, map);
  }
  const summaries = new Map<FunctionIR, { summary: FunctionSummary; sig: string }>();
  const results = new Map<FunctionIR, FunctionFacts>();

  for (const component of callGraphComponents(functions, callees)) {
    const recursive = component.length > 1 || [...callees.get(component[0])!.values()].some((t) => t.includes(component[0]));
    for (let round = 0; round < (recursive ? 3 : 1); round++) {
      let changed = false;
      for (const fn of component) {
        const calleeMap = callees.get(fn)!;
        const depSig = annotated.signatureOf(fn) + '#' + [...calleeMap.values()].map((t) => t.map((c) => summaries.get(c)?.sig ?? '-').join('+')).join('|');
        const hit = cache.entries.get(fn);
        let entry: CacheEntry;
        if (hit && hit.depSig === depSig && !recursive) {
          entry = hit;
        } else {
          const facts = exploreFunction(fn, { resolveCall: resolver(calleeMap, summaries), annotations: annotated.annotationsOf(fn) });
          const summary = summarize(facts);
          entry = { depSig, facts, summary, summarySig: signature(summary) };
          cache.entries.set(fn, entry);
        }
        const previous = summaries.get(fn);
        if (!previous || previous.sig !== entry.summarySig) changed = true;
        summaries.set(fn, { summary: entry.summary, sig: entry.summarySig });
        results.set(fn, entry.facts);
      }
      if (!changed) break;
    }
  }
  return functions.map((fn) => results.get(fn)!);
}

function resolver(
  calleeMap: Map<CallOp, FunctionIR[]>, summaries: Map<FunctionIR, { summary: FunctionSummary }>,
): (op: CallOp, fn: FunctionIR) => CallEffect | undefined {
  // A call's effect depends only on the call and its targets' summaries: map it once, not per path.
  const memo = new Map<CallOp, CallEffect | undefined>();
  return (op, fn) => {
    if (memo.has(op)) return memo.get(op);
    const effect = effectFor(op, fn);
    memo.set(op, effect);
    return effect;
  };
  function effectFor(op: CallOp, fn: FunctionIR): CallEffect | undefined {
    const targets = calleeMap.get(op) ?? [];
    const effects: CallEffect[] = [];
    for (const t of targets) {
      const summary = summaries.get(t)?.summary;
      if (summary) effects.push(effectOf(summary, op, fn));
    }
    return effects.length === 0 ? undefined : effects.length === 1 ? effects[0] : mayEffect(effects);
  }
}

/** Any of several targets may run: what one of them may do, nothing that all must do. */
function mayEffect(effects: CallEffect[]): CallEffect {
  return {
    acquires: effects.flatMap((e) => e.acquires.map((a) => ({ ...a, must: false }))),
    blocks: effects.flatMap((e) => e.blocks),
    returnsHolding: [],
    releases: [],
  };
}

function signature(summary: FunctionSummary): string {
  return JSON.stringify([
    summary.acquires.map((a) => [a.fact.lock.path, a.fact.lock.cls, a.fact.lock.paramIndex, a.fact.mode, a.fact.lockKind, a.fact.irq, a.via.length, a.fact.dropped?.map((d) => d.path)]),
    summary.blocks.map((b) => [b.fact.api, b.fact.category, b.via.length, b.fact.dropped?.map((d) => d.path)]),
    summary.returnsHolding.map((h) => [h.key, h.mode, h.resultField]),
    summary.releases.map((r) => r.path),
    (summary.forgets ?? []).map((r) => r.path),
  ]);
}

/** Call-graph components, callees first. */
function callGraphComponents(
  functions: readonly FunctionIR[], callees: Map<FunctionIR, Map<CallOp, FunctionIR[]>>,
): FunctionIR[][] {
  return stronglyConnected(functions, (fn) => [...new Set([...callees.get(fn)!.values()].flat())]);
}
