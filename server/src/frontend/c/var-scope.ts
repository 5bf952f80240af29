// Names visible inside one function body: parameters, block-scoped locals, file-scope globals.
import type { SyntaxNode } from '../../syntax/tree';
import { declaredName, declaresFunction, hasStorageClass, typeNameOf, type FileScope } from './file-scope';

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

  /** Records a block-scope `declaration`; returns the declarators that carry an initialiser. */
  declareAll(decl: SyntaxNode): SyntaxNode[] {
    // A block-scope `extern` names the global: leave it to the file-scope lookup.
    if (hasStorageClass(decl, 'extern')) return [];
    const isStatic = hasStorageClass(decl, 'static');
    const typeName = typeNameOf(decl.childForFieldName('type'));
    const inits: SyntaxNode[] = [];
    for (const d of decl.namedChildren) {
      if (!d || !(d.type === 'identifier' || d.type.endsWith('_declarator'))) continue;
      if (declaresFunction(d)) continue;
      const name = declaredName(d);
      if (name) this.declare(name.text, typeName, isStatic);
      if (d.type === 'init_declarator') inits.push(d);
    }
    return inits;
  }
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
    names.push(name.text);
    types.set(name.text, typeNameOf(type));
  }
  return { names, types };
}

/** `struct foo` for a cast's `type_descriptor` (`(struct foo *)p`), undefined for scalars. */
export function typeNameOfDescriptor(desc: SyntaxNode | null): string | undefined {
  return desc ? typeNameOf(desc.childForFieldName('type')) : undefined;
}
