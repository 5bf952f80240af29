// Validation of `.locklint.json` (and of VS Code settings of the same shape) by hand: the server
// bundle should not carry a JSON Schema validator, and hand-written checks give better messages
// and exact positions. Anything invalid is reported and replaced by its default, so the caller
// always gets a usable Config.
import { nodeFromValue, parseJson, type JsonMember, type JsonNode, type JsonPos } from './json';
import { CODE_OF, MESSAGES, type MessageCode } from './messages';
import { closest } from './suggest';
import {
  BLOCKING_CATEGORIES,
  BLOCKING_FUNCTION_KEYS,
  CALLBACK_FUNCTION_KEYS,
  CALLBACK_RUNS,
  CHECK_SETTINGS,
  CONTEXT_KINDS,
  DEFAULT_BLOCKING_CATEGORY,
  DEFAULT_CALLBACK_RUNS,
  DEFAULT_CONFIG,
  DEFAULT_LOCK_MODE,
  IGNORED_TOP_LEVEL_KEYS,
  LOCK_FUNCTION_KEYS,
  LOCK_MODES,
  TOP_LEVEL_KEYS,
  TRY_SUCCESS_VALUES,
} from './defaults';
import type {
  BlockingFunctionSpec,
  CallbackFunctionSpec,
  CheckSetting,
  Config,
  ConfigProblem,
  ContextKind,
  LockFunctionSpec,
  ParsedConfig,
} from './types';

/** Collects problems for one file; the only mutable thing, and it lives for one call. */
interface Ctx {
  file: string;
  knownChecks: readonly string[];
  problems: ConfigProblem[];
}

/** A function name together with where it was written, for cross-entry checks. */
interface NameSite {
  name: string;
  pos: JsonPos;
  pointer: string;
}

interface Located<T> {
  value: T;
  names: NameSite[];
}

// ---------------------------------------------------------------------------------------------
// Entry points

export function parseConfig(text: string, fileName: string, knownChecks: readonly string[]): ParsedConfig {
  // An empty file is an empty configuration, not a syntax error: `touch .locklint.json` is common.
  if (text.trim() === '' || text === '\ufeff') return { config: DEFAULT_CONFIG, problems: [] };
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const { pos, message } = parsed.error;
    return { config: DEFAULT_CONFIG, problems: [problemAt(fileName, pos, '', 'syntax', MESSAGES.syntax(message))] };
  }
  return validateTree(parsed.value, fileName, knownChecks);
}

/**
 * The same validation for a value that is already parsed (VS Code `locklint.*` settings).
 * Positions are all 0:0 there; the JSON pointer says which setting is wrong.
 */
export function configFromValue(value: unknown, source: string, knownChecks: readonly string[]): ParsedConfig {
  return validateTree(nodeFromValue(value), source, knownChecks);
}

function validateTree(root: JsonNode, file: string, knownChecks: readonly string[]): ParsedConfig {
  const ctx: Ctx = { file, knownChecks, problems: [] };
  if (root.type !== 'object') {
    report(ctx, root.pos, '', 'wrongType', 'the configuration', 'an object', describeNode(root));
    return { config: DEFAULT_CONFIG, problems: ctx.problems };
  }
  const members = uniqueMembers(ctx, root, '', [...TOP_LEVEL_KEYS, ...IGNORED_TOP_LEVEL_KEYS]);
  const get = (key: string) => members.get(key);
  const locks = opt(get('lockFunctions'), (m) => readLockFunctions(ctx, m.value, pointer('', m.key)));
  const blocking = opt(get('blockingFunctions'), (m) => readBlockingFunctions(ctx, m.value, pointer('', m.key)));
  const callbacks = opt(get('callbackFunctions'), (m) => readCallbackFunctions(ctx, m.value, pointer('', m.key)));
  const checked = crossCheck(ctx, locks ?? [], blocking ?? [], callbacks ?? []);
  const config: Config = {
    lockFunctions: checked.locks,
    blockingFunctions: checked.blocking,
    callbackFunctions: checked.callbacks,
    checks: opt(get('checks'), (m) => readChecks(ctx, m.value, pointer('', m.key))) ?? DEFAULT_CONFIG.checks,
    exclude: opt(get('exclude'), (m) => readExclude(ctx, m.value, pointer('', m.key))) ?? DEFAULT_CONFIG.exclude,
    maxFileSize: opt(get('maxFileSize'), (m) => readMaxFileSize(ctx, m.value, pointer('', m.key))) ?? DEFAULT_CONFIG.maxFileSize,
    contexts: opt(get('contexts'), (m) => readContexts(ctx, m.value, pointer('', m.key))) ?? DEFAULT_CONFIG.contexts,
    reportSameClassNesting:
      opt(get('reportSameClassNesting'), (m) => readBoolean(ctx, m.value, pointer('', m.key))) ?? DEFAULT_CONFIG.reportSameClassNesting,
  };
  return { config, problems: sortProblems(ctx.problems) };
}

