// gVisor's checklocks annotations (tools/checklocks): `// +checklocks:e.mu` on a function says its
// callers hold `e.mu`; `+checklocksacquire:` / `+checklocksrelease:` mark helpers that return
// holding or released; `...read` variants are the shared forms; `+checklocksignore` opts out.
// Lock expressions resolve as receiver/parameter paths, like any lock in the body.
import type { AnnotatedLock, FileIR, FunctionAnnotations, FunctionIR, LockMode } from '../../ir/types';
import type { SyntaxNode } from '../../syntax/tree';
import { refFromParts, type TypeCtx } from './lockref';
import type { Scope } from './types-scope';

const ANNOTATION = /^\/\/\s*\+checklocks(read|acquire|acquireread|release|releaseread|ignore)?(?::\s*([A-Za-z_][\w.]*))?\s*$/;
const MAX_COMMENT_LINES = 64;

type Role = 'requires' | 'acquires' | 'releases' | 'ignore';

const ROLES: Record<string, { role: Role; mode: LockMode }> = {
  '': { role: 'requires', mode: 'exclusive' },
  read: { role: 'requires', mode: 'shared' },
  acquire: { role: 'acquires', mode: 'exclusive' },
  acquireread: { role: 'acquires', mode: 'shared' },
  release: { role: 'releases', mode: 'exclusive' },
  releaseread: { role: 'releases', mode: 'shared' },
  ignore: { role: 'ignore', mode: 'exclusive' },
};

/** Whether the file mentions checklocks at all, asked once per file (its Source) rather than per function. */
const mentions = new WeakMap<object, boolean>();
function mentionsChecklocks(src: TypeCtx['src']): boolean {
  let answer = mentions.get(src);
  if (answer === undefined) mentions.set(src, (answer = src.text.includes('+checklocks')));
  return answer;
}

/** Reads the checklocks annotations in a declaration's doc comment into `fn` (and silences `+checklocksignore`). */
export function annotateGoFunction(fn: FunctionIR, def: SyntaxNode, scope: Scope, ctx: Omit<TypeCtx, 'scope'>, out: FileIR): FunctionIR {
  const text = ctx.src.text;
  if (!mentionsChecklocks(ctx.src)) return fn;
  const annotations: FunctionAnnotations = { requires: [], acquires: [], releases: [], excludes: [], tryAcquires: [] };
  let any = false;
  let end = text.lastIndexOf('\n', def.startIndex - 1);
  let line = def.startPosition.row - 1;
  for (let k = 0; end > 0 && k < MAX_COMMENT_LINES; k++, line--) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const raw = text.slice(start, end);
    const trimmed = raw.trim();
    if (!trimmed.startsWith('//')) break;
    end = start - 1;
    const m = ANNOTATION.exec(trimmed);
    if (!m) continue;
    const col = raw.indexOf(trimmed);
    const span = { line, col, endLine: line, endCol: col + trimmed.length };
    const annotation = trimmed.replace(/^\/\/\s*/, '');
    const { role, mode } = ROLES[m[1] ?? ''];
    if (role === 'ignore') {
      annotations.noAnalysis = { annotation, span };
      any = true;
      continue;
    }
    if (!m[2]) continue;
    const lock = lockOf(m[2], scope, ctx);
    if (!lock) continue;
    const entry: AnnotatedLock = { lock, mode, family: 'checklocks', annotation, span };
    annotations[role].push(entry);
    any = true;
  }
  if (!any) return fn;
  fn.annotations = annotations;
  if (annotations.noAnalysis) {
    for (let l = fn.span.line; l <= fn.span.endLine; l++) out.suppressions.push({ line: l, checks: ['*'], reason: annotations.noAnalysis.annotation });
  }
  return fn;
}

function lockOf(expr: string, scope: Scope, ctx: Omit<TypeCtx, 'scope'>): AnnotatedLock['lock'] | undefined {
  const [root, ...segs] = expr.split('.');
  if (!root || segs.some((s) => !s)) return undefined;
  return refFromParts(expr, { root, segs }, { ...ctx, scope });
}
