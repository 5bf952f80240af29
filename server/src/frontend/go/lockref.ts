// Lock expressions -> LockRef: instance path inside the function, class across the workspace.
import type { LockRef } from '../../ir/types';
import type { SyntaxNode } from '../../syntax/tree';
import { selectorParts, Source } from './syntax';
import { FileTypes, Scope, elemOf, fieldType, namedBase, qualify, resolveType } from './types-scope';

export interface TypeCtx {
  src: Source;
  ft: FileTypes;
  scope: Scope;
}

/** A path expression split into its root identifier and field / `[]` segments. */
export interface PathParts {
  root: string;
  segs: string[];
}

/**
 * `&e.mu` -> e, [mu]; `(*e).mu` -> e, [mu]; `a[i].mu` -> a, [[], mu]. Undefined when the
 * expression is not rooted at an identifier (calls, literals). Iterative: selector chains nest.
 */
export function pathParts(n: SyntaxNode, src: Source): PathParts | undefined {
  const segs: string[] = [];
  let cur: SyntaxNode | null = n;
  for (let guard = 0; cur && guard < 500; guard++) {
    switch (cur.type) {
      case 'identifier':
        segs.reverse();
        return { root: src.of(cur), segs };
      case 'selector_expression': {
        const sp = selectorParts(cur);
        if (!sp) return undefined;
        segs.push(src.of(sp[1]));
        cur = sp[0];
        break;
      }
      case 'index_expression':
      case 'slice_expression':
        segs.push('[]');
        cur = cur.namedChild(0);
        break;
      case 'parenthesized_expression':
      case 'type_assertion_expression':
        cur = cur.namedChild(0);
        break;
      case 'unary_expression': {
        if (!src.startsWith(cur, '&') && !src.startsWith(cur, '*')) return undefined;
        cur = cur.namedChild(0);
        break;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

export function pathString(p: PathParts): string {
  let s = p.root;
  for (const seg of p.segs) s += seg === '[]' ? '[]' : '.' + seg;
  return s;
}

/** Whether a root identifier names a package (import) rather than a variable here. */
export function isPackageName(name: string, ctx: TypeCtx): boolean {
  return !ctx.scope.has(name) && !ctx.ft.pkgVars.has(name) && ctx.ft.imports.has(name);
}

interface ClassWalk {
  cls?: string;
  /** static type of the whole path, when known */
  type?: string;
}

/**
 * Walks the field chain from the root's type. The class is anchored at the innermost named type
 * whose field is selected (`e.peer.mu` with `peer *endpoint` -> `<pkg>.endpoint.mu`), so every
 * function naming that field agrees. Unknown roots are package-level variables of another file
 * (every local declaration is in scope), so they anchor at `<pkg>.<name>`.
 */
function walkClass(p: PathParts, ctx: TypeCtx): ClassWalk {
  const { ft, scope } = ctx;
  const v = scope.get(p.root);
  let type: string | undefined;
  let anchor: string | undefined;
  if (v) {
    type = v.type;
    if (!type) return {};
  } else {
    if (ft.imports.has(p.root) && !ft.pkgVars.has(p.root)) return {};
    type = ft.pkgVars.get(p.root);
    anchor = `${ft.pkg}.${p.root}`;
  }
  let rest = '';
  for (const seg of p.segs) {
    if (seg === '[]') {
      type = type ? elemOf(resolveType(type, ft)) : undefined;
      rest += '[]';
      continue;
    }
    const base = type ? namedBase(resolveType(type, ft)) : undefined;
    // Fields of the sync types themselves (`cond.L`) stay relative to the enclosing struct.
    if (base && !isSyncType(base, ft)) {
      anchor = qualify(base, ft);
      rest = '';
    }
    rest += '.' + seg;
    type = type ? fieldType(type, seg, ft) : undefined;
  }
  return { cls: anchor !== undefined ? anchor + rest : undefined, type };
}

export function isSyncType(base: string, ft: FileTypes): boolean {
  const dot = base.indexOf('.');
  return dot > 0 && (ft.imports.get(base.slice(0, dot)) ?? base.slice(0, dot)) === 'sync';
}

function paramIndexOf(root: string, ctx: TypeCtx): number | undefined {
  const v = ctx.scope.get(root);
  if (!v) return undefined;
  if (v.kind === 'receiver') return -1;
  return v.kind === 'param' ? v.paramIndex : undefined;
}

/** LockRef for a lock expression (`e.mu`, `&s.locks[i]`, `mu`). */
export function lockRefOf(n: SyntaxNode, ctx: TypeCtx): LockRef {
  const text = ctx.src.short(n, 120);
  const p = pathParts(n, ctx.src);
  if (!p) return { text, path: ctx.src.compact(n, 200), root: '' };
  return refFromParts(text, p, ctx);
}

export function refFromParts(text: string, p: PathParts, ctx: TypeCtx): LockRef {
  const ref: LockRef = { text, path: pathString(p), root: p.root };
  const w = walkClass(p, ctx);
  // A function-local mutex (`var mu sync.Mutex`) cannot order against other functions.
  if (w.cls !== undefined && !(p.segs.length === 0 && ctx.scope.has(p.root))) ref.cls = w.cls;
  const pi = paramIndexOf(p.root, ctx);
  if (pi !== undefined) ref.paramIndex = pi;
  return ref;
}

/**
 * The struct value itself is the lock (embedded sync.Mutex): path of the value, class of its
 * named type (`s.Lock()` with `s *T` -> `<pkg>.T`). `s.Mutex.Lock()` is normalised to the same.
 */
export function embeddedLockRef(n: SyntaxNode, ctx: TypeCtx, structType: string | undefined): LockRef {
  const text = ctx.src.short(n, 120);
  const p = pathParts(n, ctx.src);
  if (!p) return { text, path: ctx.src.compact(n, 200), root: '' };
  const ref: LockRef = { text, path: pathString(p), root: p.root };
  const base = structType ? namedBase(resolveType(structType, ctx.ft)) : undefined;
  const cls = base ? qualify(base, ctx.ft) : walkClass(p, ctx).cls;
  if (cls !== undefined && !(p.segs.length === 0 && ctx.scope.get(p.root)?.kind === 'local' && !base)) ref.cls = cls;
  const pi = paramIndexOf(p.root, ctx);
  if (pi !== undefined) ref.paramIndex = pi;
  return ref;
}

/** Static type of a split path, when known. */
export function partsType(p: PathParts, ctx: TypeCtx): string | undefined {
  return walkClass(p, ctx).type;
}

/** Static type of a path expression via the class walk (used when inferType cannot see it). */
export function pathType(n: SyntaxNode, ctx: TypeCtx): string | undefined {
  const p = pathParts(n, ctx.src);
  return p ? walkClass(p, ctx).type : undefined;
}
