// What the Go front end knows about types: declarations of this file (structs, aliases, methods,
// function results, package vars, imports) and per-function variable scopes. Types are kept as
// normalised type strings as written (`*sync.Mutex`, `[]*conn`, `chan struct{}`); anonymous
// struct types get a synthetic name `struct#<offset>` so their fields can be looked up too.
import type { SyntaxNode } from '../../syntax/tree';
import { callParts, kids, namedKids, selectorParts, Source } from './syntax';

export interface StructDef {
  /** field name -> type string; embedded fields are named by their type's base name. */
  fields: Map<string, string>;
  /** type strings of embedded fields, in declaration order. */
  embedded: string[];
}

export interface FileTypes {
  pkg: string;
  /** local package name (alias or last path element) -> import path */
  imports: Map<string, string>;
  structs: Map<string, StructDef>;
  /** named non-struct types and aliases: name -> underlying/aliased type string */
  named: Map<string, string>;
  /** "T.M" for every method declared in this file (T without pointer or type arguments) */
  methods: Set<string>;
  /** function name or "T.M" -> result type strings */
  results: Map<string, string[]>;
  /** package-level variables of this file -> type string when known */
  pkgVars: Map<string, string | undefined>;
  /** interface types declared in this file -> their method names (embedded interfaces not expanded) */
  interfaces: Map<string, string[]>;
}

export type VarKind = 'receiver' | 'param' | 'local' | 'captured';

export interface VarInfo {
  kind: VarKind;
  type?: string;
  paramIndex?: number;
  /** the variable holds this function literal (its FunctionIR name): `f := func(){...}; f()` */
  lit?: string;
  /** `c := sync.NewCond(&mu)`: the lock `c.Wait()` releases */
  condLock?: import('../../ir/types').LockRef;
  /** `rl := mu.RLocker()`: `rl.Lock()` / `rl.Unlock()` are `mu.RLock()` / `mu.RUnlock()` */
  rlocker?: import('../../ir/types').LockRef;
}

/** Variables visible in a function body, in declaration order (later declarations shadow). */
export type Scope = Map<string, VarInfo>;

const PREDECLARED = new Set([
  'bool', 'byte', 'complex64', 'complex128', 'error', 'float32', 'float64', 'int', 'int8', 'int16',
  'int32', 'int64', 'rune', 'string', 'uint', 'uint8', 'uint16', 'uint32', 'uint64', 'uintptr', 'any',
  'comparable',
]);

export function isPredeclaredType(name: string): boolean {
  return PREDECLARED.has(name);
}

// ---------- type strings ----------

const STRUCTURED = /^(struct#|\[|map\[|chan\b|<-chan\b|func\b|interface\b)/;

export function deref(t: string): string {
  let i = 0;
  while (t.charCodeAt(i) === 42 /* * */) i++;
  return i ? t.slice(i) : t;
}

export function isChanType(t: string | undefined): boolean {
  return t !== undefined && /^(<-\s*)?chan\b/.test(t);
}

/** Element type of a slice, array, map, channel (or pointer to array). */
export function elemOf(t: string): string | undefined {
  const u = deref(t);
  if (u.startsWith('chan<-') || u.startsWith('<-chan')) return u.slice(6).trim() || undefined;
  if (u.startsWith('chan')) return u.slice(4).trim() || undefined;
  let start = -1;
  if (u.startsWith('[')) start = 0;
  else if (u.startsWith('map[')) start = 3;
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = start; i < u.length; i++) {
    const c = u[i];
    if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return u.slice(i + 1) || undefined;
  }
  return undefined;
}

/** `*pkg.T[K]` -> `pkg.T`; undefined for unnamed (structured) and predeclared types. */
export function namedBase(t: string): string | undefined {
  let u = deref(t);
  if (STRUCTURED.test(u)) return undefined;
  const br = u.indexOf('[');
  if (br > 0) u = u.slice(0, br);
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/.test(u) || PREDECLARED.has(u)) return undefined;
  return u;
}

/** Class anchor for a named type: `T` -> `<pkg>.T`, `other.T` stays. */
export function qualify(base: string, ft: FileTypes): string {
  return base.includes('.') ? base : `${ft.pkg}.${base}`;
}

/** Follows this file's aliases and named non-struct types (`type mu = sync.Mutex`), keeping pointers. */
export function resolveType(t: string, ft: FileTypes): string {
  let cur = t;
  for (let i = 0; i < 5; i++) {
    const stars = cur.length - deref(cur).length;
    const base = namedBase(cur);
    if (!base || base.includes('.') || ft.structs.has(base)) return cur;
    const under = ft.named.get(base);
    if (!under) return cur;
    cur = '*'.repeat(stars) + under;
  }
  return cur;
}

