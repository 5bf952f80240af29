// Lock classes across files: a front end that sees `z.resolver.mu` but not the declaration of
// `Zone` names the class `pkg.Zone.resolver.mu`; with every file's struct fields known, that
// becomes `pkg.Resolver.mu`, the name the file declaring `Resolver` uses.
import type { FileIR, LockRef, Op, TypeFields } from '../ir/types';

export type FieldTypes = ReadonlyMap<string, Readonly<Record<string, string>>>;

export function collectFieldTypes(files: Iterable<FileIR>): FieldTypes {
  const map = new Map<string, Record<string, string>>();
  for (const file of files) {
    for (const t of file.types ?? []) map.set(t.name, { ...(map.get(t.name) ?? {}), ...t.fields });
  }
  return map;
}

export function fieldTypesSignature(types: FieldTypes): string {
  return JSON.stringify([...types].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Rewrites `T.f.rest` to `FieldType(T.f).rest` while a prefix names a known struct. */
export function canonicalClass(cls: string, types: FieldTypes): string {
  let current = cls;
  for (let round = 0; round < 8; round++) {
    const parts = current.split('.');
    let rewritten: string | undefined;
    // Longest known type prefix first: Go anchors contain a dot (`pkg.T`).
    for (let i = parts.length - 2; i >= 1; i--) {
      const fields = types.get(parts.slice(0, i).join('.'));
      const target = fields?.[parts[i]];
      if (target && i + 1 < parts.length) {
        rewritten = [target, ...parts.slice(i + 1)].join('.');
        break;
      }
    }
    if (!rewritten || rewritten === current) return current;
    current = rewritten;
  }
  return current;
}

/** Canonicalises every lock class in a file's IR; keeps the front end's class in `rawCls`. */
export function canonicaliseClasses(file: FileIR, types: FieldTypes): void {
  const fix = (lock: LockRef | null | undefined) => {
    if (!lock) return;
    const raw = (lock as LockRef & { rawCls?: string }).rawCls ?? lock.cls;
    if (!raw) return;
    (lock as LockRef & { rawCls?: string }).rawCls = raw;
    lock.cls = canonicalClass(raw, types);
  };
  const visit = (op: Op) => {
    switch (op.kind) {
      case 'acquire': case 'release': case 'tryfail': fix(op.lock); break;
      case 'block': fix(op.lock); break;
      case 'call': op.args.forEach(fix); fix(op.receiverRef); break;
      case 'defer': op.ops.forEach(visit); break;
      default: break;
    }
  };
  for (const fn of file.functions) {
    for (const node of fn.nodes) visit(node.op);
    const a = fn.annotations;
    if (a) for (const l of [...a.requires, ...a.acquires, ...a.releases, ...a.excludes, ...a.tryAcquires]) fix(l.lock);
  }
}

export type { TypeFields };
