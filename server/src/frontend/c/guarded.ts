// GUARDED_BY / PT_GUARDED_BY on struct fields and globals (Clang thread safety, Abseil, raw
// attributes) -> `access` ops for the reads and writes of those fields. Only the names this file
// declares guarded are looked at, so a file without such an annotation pays one regex test.
import type { GuardDecl, LockRef, Op } from '../../ir/types';
import { identifierText, type SyntaxNode } from '../../syntax/tree';
import { GUARDED_HINT } from './annotation-names';
import { blankNonCode, findAnnotations, parseLockExpr } from './annotation-text';
import { declaredBefore, enclosingStruct } from './annotation-orders';
import { LineIndex } from './annotations';
import type { FileScope } from './file-scope';
import { classOf } from './lockref';
import { compactText, operatorOf, spanOf, stripParens } from './syntax';
import type { VarScope } from './var-scope';

interface GuardedName {
  /** `struct foo` / typedef name of the declaring struct; '' for a global. */
  owner: string;
  guard: string;
  /** PT_GUARDED_BY: what the field points to is guarded, not the field. */
  pt: boolean;
  decl: GuardDecl;
}

/** Calls that return memory nobody else has seen yet: fields of it need no lock while initialised. */
const ALLOCATION = /alloc|^new$|_new$|^new_|^g_new|^kmemdup$|^strdup$/;

export class GuardedFields {
  /** Matches any guarded name in text: expressions without one are not walked for accesses. */
  readonly names: RegExp;

  private constructor(
    private readonly fields: Map<string, GuardedName[]>,
    private readonly globals: Map<string, GuardedName>,
    private readonly scope: FileScope,
  ) {
    const all = [...new Set([...fields.keys(), ...globals.keys()])];
    this.names = new RegExp(`\\b(?:${all.join('|')})\\b`);
  }

  /** Everything lowering reads from the declarations, for reusing a function's earlier lowering. */
  get key(): string {
    return JSON.stringify([[...this.fields], [...this.globals]]);
  }

  /** The guarded fields and globals one file declares, or undefined when it declares none. */
  static collect(text: string, scope: FileScope): GuardedFields | undefined {
    if (!GUARDED_HINT.test(text)) return undefined;
    const code = blankNonCode(text);
    let lines: LineIndex | undefined;
    const fields = new Map<string, GuardedName[]>();
    const globals = new Map<string, GuardedName>();
    for (const raw of findAnnotations(code, 0, code.length)) {
      const role = raw.entry.role;
      if ((role !== 'guarded' && role !== 'ptGuarded') || raw.args.length !== 1) continue;
      const name = declaredBefore(code, raw.start);
      const owner = name ? enclosingStruct(code, raw.start) : null;
      if (!name || owner === null) continue; // unnamed, or a local variable
      lines ??= new LineIndex(text);
      const annotation = text.slice(raw.start, raw.end);
      const g: GuardedName = {
        owner, guard: raw.args[0].trim(), pt: role === 'ptGuarded',
        decl: { field: owner ? `${owner}.${name}` : name, annotation, span: lines.span(raw.start, raw.end) },
      };
      if (!g.guard || g.guard.startsWith('!')) continue;
      if (owner) {
        const list = fields.get(name) ?? [];
        list.push(g);
        fields.set(name, list);
      } else {
        globals.set(name, g);
      }
    }
    return fields.size + globals.size > 0 ? new GuardedFields(fields, globals, scope) : undefined;
  }

  /** Whether `call` (a declaration's or assignment's value) allocates a fresh object. */
  static isAllocation(value: SyntaxNode): boolean {
    let v = stripParens(value);
    if (v.type === 'cast_expression') v = stripParens(v.childForFieldName('value') ?? v);
    if (v.type !== 'call_expression') return false;
    const fn = v.childForFieldName('function');
    return !!fn && fn.type === 'identifier' && ALLOCATION.test(identifierText(fn));
  }

  /**
   * The access op for `n` when it reads or writes a guarded name: a guarded field (`e->data`,
   * `e.data`) or global (`counter`), or for PT_GUARDED_BY what the field points to (`*e->p`,
   * `e->p[i]`, `e->p->x`). `fresh`: local variables holding objects this function allocated.
   */
  accessOf(n: SyntaxNode, type: string, vars: VarScope, write: boolean, fresh: ReadonlySet<string>): Op | undefined {
    switch (type) {
      case 'field_expression': {
        const hit = this.field(n, vars, fresh, false);
        if (hit) return this.op(n, hit, write);
        // `e->p->x`: the `->` dereferences a PT_GUARDED_BY field.
        const arg = n.childForFieldName('argument');
        const pt = arg && operatorOf(n) === '->' ? this.pointee(stripParens(arg), vars, fresh) : undefined;
        return pt ? this.op(n, pt, write) : undefined;
      }
      case 'identifier': {
        const g = this.globals.get(identifierText(n));
        if (!g || g.pt) return undefined;
        const storage = vars.lookup(identifierText(n)).storage;
        if (storage === 'local' || storage === 'param') return undefined;
        const guard = this.globalGuard(g.guard, vars);
        return guard ? this.op(n, { g, guards: [guard] }, write) : undefined;
      }
      case 'pointer_expression': {
        if (operatorOf(n) !== '*') return undefined;
        const arg = n.childForFieldName('argument');
        const pt = arg ? this.pointee(stripParens(arg), vars, fresh) : undefined;
        return pt ? this.op(n, pt, write) : undefined;
      }
      case 'subscript_expression': {
        const arg = n.childForFieldName('argument');
        const pt = arg ? this.pointee(stripParens(arg), vars, fresh) : undefined;
        return pt ? this.op(n, pt, write) : undefined;
      }
      default:
        return undefined;
    }
  }

