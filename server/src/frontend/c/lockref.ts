// Lock expressions -> LockRef: the per-function instance path and the workspace-wide class.
import type { LockRef } from '../../ir/types';
import { identifierText, type SyntaxNode } from '../../syntax/tree';
import { declaredName, typeNameOf, type FileScope } from './file-scope';
import { typeNameOfDescriptor, type VarScope } from './var-scope';
import { compactText, firstNamed } from './syntax';

export interface PathParts {
  root: string;          // first identifier, '' when the base is a call or literal
  base: string;          // root, or the compact text of a non-identifier base
  segments: string[];    // '.field' or '[]', outermost last
  castType?: string;     // type of an explicit cast applied to the base of the outermost `castAt` segments
  castAt: number;        // the last `castAt` segments are accessed on the cast's result
  /** For each '[]' segment, its index when it is a constant (`0`, `N_TX_RINGS`): distinct elements, distinct instances. */
  indexes?: (string | undefined)[];
  /** The function whose result is the base (`rx_ring` of `rx_ring(mac)->lock`). */
  callee?: string;
}

const MAX_PATH_STEPS = 128;

/** Decomposes `&dev->priv->lock`, `((struct foo *)p)->lock`, `tbl[i].lock`, `*lockp`. */
function pathParts(expr: SyntaxNode): PathParts {
  const rev: string[] = [];
  const revIndex: (string | undefined)[] = [];
  let castType: string | undefined;
  let castOuter = -1; // number of segments collected (outer ones) when the cast was met
  let n: SyntaxNode | null = expr;
  for (let step = 0; n && step < MAX_PATH_STEPS; step++) {
    switch (n.type) {
      case 'parenthesized_expression':
        n = firstNamed(n);
        continue;
      case 'pointer_expression':
        n = n.childForFieldName('argument');
        continue;
      case 'cast_expression':
        if (castType === undefined) {
          castType = typeNameOfDescriptor(n.childForFieldName('type'));
          castOuter = rev.length;
        }
        n = n.childForFieldName('value');
        continue;
      case 'field_expression': {
        const f = n.childForFieldName('field');
        rev.push('.' + (f ? identifierText(f) : '?'));
        n = n.childForFieldName('argument');
        continue;
      }
      case 'subscript_expression':
        rev.push('[]');
        revIndex[rev.length - 1] = constantIndex(n.childForFieldName('index'));
        n = n.childForFieldName('argument');
        continue;
      case 'identifier': {
        const segments = rev.reverse();
        const name = identifierText(n);
        return { root: name, base: name, segments, castType, castAt: castType ? castOuter : 0, indexes: indexesOf(revIndex, rev.length) };
      }
      default: {
        const segments = rev.reverse();
        const fn = n.type === 'call_expression' ? n.childForFieldName('function') : null;
        const callee = fn?.type === 'identifier' ? identifierText(fn) : undefined;
        return {
          root: '', base: compactText(n.text), segments, castType, castAt: castType ? castOuter : 0, indexes: indexesOf(revIndex, rev.length),
          ...(callee ? { callee } : {}),
        };
      }
    }
  }
  return { root: '', base: compactText(expr.text), segments: [], castAt: 0 };
}

/** A constant array index: a number or an upper-case macro, alone or in simple arithmetic. */
function constantIndex(idx: SyntaxNode | null): string | undefined {
  if (!idx) return undefined;
  const t = compactText(idx.text);
  return /^[\dA-Z_+\-*() ]+$/.test(t) && !/^_*$/.test(t) ? t : undefined;
}

function indexesOf(revIndex: (string | undefined)[], length: number): (string | undefined)[] | undefined {
  if (!revIndex.some((x) => x !== undefined)) return undefined;
  const out: (string | undefined)[] = [];
  for (let i = length - 1; i >= 0; i--) out.push(revIndex[i]);
  return out;
}

/** The type that declares the fields of `typeName`, following typedefs (bounded: typedef loops exist in broken code). */
function fieldsOf(scope: FileScope, typeName: string): Map<string, string | undefined> | undefined {
  let t: string | undefined = typeName;
  for (let i = 0; t && i < 8; i++) {
    const fields = scope.structs.get(t);
    if (fields) return fields;
    t = scope.typedefs.get(t);
  }
  return undefined;
}

/**
 * `struct foo.lock` for a field chain on a value of type `struct foo`; longer chains step through
 * struct definitions of this file while the field types are known (`dev->priv->lock` ->
 * `struct priv.lock`), and otherwise keep the rest of the chain on the innermost known type.
 */
export function classOnType(scope: FileScope, typeName: string, segments: readonly string[]): string {
  let type = typeName;
  let start = 0;
  // The last field stays in the class (`struct dev.locks[]`, not `spinlock_t[]`).
  let lastField = segments.length - 1;
  while (lastField > 0 && segments[lastField] === '[]') lastField--;
  for (let i = 0; i < lastField; i++) {
    const seg = segments[i];
    if (seg === '[]') {
      // Indexing an array (or pointer) of T keeps T, but only right at the current type.
      if (i === start) start = i + 1;
      continue;
    }
    const fieldType = fieldsOf(scope, type)?.get(seg.slice(1));
    if (!fieldType) break;
    type = fieldType;
    start = i + 1;
  }
  return type + segments.slice(start).join('');
}