/** The struct definition a (possibly pointer) type refers to, when this file declares it. */
export function structOf(t: string, ft: FileTypes): StructDef | undefined {
  const r = resolveType(t, ft);
  const u = deref(r);
  if (u.startsWith('struct#')) return ft.structs.get(u);
  const base = namedBase(r);
  if (!base) return undefined;
  if (base.startsWith(ft.pkg + '.')) return ft.structs.get(base.slice(ft.pkg.length + 1));
  return base.includes('.') ? undefined : ft.structs.get(base);
}

/**
 * Field type, including fields promoted from embedded structs of this file (bounded depth).
 * Breadth-first with a visited set: a struct embedding itself, or hundreds of embeddings in
 * broken code, must not make one lookup exponential.
 */
export function fieldType(t: string, field: string, ft: FileTypes): string | undefined {
  const seen = new Set<StructDef>();
  let level: string[] = [t];
  for (let depth = 0; depth <= 3 && level.length > 0; depth++) {
    const next: string[] = [];
    for (const cur of level) {
      const def = structOf(cur, ft);
      if (!def || seen.has(def)) continue;
      seen.add(def);
      const direct = def.fields.get(field);
      if (direct !== undefined) return direct;
      next.push(...def.embedded);
    }
    level = next;
  }
  return undefined;
}

/** Normalised text of a type node; struct literals are registered under a synthetic name. */
export function typeString(n: SyntaxNode, src: Source, ft: FileTypes, depth = 0): string {
  switch (n.type) {
    case 'pointer_type': {
      const inner = n.namedChild(0);
      return inner ? '*' + typeString(inner, src, ft, depth + 1) : src.compact(n);
    }
    case 'parenthesized_type': {
      const inner = n.namedChild(0);
      return inner ? typeString(inner, src, ft, depth + 1) : src.compact(n);
    }
    case 'struct_type': {
      const key = `struct#${n.startIndex}`;
      if (depth < 50 && !ft.structs.has(key)) ft.structs.set(key, structDef(n, src, ft, depth + 1));
      return key;
    }
    default:
      return normaliseTypeText(src.of(n));
  }
}

function normaliseTypeText(t: string): string {
  return t.replace(/\s+/g, ' ').replace(/ ?([*[\].,(){}]) ?/g, '$1').replace(/<- ?/g, '<-').trim();
}

function structDef(n: SyntaxNode, src: Source, ft: FileTypes, depth: number): StructDef {
  const def: StructDef = { fields: new Map(), embedded: [] };
  const list = namedKids(n).find((c) => c.type === 'field_declaration_list');
  if (!list) return def;
  for (const fd of namedKids(list)) {
    if (fd.type !== 'field_declaration') continue;
    const typeNode = fd.childForFieldName('type');
    if (!typeNode) continue;
    let t = typeString(typeNode, src, ft, depth);
    const names = namedKids(fd).filter((c) => c.type === 'field_identifier').map((c) => src.of(c));
    if (names.length === 0) {
      // Embedded field: `sync.Mutex`, `*Base`, named by its type's base name.
      if (kids(fd).some((c) => c.type === '*') && !t.startsWith('*')) t = '*' + t;
      def.embedded.push(t);
      const base = namedBase(t);
      if (base) def.fields.set(base.slice(base.lastIndexOf('.') + 1), t);
    } else {
      for (const name of names) def.fields.set(name, t);
    }
  }
  return def;
}

// ---------- file-level collection ----------

function importName(path: string): string {
  const parts = path.split('/');
  let last = parts[parts.length - 1];
  // gopkg.in/yaml.v2 -> yaml, github.com/x/go-foo -> foo, example.com/mod/v2 -> mod
  if (/^v\d+$/.test(last) && parts.length > 1) last = parts[parts.length - 2];
  last = last.replace(/\.v\d+$/, '').replace(/^go-/, '').replace(/[.-]go$/, '');
  return last.replace(/[^\w]/g, '_');
}

