// Lock contracts written in the source, applied to the analysis: a function is explored holding
// what it requires, its summary says what its annotation says where inference cannot (a prototype
// without a body, a helper that returns holding a lock on some paths only), and annotated
// prototypes lend their contract to the definition. Pure: annotations in, annotations out.
import type {
  AnnotatedLock, FunctionAnnotations, FunctionDeclaration, FunctionIR, LockKind, LockRef, Op,
} from '../ir/types';

export interface AnnotatedProgram {
  /** The definitions, plus one body-less function per annotated prototype nothing defines. */
  functions: FunctionIR[];
  annotationsOf(fn: FunctionIR): FunctionAnnotations | undefined;
  /** Changes whenever the function's effective contract does (for result caches). */
  signatureOf(fn: FunctionIR): string;
}

const ROLES = ['requires', 'acquires', 'releases', 'excludes', 'tryAcquires'] as const;

export function annotateProgram(
  functions: readonly FunctionIR[], declarations: readonly FunctionDeclaration[] = [],
): AnnotatedProgram {
  const merged = new Map<FunctionIR, FunctionAnnotations>();
  const extra: FunctionIR[] = [];
  if (declarations.length > 0) {
    const byName = new Map<string, FunctionIR[]>();
    for (const fn of functions) {
      const list = byName.get(fn.name);
      if (list) list.push(fn);
      else byName.set(fn.name, [fn]);
    }
    const declaredOnly = new Map<string, FunctionIR>();
    for (const d of declarations) {
      const defs = (byName.get(d.name) ?? []).filter((f) => (d.isStatic || f.isStatic ? f.file === d.file : true));
      if (defs.length === 0) {
        const key = d.isStatic ? `${d.file}:${d.name}` : d.name;
        const known = declaredOnly.get(key);
        if (known) merged.set(known, mergeAnnotations(merged.get(known)!, reroot(d.annotations, known.params, d.file)));
        else declaredOnly.set(key, bodiless(d));
        continue;
      }
      for (const def of defs) {
        merged.set(def, mergeAnnotations(merged.get(def) ?? def.annotations, reroot(d.annotations, def.params, d.file)));
      }
    }
    for (const fn of declaredOnly.values()) {
      extra.push(fn);
      merged.set(fn, fn.annotations!);
    }
  }
  const all = extra.length > 0 ? [...functions, ...extra] : [...functions];
  const kinds = lockKindResolver(all);
  const resolved = new Map<FunctionIR, FunctionAnnotations | undefined>();
  const annotationsOf = (fn: FunctionIR): FunctionAnnotations | undefined => {
    if (resolved.has(fn)) return resolved.get(fn);
    const raw = merged.get(fn) ?? fn.annotations;
    const out = raw && withKinds(withoutTakeAndDrop(raw, fn), fn, kinds);
    resolved.set(fn, out);
    return out;
  };
  const signatures = new Map<FunctionIR, string>();
  return {
    functions: all,
    annotationsOf,
    signatureOf(fn) {
      let sig = signatures.get(fn);
      if (sig === undefined) {
        const a = annotationsOf(fn);
        sig = a ? contractSignature(a) : '';
        signatures.set(fn, sig);
      }
      return sig;
    },
  };
}

function bodiless(d: FunctionDeclaration): FunctionIR {
  return {
    name: d.name,
    qualifiedName: d.isStatic ? `${d.file}:${d.name}` : d.name,
    file: d.file,
    span: d.nameSpan,
    nameSpan: d.nameSpan,
    params: d.params,
    isStatic: d.isStatic,
    nodes: [],
    incomplete: false,
    annotations: d.annotations,
  };
}

function contractSignature(a: FunctionAnnotations): string {
  const locks = (ls: readonly AnnotatedLock[]) => ls.map((l) => `${l.lock.path}|${l.lock.cls ?? ''}|${l.lock.paramIndex ?? ''}|${l.mode}|${l.lockKind ?? ''}`).join(',');
  return [...ROLES.map((r) => locks(a[r])), a.noAnalysis ? 'n' : '', a.atomic ? 'a' : ''].join(';');
}