  private op(n: SyntaxNode, hit: { g: GuardedName; guards: LockRef[] }, write: boolean): Op {
    return { kind: 'access', target: compactText(n.text), write, guards: hit.guards, guard: hit.g.decl, span: spanOf(n) };
  }

  /** A PT_GUARDED_BY field or global whose pointee `ptr` names. */
  private pointee(ptr: SyntaxNode, vars: VarScope, fresh: ReadonlySet<string>): { g: GuardedName; guards: LockRef[] } | undefined {
    if (ptr.type === 'field_expression') return this.field(ptr, vars, fresh, true);
    if (ptr.type === 'identifier') {
      const g = this.globals.get(identifierText(ptr));
      if (!g || !g.pt) return undefined;
      const storage = vars.lookup(identifierText(ptr)).storage;
      if (storage === 'local' || storage === 'param') return undefined;
      const guard = this.globalGuard(g.guard, vars);
      return guard ? { g, guards: [guard] } : undefined;
    }
    return undefined;
  }

  /** `obj->f` / `obj.f` for a guarded field `f` of obj's struct, with the guard on the same object. */
  private field(n: SyntaxNode, vars: VarScope, fresh: ReadonlySet<string>, pt: boolean): { g: GuardedName; guards: LockRef[] } | undefined {
    const f = n.childForFieldName('field');
    const candidates = f && this.fields.get(identifierText(f));
    if (!candidates) return undefined;
    const objNode = n.childForFieldName('argument');
    if (!objNode) return undefined;
    const obj = stripParens(objNode);
    const arrow = operatorOf(n) === '->';
    if (obj.type === 'identifier') {
      const root = identifierText(obj);
      const storage = vars.lookup(root).storage;
      // A struct on this function's stack, or an object it just allocated: nobody else sees it yet.
      if (fresh.has(root) || (storage === 'local' && !arrow)) return undefined;
    }
    const objText = compactText(obj.text);
    for (const g of candidates) {
      if (g.pt !== pt) continue;
      const guard = this.fieldGuard(g, objText, arrow, vars);
      if (guard) return { g, guards: [guard] };
    }
    return undefined;
  }

  /** The guard of `g` on the object `objText`, when that object is (or may be) of g's struct. */
  private fieldGuard(g: GuardedName, objText: string, arrow: boolean, vars: VarScope): LockRef | undefined {
    const root = /^[A-Za-z_]\w*/.exec(g.guard)?.[0];
    // A guard that is not a field of the struct (a global mutex): the global itself.
    const ownFields = this.scope.structs.get(g.owner);
    if (root && this.scope.globals.has(root) && !(ownFields && ownFields.has(root))) return this.globalGuard(g.guard, vars);
    const text = `${objText}${arrow ? '->' : '.'}${g.guard}`;
    const ref = refOf(text, vars);
    if (!ref) return undefined;
    if (ref.cls !== undefined) {
      // The object's type is known: it must be g's struct (or a typedef of it).
      const guardPath = '.' + g.guard.replace(/->/g, '.').replace(/\s+/g, '');
      if (!ref.cls.endsWith(guardPath)) return undefined;
      if (!this.sameType(ref.cls.slice(0, ref.cls.length - guardPath.length), g.owner)) return undefined;
    } else if (!this.unambiguous(g)) {
      return undefined;
    }
    return ref;
  }

  private globalGuard(guard: string, vars: VarScope): LockRef | undefined {
    return refOf(guard, vars);
  }

  private sameType(type: string, owner: string): boolean {
    for (let t: string | undefined = type, i = 0; t && i < 8; i++) {
      if (t === owner) return true;
      t = this.scope.typedefs.get(t);
    }
    for (let t: string | undefined = owner, i = 0; t && i < 8; i++) {
      if (t === type) return true;
      t = this.scope.typedefs.get(t);
    }
    return false;
  }

  /** An object of unknown type may only be the guarded field's struct when no other struct of the file has that field. */
  private unambiguous(g: GuardedName): boolean {
    const name = g.decl.field.slice(g.owner.length + 1);
    if ((this.fields.get(name) ?? []).some((o) => o.owner !== g.owner)) return false;
    for (const [type, fields] of this.scope.structs) {
      if (fields.has(name) && !this.sameType(type, g.owner)) return false;
    }
    return true;
  }
}

function refOf(text: string, vars: VarScope): LockRef | undefined {
  const parts = parseLockExpr(text);
  if (!parts) return undefined;
  const path = parts.base + parts.segments.join('');
  const ref: LockRef = { text, path, root: parts.root };
  const cls = classOf(parts, path, vars);
  if (cls !== undefined) ref.cls = cls;
  const pi = parts.root ? vars.paramIndex(parts.root) : -1;
  if (pi >= 0) ref.paramIndex = pi;
  return ref;
}
