// State shared by the lowering modules: one FileCtx per file, one FnState per function body.
import type { ApiIndex } from '../../api/types';
import type { LockRef, Span } from '../../ir/types';
import type { SyntaxNode } from '../../syntax/tree';
import type { CfgBuilder } from './cfg-builder';
import type { PathParts, TypeCtx } from './lockref';
import type { FileTypes, Scope, VarInfo } from './types-scope';
import { Source } from './syntax';
import type { GuardedFieldsGo } from './guarded';

/** A function literal found while lowering its enclosing function; lowered afterwards (no recursion). */
export interface LiteralTask {
  node: SyntaxNode;
  name: string;
  scope: Scope;
}

/**
 * `s.cond = sync.NewCond(&s.mu)`: a Cond field's lock, relative to the common root. Applied after
 * the whole file is lowered, because `Wait` may be lowered before the constructor is seen.
 */
export interface CondLink {
  strip: number;      // trailing segments of the cond path to drop
  add: string[];      // then segments to append to reach the lock
  embedded: boolean;  // the lock is the struct value itself (embedded mutex)
}

/** A LockRef standing for a Cond's `L`, to be rewritten once the Cond's lock is known. */
export interface CondUse {
  ref: LockRef;
  condCls: string;
  condParts: PathParts;
  /** rebuilds the lock ref in the function's own scope */
  rebuild: (parts: PathParts, embedded: boolean) => LockRef;
}

export interface FileCtx {
  src: Source;
  ft: FileTypes;
  api: ApiIndex;
  file: string;
  queue: LiteralTask[];
  queued: Set<number>;
  condLinks: Map<string, CondLink>;
  condUses: CondUse[];
  /** Struct fields this file declares guarded (`// +checklocks:mu`): their accesses become `access` ops. */
  guarded?: GuardedFieldsGo;
}

export interface FnState extends TypeCtx {
  fc: FileCtx;
  name: string;
  cfg: CfgBuilder;
  /** `ok := mu.TryLock()`: the acquire that holds on `ok`'s true edge (consumed by the first test). */
  tryVars: Map<string, import('../../ir/types').Op[]>;
  incomplete: boolean;
  firstError?: Span;
  depth: number;
  /** Locals holding an object this function built (`x := &T{}`): not shared yet. */
  fresh?: Set<string>;
  /** Guarded selectors already handled as writes or address-of operands, by range. */
  accessed?: Set<string>;
}

/** Enclosing variables as seen from a function literal: same types, no longer its parameters. */
export function captureScope(scope: Scope): Scope {
  const out: Scope = new Map();
  for (const [name, v] of scope) {
    const c: VarInfo = { kind: 'captured' };
    if (v.type !== undefined) c.type = v.type;
    if (v.lit !== undefined) c.lit = v.lit;
    if (v.condLock !== undefined) c.condLock = v.condLock;
    if (v.rlocker !== undefined) c.rlocker = v.rlocker;
    out.set(name, c);
  }
  return out;
}

export function literalName(node: SyntaxNode, enclosing: string): string {
  const p = node.startPosition;
  const own = `func@${p.row + 1}:${p.column + 1}`;
  return enclosing ? `${enclosing}.${own}` : own;
}