/** A prototype's contract in the definition's parameter names (`rq` in the header, `this_rq` in the body). */
function reroot(a: FunctionAnnotations, params: readonly string[], file: string): FunctionAnnotations {
  const fix = (l0: AnnotatedLock): AnnotatedLock => {
    const l = l0.file ? l0 : { ...l0, file };
    const i = l.lock.paramIndex;
    const name = i !== undefined && i >= 0 ? params[i] : undefined;
    if (!name || name === l.lock.root || !l.lock.root) return l;
    const root = l.lock.root;
    return {
      ...l,
      lock: {
        ...l.lock,
        root: name,
        path: name + l.lock.path.slice(root.length),
        text: l.lock.text.replace(new RegExp(`\\b${root}\\b`), name),
      },
    };
  };
  return {
    ...a,
    requires: a.requires.map(fix), acquires: a.acquires.map(fix), releases: a.releases.map(fix),
    excludes: a.excludes.map(fix), tryAcquires: a.tryAcquires.map(fix),
  };
}

function mergeAnnotations(a: FunctionAnnotations | undefined, b: FunctionAnnotations): FunctionAnnotations {
  if (!a) return b;
  const join = <T extends AnnotatedLock>(x: readonly T[], y: readonly T[]): T[] => {
    const seen = new Set(x.map((l) => `${l.lock.path}|${l.mode}`));
    return [...x, ...y.filter((l) => !seen.has(`${l.lock.path}|${l.mode}`))];
  };
  return {
    requires: join(a.requires, b.requires), acquires: join(a.acquires, b.acquires), releases: join(a.releases, b.releases),
    excludes: join(a.excludes, b.excludes), tryAcquires: join(a.tryAcquires, b.tryAcquires),
    noAnalysis: a.noAnalysis ?? b.noAnalysis, atomic: a.atomic ?? b.atomic,
  };
}

type KindResolver = (fn: FunctionIR, lock: LockRef) => LockKind | undefined;

/**
 * What kind of lock an annotation names, when it does not say: the kind the function's own
 * lock operations on it use, else the kind other functions acquire that class with.
 */
function lockKindResolver(functions: readonly FunctionIR[]): KindResolver {
  let byClass: Map<string, LockKind> | undefined;
  const ownKinds = new Map<FunctionIR, Map<string, LockKind>>();
  const visitOps = (fn: FunctionIR, visit: (op: Op) => void) => {
    const walk = (op: Op) => (op.kind === 'defer' ? op.ops.forEach(walk) : visit(op));
    for (const node of fn.nodes) walk(node.op);
  };
  return (fn, lock) => {
    let own = ownKinds.get(fn);
    if (!own) {
      own = new Map();
      const m = own;
      visitOps(fn, (op) => {
        if (op.kind === 'acquire' || op.kind === 'release') m.set(op.lock.path, op.lockKind);
      });
      ownKinds.set(fn, own);
    }
    const mine = own.get(lock.path);
    if (mine) return mine;
    if (!lock.cls) return undefined;
    if (!byClass) {
      const m = new Map<string, LockKind>();
      for (const f of functions) {
        visitOps(f, (op) => {
          if (op.kind === 'acquire' && op.lock.cls && !m.has(op.lock.cls)) m.set(op.lock.cls, op.lockKind);
        });
      }
      byClass = m;
    }
    return byClass.get(lock.cls);
  };
}

function withKinds(a: FunctionAnnotations, fn: FunctionIR, kinds: KindResolver): FunctionAnnotations {
  const fill = <T extends AnnotatedLock>(l: T): T => {
    if (l.lockKind) return l;
    const kind = kinds(fn, l.lock);
    return kind ? { ...l, lockKind: kind } : l;
  };
  return {
    ...a,
    requires: a.requires.map(fill), acquires: a.acquires.map(fill), releases: a.releases.map(fill),
    excludes: a.excludes.map(fill), tryAcquires: a.tryAcquires.map(fill),
  };
}

export { annotatedKey, annotatedReturnsHolding, annotationApi, entryHeld, handedToCallee } from './annotation-entry';
import { withoutTakeAndDrop } from './annotation-entry';