function collectImports(decl: SyntaxNode, src: Source, ft: FileTypes): void {
  const specs: SyntaxNode[] = [];
  for (const c of namedKids(decl)) {
    if (c.type === 'import_spec') specs.push(c);
    else if (c.type === 'import_spec_list') for (const s of namedKids(c)) if (s.type === 'import_spec') specs.push(s);
  }
  for (const s of specs) {
    const pathNode = s.childForFieldName('path');
    if (!pathNode) continue;
    const path = src.of(pathNode).replace(/^["`]|["`]$/g, '');
    const nameNode = s.childForFieldName('name');
    const alias = nameNode && nameNode.type === 'package_identifier' ? src.of(nameNode) : undefined;
    if (nameNode && !alias) continue; // `.` and `_` imports name nothing
    ft.imports.set(alias ?? importName(path), path);
  }
}

function collectTypes(decl: SyntaxNode, src: Source, ft: FileTypes): void {
  for (const spec of namedKids(decl)) {
    if (spec.type !== 'type_spec' && spec.type !== 'type_alias') continue;
    const nameNode = spec.childForFieldName('name');
    const typeNode = spec.childForFieldName('type');
    if (!nameNode || !typeNode) continue;
    const name = src.of(nameNode);
    if (typeNode.type === 'struct_type') ft.structs.set(name, structDef(typeNode, src, ft, 1));
    else ft.named.set(name, typeString(typeNode, src, ft));
    if (typeNode.type === 'interface_type') ft.interfaces.set(name, interfaceMethods(typeNode, src));
  }
}

function interfaceMethods(n: SyntaxNode, src: Source): string[] {
  const out: string[] = [];
  for (const c of namedKids(n)) {
    if (c.type !== 'method_elem' && c.type !== 'method_spec') continue;
    const name = c.childForFieldName('name') ?? c.namedChild(0);
    if (name) out.push(src.of(name));
  }
  return out;
}

/** Names declared by a var_spec / parameter_declaration: its direct `identifier` children. */
export function declaredNames(spec: SyntaxNode, src: Source): string[] {
  return namedKids(spec).filter((c) => c.type === 'identifier').map((c) => src.of(c));
}

export function resultTypes(fn: SyntaxNode, src: Source, ft: FileTypes): string[] {
  const r = fn.childForFieldName('result');
  if (!r) return [];
  if (r.type !== 'parameter_list') return [typeString(r, src, ft)];
  const out: string[] = [];
  for (const p of namedKids(r)) {
    const t = p.childForFieldName('type');
    if (!t) continue;
    const ts = typeString(t, src, ft);
    const n = Math.max(1, declaredNames(p, src).length);
    for (let i = 0; i < n; i++) out.push(ts);
  }
  return out;
}

/** Receiver type text of a method (`*T`, `T`) and its bare base name. */
export function receiverInfo(m: SyntaxNode, src: Source, ft: FileTypes): { name?: string; type: string; base: string } | undefined {
  const list = m.childForFieldName('receiver');
  const decl = list ? namedKids(list).find((c) => c.type === 'parameter_declaration') : undefined;
  const typeNode = decl?.childForFieldName('type');
  if (!decl || !typeNode) return undefined;
  const type = typeString(typeNode, src, ft);
  const base = namedBase(type) ?? deref(type);
  const nameNode = decl.childForFieldName('name');
  return { name: nameNode ? src.of(nameNode) : undefined, type, base };
}

/** Declarations at file scope. Cheap: only top-level nodes and type bodies are visited. */
export function collectFileTypes(root: SyntaxNode, src: Source): FileTypes {
  const ft: FileTypes = {
    pkg: '', imports: new Map(), structs: new Map(), named: new Map(), methods: new Set(),
    results: new Map(), pkgVars: new Map(), interfaces: new Map(),
  };
  const tops = namedKids(root);
  for (const top of tops) {
    if (top.type === 'package_clause') {
      const id = top.namedChild(0);
      if (id) ft.pkg = src.of(id);
    } else if (top.type === 'import_declaration') collectImports(top, src, ft);
    else if (top.type === 'type_declaration') collectTypes(top, src, ft);
  }
  // Second pass: var types and method sets may refer to types declared later in the file.
  for (const top of tops) {
    if (top.type === 'var_declaration') collectPkgVars(top, src, ft);
    else if (top.type === 'function_declaration') {
      const name = top.childForFieldName('name');
      if (name) ft.results.set(src.of(name), resultTypes(top, src, ft));
    } else if (top.type === 'method_declaration') {
      const name = top.childForFieldName('name');
      const recv = receiverInfo(top, src, ft);
      if (name && recv) {
        const key = `${recv.base}.${src.of(name)}`;
        ft.methods.add(key);
        ft.results.set(key, resultTypes(top, src, ft));
      }
    }
  }
  return ft;
}

function collectPkgVars(decl: SyntaxNode, src: Source, ft: FileTypes): void {
  const specs: SyntaxNode[] = [];
  for (const c of namedKids(decl)) {
    if (c.type === 'var_spec') specs.push(c);
    else if (c.type === 'var_spec_list') for (const s of namedKids(c)) if (s.type === 'var_spec') specs.push(s);
  }
  const noScope: Scope = new Map();
  for (const spec of specs) {
    const names = declaredNames(spec, src);
    const typeNode = spec.childForFieldName('type');
    const declared = typeNode ? typeString(typeNode, src, ft) : undefined;
    const values = spec.childForFieldName('value');
    const valueNodes = values ? namedKids(values) : [];
    names.forEach((name, i) => {
      const inferred = declared ?? (valueNodes.length === names.length ? inferType(valueNodes[i], noScope, src, ft) : undefined);
      ft.pkgVars.set(name, inferred);
    });
  }
}

// ---------- expression types ----------

/** Known results of library constructors that matter for lock and channel typing. */
const LIBRARY_RESULTS: Record<string, string> = {
  'sync.NewCond': '*sync.Cond',
  'time.After': '<-chan time.Time',
  'time.Tick': '<-chan time.Time',
};

export function lookupVar(name: string, scope: Scope, ft: FileTypes): string | undefined {
  const v = scope.get(name);
  if (v) return v.type;
  return ft.pkgVars.get(name);
}

/** Best-effort static type of an expression; undefined when unknown. Bounded recursion. */
export function inferType(n: SyntaxNode, scope: Scope, src: Source, ft: FileTypes, depth = 0): string | undefined {
  if (depth > 30) return undefined;
  const sub = (c: SyntaxNode | null) => (c ? inferType(c, scope, src, ft, depth + 1) : undefined);
  switch (n.type) {
    case 'identifier':
      return lookupVar(src.of(n), scope, ft);
    case 'parenthesized_expression':
      return sub(n.namedChild(0));
    case 'selector_expression': {
      const sp = selectorParts(n);
      if (!sp) return undefined;
      const t = sub(sp[0]);
      return t ? fieldType(t, src.of(sp[1]), ft) : undefined;
    }
    case 'index_expression': {
      const t = sub(n.namedChild(0));
      return t ? elemOf(resolveType(t, ft)) : undefined;
    }
    case 'unary_expression': {
      const c = src.text.charCodeAt(n.startIndex);
      if (c !== 38 /* & */ && c !== 42 /* * */ && c !== 60 /* <- */) return undefined;
      const t = sub(n.namedChild(0));
      if (!t) return undefined;
      if (c === 38) return '*' + t;
      if (c === 42) return t.startsWith('*') ? t.slice(1) : undefined;
      return elemOf(resolveType(t, ft));
    }
    case 'composite_literal': {
      const t = n.childForFieldName('type');
      return t ? typeString(t, src, ft) : undefined;
    }
    case 'type_assertion_expression': {
      const t = n.childForFieldName('type');
      return t ? typeString(t, src, ft) : undefined;
    }
    case 'func_literal':
      return 'func';
    case 'call_expression':
      return callResult(n, scope, src, ft, depth);
    default:
      return undefined;
  }
}

function callResult(n: SyntaxNode, scope: Scope, src: Source, ft: FileTypes, depth: number): string | undefined {
  const { fn, args } = callParts(n);
  if (!fn) return undefined;
  if (fn.type === 'identifier') {
    const name = src.of(fn);
    if (scope.has(name)) return undefined;
    const first = args[0];
    if ((name === 'new' || name === 'make') && first) {
      const t = typeString(first, src, ft);
      return name === 'new' ? '*' + t : t;
    }
    return ft.results.get(name)?.[0];
  }
  if (fn.type === 'selector_expression') {
    const sp = selectorParts(fn);
    if (!sp) return undefined;
    const [operand, field] = sp;
    const m = src.of(field);
    if (operand.type === 'identifier') {
      const alias = src.of(operand);
      if (!scope.has(alias) && ft.imports.has(alias)) return LIBRARY_RESULTS[`${alias}.${m}`];
    }
    const t = inferType(operand, scope, src, ft, depth + 1);
    const base = t ? namedBase(resolveType(t, ft)) : undefined;
    return base ? ft.results.get(`${base}.${m}`)?.[0] : undefined;
  }
  return undefined;
}
