// What one C file declares at file scope: function definitions (including those tree-sitter
// recovered inside ERROR regions), global variables, struct fields and typedefs. Lock classes
// are resolved against this.
import type { FileProblem } from '../../ir/types';
import { identifierText, type SyntaxNode } from '../../syntax/tree';
import type { MacroTable } from './macros';
import { spanOf } from './syntax';

export interface GlobalVar {
  isStatic: boolean;
  typeName?: string;
}

/** Field name -> declared type name (`struct bar`, `bar_t`), undefined for scalars. */
export type StructFields = Map<string, string | undefined>;

export interface FileScope {
  file: string;
  functions: SyntaxNode[];
  globals: Map<string, GlobalVar>;
  /** `struct foo` / `union foo` / typedef name of an anonymous struct -> fields. */
  structs: Map<string, StructFields>;
  /** typedef name -> the type it names (`struct foo`, `other_t`). */
  typedefs: Map<string, string>;
  problems: FileProblem[];
  /** The file's own `#define` / `#undef` lines (set by the caller, which has the text). */
  macros?: MacroTable;
}

/** Containers whose children are file-scope items. */
const CONTAINERS = new Set([
  'translation_unit', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef',
  'linkage_specification', 'declaration_list', 'ERROR',
]);

const MAX_SCAN_NODES = 2_000_000;

export function collectFileScope(root: SyntaxNode, file: string): FileScope {
  const scope: FileScope = { file, functions: [], globals: new Map(), structs: new Map(), typedefs: new Map(), problems: [] };
  // Explicit stack: preprocessor nesting and ERROR regions can be arbitrarily deep.
  const stack: SyntaxNode[] = [root];
  let visited = 0;
  while (stack.length > 0 && visited < MAX_SCAN_NODES) {
    const node = stack.pop()!;
    visited++;
    const kids = node.children;
    for (let i = kids.length - 1; i >= 0; i--) {
      const kid = kids[i];
      if (!kid) continue;
      switch (kid.type) {
        case 'function_definition': {
          scope.functions.push(kid);
          // Error recovery can wrap real definitions in a fake one (`garbage $$$ { static int f(...) {...} }`):
          // a "definition" without a function declarator is a container, not a function.
          const decl = kid.childForFieldName('declarator');
          if (!decl || decl.type === 'identifier' || decl.type === 'ERROR') {
            const body = kid.childForFieldName('body');
            if (body) stack.push(body);
          }
          break;
        }
        case 'declaration':
          collectGlobals(kid, scope);
          collectStructsIn(kid.childForFieldName('type'), scope);
          if (kid.hasError) stack.push(kid);
          break;
        case 'type_definition':
          collectTypedef(kid, scope);
          break;
        case 'struct_specifier':
        case 'union_specifier':
          collectStruct(kid, scope, undefined);
          break;
        case 'compound_statement':
          if (node.type === 'ERROR') {
            scope.problems.push({ span: spanOf(kid), message: 'a block here could not be parsed as part of a function (macros?); it was skipped' });
            stack.push(kid); // it may still hold complete definitions
          }
          break;
        default:
          // Macros make tree-sitter wrap whole functions in ERROR or odd nodes: look inside
          // anything erroneous, but never into well-formed expressions or statements.
          // (A comment is a leaf: nothing inside it to look at, so no need to ask.)
          if (CONTAINERS.has(kid.type) || (kid.type !== 'comment' && kid.hasError && !kid.type.endsWith('_expression'))) stack.push(kid);
      }
    }
  }
  // The stack pops in reverse; keep functions in source order.
  scope.functions.sort((a, b) => a.startIndex - b.startIndex);
  return scope;
}

export function hasStorageClass(node: SyntaxNode, word: string): boolean {
  for (const c of node.children) {
    if (c && c.type === 'storage_class_specifier' && c.text === word) return true;
  }
  return false;
}

/** `struct foo` / `union foo` / `foo_t` for a type node; undefined for scalars and anonymous types. */
export function typeNameOf(type: SyntaxNode | null): string | undefined {
  if (!type) return undefined;
  switch (type.type) {
    case 'struct_specifier':
    case 'union_specifier': {
      const name = type.childForFieldName('name');
      return name ? `${type.type === 'struct_specifier' ? 'struct' : 'union'} ${identifierText(name)}` : undefined;
    }
    case 'type_identifier':
      return identifierText(type);
    default:
      return undefined;
  }
}

