// ACQUIRED_BEFORE / ACQUIRED_AFTER on lock declarations (struct fields and globals) -> declared
// lock orders between lock classes, which the lock-order check holds every acquisition to.
import type { DeclaredOrder, LockRef } from '../../ir/types';
import { findAnnotations, parseLockExpr } from './annotation-text';
import { annotationName } from './annotation-names';
import type { FileScope } from './file-scope';
import type { LineIndex } from './annotations';
import { classOf } from './lockref';
import { VarScope } from './var-scope';

export function collectLockOrders(code: string, lines: LineIndex, scope: FileScope): DeclaredOrder[] {
  if (!/acquired_(before|after)|ACQUIRED_(BEFORE|AFTER)/.test(code)) return [];
  const out: DeclaredOrder[] = [];
  const globals = new VarScope(scope, [], new Map());
  for (const raw of findAnnotations(code, 0, code.length)) {
    const role = raw.entry.role;
    if (role !== 'before' && role !== 'after') continue;
    const name = declaredBefore(code, raw.start);
    if (!name) continue;
    const owner = enclosingStruct(code, raw.start);
    if (owner === null) continue; // a local variable
    const self = owner ? ref(name, `${owner}.${name}`) : globalRef(name, globals);
    for (const arg of raw.args) {
      const other = owner && /^[A-Za-z_]\w*$/.test(arg) && !scope.globals.has(arg)
        ? ref(arg, `${owner}.${arg}`)
        : exprRef(arg, globals);
      if (!other?.cls || !self.cls) continue;
      const [first, second] = role === 'before' ? [self, other] : [other, self];
      out.push({ first, second, annotation: code.slice(raw.start, raw.end), span: lines.span(raw.start, raw.end) });
    }
  }
  return out;
}

function ref(text: string, cls: string): LockRef {
  return { text, path: text, root: text.replace(/\W.*$/, ''), cls };
}

function globalRef(name: string, vars: VarScope): LockRef {
  const cls = classOf({ root: name, base: name, segments: [], castAt: 0 }, name, vars);
  return { text: name, path: name, root: name, ...(cls ? { cls } : {}) };
}

function exprRef(text: string, vars: VarScope): LockRef | undefined {
  const parts = parseLockExpr(text);
  if (!parts) return undefined;
  const path = parts.base + parts.segments.join('');
  const cls = classOf(parts, path, vars);
  return { text, path, root: parts.root, ...(cls ? { cls } : {}) };
}

/** The identifier declared just before an annotation: `spinlock_t a[4] GUARDED_BY(x) ACQUIRED_BEFORE(b)` -> a. */
export function declaredBefore(code: string, at: number): string | undefined {
  let i = at - 1;
  for (let guard = 0; guard < 16; guard++) {
    while (i >= 0 && /\s/.test(code[i])) i--;
    if (code[i] !== ')' && code[i] !== ']') break;
    // Skip a balanced group, and the annotation name owning it.
    const close = code[i];
    const open = close === ')' ? '(' : '[';
    let depth = 0;
    for (; i >= 0; i--) {
      if (code[i] === close) depth++;
      else if (code[i] === open && --depth === 0) break;
    }
    i--;
    if (close === ')') {
      while (i >= 0 && /\s/.test(code[i])) i--;
      const end = i + 1;
      while (i >= 0 && /\w/.test(code[i])) i--;
      if (!annotationName(code.slice(i + 1, end))) return undefined;
    }
  }
  const end = i + 1;
  while (i >= 0 && /\w/.test(code[i])) i--;
  const name = code.slice(i + 1, end);
  return /^[A-Za-z_]\w*$/.test(name) ? name : undefined;
}

/**
 * The struct whose body contains `at` (`struct foo`, or the typedef name of an anonymous one);
 * '' at file scope; null inside anything else (a function body).
 */
export function enclosingStruct(code: string, at: number): string | null {
  let depth = 0;
  let open = -1;
  for (let i = at - 1; i >= 0; i--) {
    const c = code[i];
    if (c === '}') depth++;
    else if (c === '{') {
      if (depth === 0) {
        open = i;
        break;
      }
      depth--;
    }
  }
  if (open < 0) return '';
  const head = /\b(struct|union)(\s+[A-Za-z_]\w*)?\s*$/.exec(code.slice(Math.max(0, open - 200), open));
  if (!head) return null;
  if (head[2]) return `${head[1]} ${head[2].trim()}`;
  // `typedef struct { ... } name;`
  let depth2 = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '{') depth2++;
    else if (code[i] === '}' && --depth2 === 0) {
      const m = /^\s*([A-Za-z_]\w*)/.exec(code.slice(i + 1, i + 200));
      return m ? m[1] : null;
    }
  }
  return null;
}