function isLvalueShaped(n: SyntaxNode): boolean {
  switch (n.type) {
    case 'identifier':
      // ALL_CAPS names are macro constants (GFP_KERNEL, NULL), not lock objects.
      return !/^[A-Z][A-Z0-9_]*$/.test(identifierText(n));
    case 'field_expression':
    case 'subscript_expression':
      return true;
    case 'pointer_expression':
    case 'parenthesized_expression':
    case 'cast_expression': {
      const inner = n.type === 'pointer_expression' ? n.childForFieldName('argument')
        : n.type === 'cast_expression' ? n.childForFieldName('value') : firstNamed(n);
      return !!inner && isLvalueShaped(inner);
    }
    default:
      return false;
  }
}

/** A LockRef for a lock argument (any expression shape; a call base gives root ''). */
export function lockRefOf(expr: SyntaxNode, vars: VarScope): LockRef {
  return refOfParts(pathParts(expr), expr.text, vars);
}

/**
 * A LockRef for the field `field` of the object `expr` points to (`rnp` -> `rnp->lock`), spelled
 * as the plain API's argument `&rnp->lock` would be, so both kinds of call name one instance.
 */
export function fieldLockRefOf(expr: SyntaxNode, field: string, vars: VarScope): LockRef {
  const parts = pathParts(expr);
  // pathParts reads `&obj` and `ptr` alike (paths spell `->` and `.` both as '.').
  parts.segments.push('.' + field);
  if (parts.indexes) parts.indexes.push(undefined);
  // The new, outermost segment is reached through the cast's result like the ones after it.
  if (parts.castType) parts.castAt++;
  const inner = stripAddressOf(expr);
  const text = inner ? `&${inner.text}.${field}` : expr.type === 'identifier' || expr.type === 'field_expression'
    ? `&${expr.text}->${field}` : `&(${expr.text})->${field}`;
  return refOfParts(parts, text, vars);
}

/** `x` of `&x`, else null. */
function stripAddressOf(expr: SyntaxNode): SyntaxNode | null {
  if (expr.type !== 'pointer_expression' || !expr.text.startsWith('&')) return null;
  return expr.childForFieldName('argument');
}

function refOfParts(parts: PathParts, text: string, vars: VarScope): LockRef {
  const classPath = parts.base + parts.segments.join('');
  const path = parts.indexes
    ? parts.base + parts.segments.map((seg, i) => (parts.indexes![i] !== undefined ? `[${parts.indexes![i]}]` : seg)).join('')
    : classPath;
  const ref: LockRef = { text, path, root: parts.root };
  const cls = classOf(parts, classPath, vars);
  if (cls !== undefined) ref.cls = cls;
  const pi = parts.root ? vars.paramIndex(parts.root) : -1;
  if (pi >= 0) ref.paramIndex = pi;
  return ref;
}

/** A LockRef for a call argument when it looks like a lock-capable lvalue, else null. */
export function argRefOf(expr: SyntaxNode, vars: VarScope): LockRef | null {
  return isLvalueShaped(expr) ? lockRefOf(expr, vars) : null;
}

export function classOf(parts: PathParts, path: string, vars: VarScope): string | undefined {
  const scope = vars.file;
  if (parts.castType && parts.castAt > 0) {
    return classOnType(scope, parts.castType, parts.segments.slice(parts.segments.length - parts.castAt));
  }
  if (!parts.root) {
    // An accessor's result (`rx_ring(mac)->lock`): the class of the field on its declared return type.
    const type = parts.callee && parts.segments.length > 0 ? returnTypeOf(scope, parts.callee) : undefined;
    return type ? classOnType(scope, type, parts.segments) : undefined;
  }
  const v = vars.lookup(parts.root);
  if (v.storage === 'global') return `global:${path}`;
  if (v.storage === 'static') return `static:${scope.file}:${path}`;
  // A parameter or local: only a field of a typed object has a class shared across functions.
  if (parts.segments.length === 0 || !v.typeName) return undefined;
  return classOnType(scope, v.typeName, parts.segments);
}

const returnTypes = new WeakMap<FileScope, Map<string, string | undefined>>();

/**
 * The struct type a function defined in this file returns (`struct rxring` of
 * `static struct rxring *rx_ring(...)`); undefined when unknown or when definitions disagree
 * (`#ifdef` variants). Computed once per file, on the first lock named through a call.
 */
function returnTypeOf(scope: FileScope, name: string): string | undefined {
  let types = returnTypes.get(scope);
  if (!types) {
    types = new Map();
    for (const def of scope.functions) {
      const id = declaredName(def.childForFieldName('declarator'));
      if (!id) continue;
      const fnName = identifierText(id);
      const type = typeNameOf(def.childForFieldName('type'));
      types.set(fnName, types.has(fnName) && types.get(fnName) !== type ? undefined : type);
    }
    returnTypes.set(scope, types);
  }
  return types.get(name);
}

/** Pseudo-locks named by an API entry (rcu, ebpf_epoch): one global instance. */
export function pseudoLockRef(name: string): LockRef {
  return { text: name, path: name, root: name, cls: `global:${name}` };
}