/** The identifier a declarator declares: unwraps pointers, arrays, init, parentheses, function declarators. */
export function declaredName(declarator: SyntaxNode | null): SyntaxNode | undefined {
  let d = declarator;
  for (let i = 0; d && i < 64; i++) {
    switch (d.type) {
      case 'identifier':
      case 'field_identifier':
      case 'type_identifier':
        return d;
      case 'parenthesized_declarator':
        d = firstNamedChild(d);
        break;
      default:
        d = d.childForFieldName('declarator');
    }
  }
  return undefined;
}

/** True when the declarator (under pointers/parens) declares a function, not a variable. */
export function declaresFunction(declarator: SyntaxNode | null): boolean {
  let d = declarator;
  for (let i = 0; d && i < 64; i++) {
    if (d.type === 'function_declarator') return true;
    if (d.type === 'identifier' || d.type === 'field_identifier') return false;
    d = d.type === 'parenthesized_declarator' ? firstNamedChild(d) : d.childForFieldName('declarator');
  }
  return false;
}

function firstNamedChild(node: SyntaxNode): SyntaxNode | null {
  for (const c of node.namedChildren) if (c && c.type !== 'comment') return c;
  return null;
}

function declarators(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const kids = node.children;
  for (let i = 0; i < kids.length; i++) {
    const kid = kids[i];
    if (kid && kid.isNamed && isDeclaratorType(kid.type)) out.push(kid);
  }
  return out;
}

function isDeclaratorType(t: string): boolean {
  return t === 'identifier' || t === 'field_identifier' || t === 'type_identifier' || t.endsWith('_declarator');
}

function collectGlobals(decl: SyntaxNode, scope: FileScope): void {
  const isStatic = hasStorageClass(decl, 'static');
  const typeName = typeNameOf(decl.childForFieldName('type'));
  for (const d of declarators(decl)) {
    if (declaresFunction(d)) continue;
    const name = declaredName(d);
    if (name) scope.globals.set(identifierText(name), { isStatic, typeName });
  }
}

function collectTypedef(def: SyntaxNode, scope: FileScope): void {
  const type = def.childForFieldName('type');
  const names = declarators(def).map(declaredName).filter((n): n is SyntaxNode => !!n);
  const underlying = typeNameOf(type);
  for (const n of names) {
    if (underlying) scope.typedefs.set(n.text, underlying);
  }
  if (type && (type.type === 'struct_specifier' || type.type === 'union_specifier')) {
    // `typedef struct { ... } foo_t;`: the fields belong to the typedef name.
    collectStruct(type, scope, underlying ? undefined : names[0]?.text);
  }
}

function collectStructsIn(type: SyntaxNode | null, scope: FileScope): void {
  if (type && (type.type === 'struct_specifier' || type.type === 'union_specifier')) collectStruct(type, scope, undefined);
}

function collectStruct(spec: SyntaxNode, scope: FileScope, aliasForAnonymous: string | undefined): void {
  const body = spec.childForFieldName('body');
  const name = typeNameOf(spec) ?? aliasForAnonymous;
  if (!body || !name) return;
  const fields: StructFields = scope.structs.get(name) ?? new Map();
  scope.structs.set(name, fields);
  addFields(body, fields, scope, 0);
}

function addFields(body: SyntaxNode, fields: StructFields, scope: FileScope, depth: number): void {
  if (depth > 16) return;
  for (const fd of body.namedChildren) {
    if (!fd || fd.type !== 'field_declaration') continue;
    const type = fd.childForFieldName('type');
    const ds = declarators(fd);
    if (type && (type.type === 'struct_specifier' || type.type === 'union_specifier') && type.childForFieldName('body')) {
      // A named nested struct is a type of its own; an anonymous member's fields belong to the parent.
      if (ds.length === 0) addFields(type.childForFieldName('body')!, fields, scope, depth + 1);
      else collectStruct(type, scope, undefined);
    }
    const typeName = typeNameOf(type);
    for (const d of ds) {
      const name = declaredName(d);
      if (name) fields.set(identifierText(name), declaresFunction(d) ? undefined : typeName);
    }
  }
}
