// Names visible inside one function body: parameters, block-scoped locals, file-scope globals.
import { identifierText, type SyntaxNode } from '../../syntax/tree';
import { declaredName, declaresFunction, typeNameOf, type FileScope } from './file-scope';

export type Storage = 'param' | 'local' | 'static' | 'global';

export interface VarInfo {
  storage: Storage;
  typeName?: string;
}

interface Local {
  typeName?: string;
  isStatic: boolean;
}

const UNDECLARED: VarInfo = { storage: 'global' };

export class VarScope {
  /** Block frames, innermost last; a frame is only allocated once a block declares something. */
  private readonly frames: (Map<string, Local> | null)[] = [];

  constructor(
    readonly file: FileScope,
    readonly params: readonly string[],
    private readonly paramTypes: ReadonlyMap<string, string | undefined>,
  ) {}

  enterBlock(): void {
    this.frames.push(null);
  }

  leaveBlock(): void {
    this.frames.pop();
  }

  declare(name: string, typeName: string | undefined, isStatic: boolean): void {
    if (this.frames.length === 0) this.frames.push(null);
    const top = this.frames.length - 1;
    let frame = this.frames[top];
    if (!frame) {
      frame = new Map();
      this.frames[top] = frame;
    }
    frame.set(name, { typeName, isStatic });
  }

  paramIndex(name: string): number {
    return this.paramTypes.has(name) ? this.params.indexOf(name) : -1;
  }

  /** Undeclared names are treated as globals: they are declared in a header or by a macro (DEFINE_MUTEX). */
  lookup(name: string): VarInfo {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const local = this.frames[i]?.get(name);
      if (local) return { storage: local.isStatic ? 'static' : 'local', typeName: local.typeName };
    }
    if (this.paramTypes.has(name)) return { storage: 'param', typeName: this.paramTypes.get(name) };
    const g = this.file.globals.get(name);
    if (g) return { storage: g.isStatic ? 'static' : 'global', typeName: g.typeName };
    return UNDECLARED;
  }

  /** Declares the names of a block-scope declaration (a block-scope `extern` names the global: not declared). */
  declareAll(info: DeclarationInfo): void {
    if (info.storage === 'extern') return;
    for (const d of info.declarators) this.declare(d.name, info.typeName, info.storage === 'static');
  }
}

export interface DeclarationInfo {
  storage?: 'static' | 'extern';
  typeName?: string;
  /** The "type" is a macro call: `for_each_thing(x) stmt;` misparsed as a declaration. */
  macroType: boolean;
  /** An ERROR node sits directly in the declaration or one of its declarators. */
  broken: boolean;
  declarators: { name: string; value?: SyntaxNode }[];
}

/** One pass over a declaration's children (each child access is costly on the native binding). */
export function scanDeclaration(decl: SyntaxNode): DeclarationInfo {
  const info: DeclarationInfo = { macroType: false, broken: false, declarators: [] };
  for (const c of decl.children) {
    if (!c) continue;
    const t = c.type;
    switch (t) {
      case 'storage_class_specifier': {
        const word = c.text;
        if (word === 'static' || word === 'extern') info.storage = word;
        break;
      }
      case 'struct_specifier':
      case 'union_specifier':
      case 'type_identifier':
        info.typeName ??= typeNameOf(c);
        break;
      case 'macro_type_specifier':
        info.macroType = true;
        break;
      case 'ERROR':
        info.broken = true;
        break;
      case 'identifier':
        info.declarators.push({ name: identifierText(c) });
        break;
      case 'init_declarator': {
        const name = declaredName(c.childForFieldName('declarator'));
        const value = c.childForFieldName('value') ?? undefined;
        if (c.hasError && c.children.some((k) => k?.type === 'ERROR')) info.broken = true;
        if (name) info.declarators.push({ name: identifierText(name), value });
        break;
      }
      default:
        if (t.endsWith('_declarator') && !declaresFunction(c)) {
          const name = declaredName(c);
          if (name) info.declarators.push({ name: identifierText(name) });
        }
    }
  }
  return info;
}

/** Parameter names in order ('' for unnamed ones, so indices match call arguments) and their types. */
export function parametersOf(declarator: SyntaxNode | null): { names: string[]; types: Map<string, string | undefined> } {
  const names: string[] = [];
  const types = new Map<string, string | undefined>();
  const list = declarator?.childForFieldName('parameters');
  if (!list) return { names, types };
  for (const p of list.namedChildren) {
    if (!p || p.type !== 'parameter_declaration') continue;
    const type = p.childForFieldName('type');
    const d = p.childForFieldName('declarator');
    const name = d ? declaredName(d) : undefined;
    if (!name) {
      // `(void)` declares no parameters; other unnamed ones still take a position.
      if (!(type && type.type === 'primitive_type' && type.text === 'void' && !d)) names.push('');
      continue;
    }
    const text = identifierText(name);
    names.push(text);
    types.set(text, typeNameOf(type));
  }
  return { names, types };
}

/** `struct foo` for a cast's `type_descriptor` (`(struct foo *)p`), undefined for scalars. */
export function typeNameOfDescriptor(desc: SyntaxNode | null): string | undefined {
  return desc ? typeNameOf(desc.childForFieldName('type')) : undefined;
}