/** In file order, whatever order the keys were validated in (Array.prototype.sort is stable). */
function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.col - b.col);
}

// ---------------------------------------------------------------------------------------------
// Problems and small helpers

function problemAt(file: string, pos: JsonPos, key: string, code: MessageCode, message: string): ConfigProblem {
  return { file, line: pos.line, col: pos.col, key, message, code: CODE_OF[code] };
}

function report<K extends MessageCode>(
  ctx: Ctx,
  pos: JsonPos,
  ptr: string,
  code: K,
  ...args: Parameters<(typeof MESSAGES)[K]>
): void {
  const message = (MESSAGES[code] as (...a: unknown[]) => string)(...args);
  ctx.problems.push(problemAt(ctx.file, pos, ptr, code, message));
}

function opt<T, R>(x: T | undefined, f: (x: T) => R): R | undefined {
  return x === undefined ? undefined : f(x);
}

/** RFC 6901: "~" and "/" inside a reference token are escaped. */
export function pointer(parent: string, token: string | number): string {
  return `${parent}/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** "/lockFunctions/0/acquire" -> "lockFunctions[0].acquire", for messages. */
export function readablePath(ptr: string): string {
  if (ptr === '') return 'the configuration';
  return ptr
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, t) => (/^\d+$/.test(t) ? `${acc}[${t}]` : acc === '' ? t : `${acc}.${t}`), '');
}

function describeNode(node: JsonNode): string {
  switch (node.type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'string':
      return `the string ${JSON.stringify(node.value)}`;
    case 'number':
      return String(node.value);
    case 'boolean':
      return String(node.value);
    case 'null':
      return 'null';
  }
}

/**
 * The members of an object by key: reports duplicates (the last one wins, as with JSON.parse) and
 * keys outside `allowed`, with a suggestion when one is close.
 */
function uniqueMembers(ctx: Ctx, obj: JsonNode & { type: 'object' }, ptr: string, allowed: readonly string[]): Map<string, JsonMember> {
  const out = new Map<string, JsonMember>();
  for (const m of obj.members) {
    const p = pointer(ptr, m.key);
    if (!allowed.includes(m.key)) {
      const candidates = allowed.filter((k) => !k.startsWith('$'));
      report(ctx, m.keyPos, p, 'unknownKey', m.key, closest(m.key, candidates), candidates);
      continue;
    }
    if (out.has(m.key)) report(ctx, m.keyPos, p, 'duplicateKey', m.key);
    out.set(m.key, m);
  }
  return out;
}

const NAME_RE = /^\S+$/;

function readName(ctx: Ctx, node: JsonNode, ptr: string): NameSite | undefined {
  if (node.type !== 'string') {
    report(ctx, node.pos, ptr, 'wrongType', readablePath(ptr), 'a string', describeNode(node));
    return undefined;
  }
  if (!NAME_RE.test(node.value)) {
    report(ctx, node.pos, ptr, 'emptyName', readablePath(ptr));
    return undefined;
  }
  return { name: node.value, pos: node.pos, pointer: ptr };
}

function readEnum<T extends string>(ctx: Ctx, node: JsonNode, ptr: string, allowed: readonly T[], what: string): T | undefined {
  if (node.type !== 'string') {
    report(ctx, node.pos, ptr, 'wrongType', readablePath(ptr), `one of ${allowed.join(', ')}`, describeNode(node));
    return undefined;
  }
  if (!(allowed as readonly string[]).includes(node.value)) {
    report(ctx, node.pos, ptr, 'badEnum', what, node.value, allowed, closest(node.value, allowed));
    return undefined;
  }
  return node.value as T;
}

function readArray(ctx: Ctx, node: JsonNode, ptr: string, expected: string): JsonNode[] | undefined {
  if (node.type === 'array') return node.items;
  report(ctx, node.pos, ptr, 'wrongType', readablePath(ptr), expected, describeNode(node));
  return undefined;
}

function readObject(ctx: Ctx, node: JsonNode, ptr: string, expected: string): (JsonNode & { type: 'object' }) | undefined {
  if (node.type === 'object') return node;
  report(ctx, node.pos, ptr, 'wrongType', readablePath(ptr), expected, describeNode(node));
  return undefined;
}

function readNameList(ctx: Ctx, node: JsonNode, ptr: string): string[] | undefined {
  const items = readArray(ctx, node, ptr, 'an array of function names');
  if (items === undefined) return undefined;
  return items.flatMap((item, i) => readName(ctx, item, pointer(ptr, i))?.name ?? []);
}

// ---------------------------------------------------------------------------------------------
// Keys

function readLockFunctions(ctx: Ctx, node: JsonNode, ptr: string): Located<LockFunctionSpec>[] | undefined {
  const items = readArray(ctx, node, ptr, 'an array of lock function objects');
  return items?.flatMap((item, i) => readLockFunction(ctx, item, pointer(ptr, i)) ?? []);
}

function readLockFunction(ctx: Ctx, node: JsonNode, ptr: string): Located<LockFunctionSpec> | undefined {
  const obj = readObject(ctx, node, ptr, 'an object with "acquire" and "release"');
  if (obj === undefined) return undefined;
  const m = uniqueMembers(ctx, obj, ptr, LOCK_FUNCTION_KEYS);
  const field = <R>(key: string, f: (n: JsonNode, p: string) => R | undefined): R | undefined =>
    opt(m.get(key), (mem) => f(mem.value, pointer(ptr, key)));
  const required = (key: 'acquire' | 'release'): NameSite | undefined => {
    if (!m.has(key)) report(ctx, obj.pos, ptr, 'missingKey', key, readablePath(ptr));
    return field(key, (n, p) => readName(ctx, n, p));
  };
  const acquire = required('acquire');
  const release = required('release');
  const tryAcquire = field('tryAcquire', (n, p) => readName(ctx, n, p));
  const argIndex = field('argIndex', (n, p) => readArgIndex(ctx, n, p));
  const mode = field('mode', (n, p) => readEnum(ctx, n, p, LOCK_MODES, 'lock mode')) ?? DEFAULT_LOCK_MODE;
  const trySuccess = field('trySuccess', (n, p) => readEnum(ctx, n, p, TRY_SUCCESS_VALUES, 'trySuccess value'));
  if (trySuccess !== undefined && !m.has('tryAcquire')) {
    const mem = m.get('trySuccess')!;
    report(ctx, mem.keyPos, pointer(ptr, 'trySuccess'), 'tryWithoutTryAcquire');
  }
  // Without both ends the lock cannot be tracked: drop the entry.
  if (acquire === undefined || release === undefined) return undefined;
  const value: LockFunctionSpec = {
    acquire: acquire.name,
    release: release.name,
    ...(tryAcquire !== undefined ? { tryAcquire: tryAcquire.name } : {}),
    ...(argIndex !== undefined ? { argIndex } : {}),
    mode,
    ...(trySuccess !== undefined && tryAcquire !== undefined ? { trySuccess } : {}),
  };
  return { value, names: [acquire, release, ...(tryAcquire ? [tryAcquire] : [])] };
}

function readArgIndex(ctx: Ctx, node: JsonNode, ptr: string): number | undefined {
  if (node.type === 'number' && Number.isInteger(node.value) && node.value >= -1 && node.value <= 64) return node.value;
  report(ctx, node.pos, ptr, 'wrongType', readablePath(ptr), 'an integer from -1 (Go receiver) to 64', describeNode(node));
  return undefined;
}

function readBlockingFunctions(ctx: Ctx, node: JsonNode, ptr: string): Located<BlockingFunctionSpec>[] | undefined {
  const items = readArray(ctx, node, ptr, 'an array of function names or {"name", "category"} objects');
  return items?.flatMap((item, i) => readBlockingFunction(ctx, item, pointer(ptr, i)) ?? []);
}

function readBlockingFunction(ctx: Ctx, node: JsonNode, ptr: string): Located<BlockingFunctionSpec> | undefined {
  if (node.type === 'string') {
    const site = readName(ctx, node, ptr);
    return site && { value: { name: site.name, category: DEFAULT_BLOCKING_CATEGORY }, names: [site] };
  }
  const obj = readObject(ctx, node, ptr, 'a function name or an object with "name" and "category"');
  if (obj === undefined) return undefined;
  const m = uniqueMembers(ctx, obj, ptr, BLOCKING_FUNCTION_KEYS);
  const field = <R>(key: string, f: (n: JsonNode, p: string) => R | undefined): R | undefined =>
    opt(m.get(key), (mem) => f(mem.value, pointer(ptr, key)));
  if (!m.has('name')) report(ctx, obj.pos, ptr, 'missingKey', 'name', readablePath(ptr));
  const name = field('name', (n, p) => readName(ctx, n, p));
  const category = field('category', (n, p) => readEnum(ctx, n, p, BLOCKING_CATEGORIES, 'blocking category')) ?? DEFAULT_BLOCKING_CATEGORY;
  const domain = field('domain', (n, p) => readName(ctx, n, p));
  if (name === undefined) return undefined;
  return { value: { name: name.name, category, ...(domain ? { domain: domain.name } : {}) }, names: [name] };
}

function readCallbackFunctions(ctx: Ctx, node: JsonNode, ptr: string): Located<CallbackFunctionSpec>[] | undefined {
  const items = readArray(ctx, node, ptr, 'an array of {"name", "argIndex", "runs"} objects');
  return items?.flatMap((item, i) => readCallbackFunction(ctx, item, pointer(ptr, i)) ?? []);
}

function readCallbackFunction(ctx: Ctx, node: JsonNode, ptr: string): Located<CallbackFunctionSpec> | undefined {
  const obj = readObject(ctx, node, ptr, 'an object with "name" and "argIndex"');
  if (obj === undefined) return undefined;
  const m = uniqueMembers(ctx, obj, ptr, CALLBACK_FUNCTION_KEYS);
  const field = <R>(key: string, f: (n: JsonNode, p: string) => R | undefined): R | undefined =>
    opt(m.get(key), (mem) => f(mem.value, pointer(ptr, key)));
  // No default for argIndex: guessing which argument is the callback would make up calls.
  for (const key of ['name', 'argIndex']) if (!m.has(key)) report(ctx, obj.pos, ptr, 'missingKey', key, readablePath(ptr));
  const name = field('name', (n, p) => readName(ctx, n, p));
  const argIndex = field('argIndex', (n, p) => readCallbackArg(ctx, n, p));
  const runs = field('runs', (n, p) => readEnum(ctx, n, p, CALLBACK_RUNS, '"runs" value')) ?? DEFAULT_CALLBACK_RUNS;
  if (name === undefined || argIndex === undefined) return undefined;
  return { value: { name: name.name, argIndex, runs }, names: [name] };
}

/** A callback is an argument proper: a Go receiver (-1) cannot be one. */
function readCallbackArg(ctx: Ctx, node: JsonNode, ptr: string): number | undefined {
  if (node.type === 'number' && Number.isInteger(node.value) && node.value >= 0 && node.value <= 64) return node.value;
  report(ctx, node.pos, ptr, 'wrongType', readablePath(ptr), 'an integer from 0 to 64', describeNode(node));
  return undefined;
}

function readChecks(ctx: Ctx, node: JsonNode, ptr: string): Record<string, CheckSetting> | undefined {
  const obj = readObject(ctx, node, ptr, 'an object mapping check ids to error, warning, info or off');
  if (obj === undefined) return undefined;
  const out: Record<string, CheckSetting> = {};
  const seen = new Set<string>();
  for (const m of obj.members) {
    const p = pointer(ptr, m.key);
    if (!ctx.knownChecks.includes(m.key)) {
      report(ctx, m.keyPos, p, 'unknownCheck', m.key, closest(m.key, ctx.knownChecks), ctx.knownChecks);
      continue;
    }
    if (seen.has(m.key)) report(ctx, m.keyPos, p, 'duplicateKey', m.key);
    seen.add(m.key);
    const setting = readEnum(ctx, m.value, p, CHECK_SETTINGS, `setting for check "${m.key}"`);
    if (setting !== undefined) out[m.key] = setting;
    else delete out[m.key]; // a bad later duplicate falls back to the default, like any bad value
  }
  return out;
}

function readExclude(ctx: Ctx, node: JsonNode, ptr: string): string[] | undefined {
  const items = readArray(ctx, node, ptr, 'an array of glob patterns');
  return items?.flatMap((item, i) => {
    const p = pointer(ptr, i);
    if (item.type !== 'string') {
      report(ctx, item.pos, p, 'wrongType', readablePath(p), 'a glob pattern string', describeNode(item));
      return [];
    }
    if (item.value.trim() === '') {
      report(ctx, item.pos, p, 'emptyGlob');
      return [];
    }
    if (item.value.startsWith('!')) {
      report(ctx, item.pos, p, 'negatedGlob', item.value);
      return [];
    }
    return [item.value];
  });
}

function readMaxFileSize(ctx: Ctx, node: JsonNode, ptr: string): number | undefined {
  if (node.type === 'number' && Number.isSafeInteger(node.value) && node.value > 0) return node.value;
  report(ctx, node.pos, ptr, 'wrongType', readablePath(ptr), 'a positive integer (bytes)', describeNode(node));
  return undefined;
}

function readBoolean(ctx: Ctx, node: JsonNode, ptr: string): boolean | undefined {
  if (node.type === 'boolean') return node.value;
  report(ctx, node.pos, ptr, 'wrongType', readablePath(ptr), 'true or false', describeNode(node));
  return undefined;
}

function readContexts(ctx: Ctx, node: JsonNode, ptr: string): Record<ContextKind, readonly string[]> | undefined {
  const obj = readObject(ctx, node, ptr, 'an object with "hardirq", "softirq" and/or "nmi" function lists');
  if (obj === undefined) return undefined;
  const m = uniqueMembers(ctx, obj, ptr, CONTEXT_KINDS);
  const list = (kind: ContextKind): readonly string[] =>
    opt(m.get(kind), (mem) => readNameList(ctx, mem.value, pointer(ptr, kind))) ?? DEFAULT_CONFIG.contexts[kind];
  return { hardirq: list('hardirq'), softirq: list('softirq'), nmi: list('nmi') };
}

// ---------------------------------------------------------------------------------------------
// Checks across entries

/**
 * A name may have one role only: a second lock entry naming it, or a blocking entry naming a lock
 * function, would make the API table ambiguous. The first lock entry wins; blocking entries lose
 * to lock entries (a lock function that also blocks is modelled by the lock, not the block), and
 * callback entries to both (what the function does to locks or how it blocks matters more).
 */
function crossCheck(
  ctx: Ctx,
  locks: readonly Located<LockFunctionSpec>[],
  blocking: readonly Located<BlockingFunctionSpec>[],
  callbacks: readonly Located<CallbackFunctionSpec>[],
): { locks: LockFunctionSpec[]; blocking: BlockingFunctionSpec[]; callbacks: CallbackFunctionSpec[] } {
  const lockNames = new Map<string, NameSite>();
  const keptLocks: LockFunctionSpec[] = [];
  for (const entry of locks) {
    const clash = entry.names.find((n) => lockNames.has(n.name));
    if (clash) {
      report(ctx, clash.pos, clash.pointer, 'duplicateFunction', clash.name, readablePath(lockNames.get(clash.name)!.pointer));
      continue;
    }
    for (const n of entry.names) lockNames.set(n.name, n);
    keptLocks.push(entry.value);
  }
  const blockingNames = new Map<string, NameSite>();
  const keptBlocking: BlockingFunctionSpec[] = [];
  for (const entry of blocking) {
    const site = entry.names[0];
    const lock = lockNames.get(site.name);
    const earlier = blockingNames.get(site.name);
    if (lock) report(ctx, site.pos, site.pointer, 'lockAndBlocking', site.name, readablePath(lock.pointer));
    else if (earlier) report(ctx, site.pos, site.pointer, 'duplicateFunction', site.name, readablePath(earlier.pointer));
    else {
      blockingNames.set(site.name, site);
      keptBlocking.push(entry.value);
    }
  }
  const callbackNames = new Map<string, NameSite>();
  const keptCallbacks: CallbackFunctionSpec[] = [];
  for (const entry of callbacks) {
    const site = entry.names[0];
    const earlier = lockNames.get(site.name) ?? blockingNames.get(site.name) ?? callbackNames.get(site.name);
    if (earlier) report(ctx, site.pos, site.pointer, 'duplicateFunction', site.name, readablePath(earlier.pointer));
    else {
      callbackNames.set(site.name, site);
      keptCallbacks.push(entry.value);
    }
  }
  return { locks: keptLocks, blocking: keptBlocking, callbacks: keptCallbacks };
}
