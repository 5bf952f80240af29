// gVisor checklocks on struct fields: `// +checklocks:mu` (or `+checklocksread:mu`) above a field,
// or after it on its line, says every access holds `mu` of the same object. Reads and writes of
// such fields become `access` ops; a file without `+checklocks` pays one substring test.
import type { GuardDecl, LockRef, Op } from '../../ir/types';
import type { SyntaxNode } from '../../syntax/tree';
import { pathParts, refFromParts } from './lockref';
import type { FnState } from './state';
import { namedKids, selectorParts, spanOf, type Source } from './syntax';
import { inferType, namedBase, qualify, resolveType, type FileTypes } from './types-scope';
import { pathType } from './lockref';

const FIELD_ANNOTATION = /\/\/\s*\+checklocks(?:read)?:\s*([A-Za-z_][\w.]*)\s*$/;

interface GuardedField {
  owner: string;
  guards: string[][];
  decl: GuardDecl;
}

export class GuardedFieldsGo {
  readonly names: RegExp;

  private constructor(private readonly fields: Map<string, GuardedField[]>) {
    this.names = new RegExp(`\\b(?:${[...fields.keys()].join('|')})\\b`);
  }

  /** The guarded fields of the structs this file declares, or undefined when there are none. */
  static collect(root: SyntaxNode, src: Source, ft: FileTypes): GuardedFieldsGo | undefined {
    if (!src.text.includes('+checklocks')) return undefined;
    const fields = new Map<string, GuardedField[]>();
    for (const top of namedKids(root)) {
      if (top.type !== 'type_declaration') continue;
      for (const spec of namedKids(top)) {
        if (spec.type !== 'type_spec') continue;
        const name = spec.childForFieldName('name');
        const type = spec.childForFieldName('type');
        const list = type?.type === 'struct_type' ? namedKids(type).find((k) => k.type === 'field_declaration_list') : undefined;
        if (!name || !list) continue;
        const owner = qualify(src.of(name), ft);
        collectStruct(list, owner, src, fields);
      }
    }
    return fields.size > 0 ? new GuardedFieldsGo(fields) : undefined;
  }

  /**
   * The access op for a selector `x.f` naming a guarded field of x's struct. x's type must be
   * known (a field of that name in another struct is not guarded); objects the function built
   * itself (`x := &T{...}`, `new(T)`) are not shared yet.
   */
  accessOf(sel: SyntaxNode, write: boolean, st: FnState): Op | undefined {
    const sp = selectorParts(sel);
    if (!sp) return undefined;
    const candidates = this.fields.get(st.src.of(sp[1]));
    if (!candidates) return undefined;
    const operand = sp[0];
    const parts = pathParts(operand, st.src);
    if (!parts || (parts.segs.length === 0 && st.fresh?.has(parts.root))) return undefined;
    const type = inferType(operand, st.scope, st.src, st.ft) ?? pathType(operand, st);
    const base = type ? namedBase(resolveType(type, st.ft)) : undefined;
    if (!base) return undefined;
    const owner = qualify(base, st.ft);
    const g = candidates.find((c) => c.owner === owner);
    if (!g) return undefined;
    const objText = st.src.short(operand, 120);
    const guards: LockRef[] = g.guards.map((segs) => refFromParts(`${objText}.${segs.join('.')}`, { root: parts.root, segs: [...parts.segs, ...segs] }, st));
    return { kind: 'access', target: st.src.short(sel, 120), write, guards, guard: g.decl, span: spanOf(sel) };
  }
}

function collectStruct(list: SyntaxNode, owner: string, src: Source, out: Map<string, GuardedField[]>): void {
  let pending: { guard: string; annotation: string; span: GuardDecl['span'] }[] = [];
  const kids = namedKids(list);
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i];
    if (k.type === 'comment') {
      const m = FIELD_ANNOTATION.exec(src.of(k));
      if (m) pending.push({ guard: m[1], annotation: src.of(k).replace(/^\/\/\s*/, ''), span: spanOf(k) });
      continue;
    }
    if (k.type !== 'field_declaration') {
      pending = [];
      continue;
    }
    // A trailing comment on the field's own line belongs to it.
    const next = kids[i + 1];
    if (next && next.type === 'comment' && next.startPosition.row === k.endPosition.row) {
      const m = FIELD_ANNOTATION.exec(src.of(next));
      if (m) pending.push({ guard: m[1], annotation: src.of(next).replace(/^\/\/\s*/, ''), span: spanOf(next) });
      i++;
    }
    if (pending.length > 0) {
      for (const n of namedKids(k)) {
        if (n.type !== 'field_identifier') continue;
        const name = src.of(n);
        const entry: GuardedField = {
          owner,
          guards: pending.map((p) => p.guard.split('.')),
          decl: { field: `${owner}.${name}`, annotation: pending[0].annotation, span: pending[0].span },
        };
        const list2 = out.get(name) ?? [];
        list2.push(entry);
        out.set(name, list2);
      }
    }
    pending = [];
  }
}
