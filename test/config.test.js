// Configuration: parsing with positions, validation messages, merge, API entries, exclude globs.
// Run after `npx tsc -b server`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const Ajv = require('ajv').default;

const {
  parseConfig,
  configFromValue,
  mergeConfig,
  toApiEntries,
  isExcluded,
  compileExclude,
  DEFAULT_CONFIG,
} = require('../server/out/config');
const { buildApiIndex } = require('../server/out/api');

const CHECKS = ['lock-order', 'double-lock', 'leaked-lock', 'unlock-not-held', 'blocking-under-lock', 'sync-in-read-section'];
const FILE = '.locklint.json';
const SCHEMA = JSON.parse(fs.readFileSync(path.join(__dirname, '../server/src/config/schema.json'), 'utf8'));

const parse = (text) => parseConfig(text, FILE, CHECKS);
const json = (value) => JSON.stringify(value, null, 2);

/** The one problem `text` must produce, compared field by field (message by substring). */
function assertOneProblem(text, expected) {
  const { problems } = parse(text);
  assert.equal(problems.length, 1, `expected one problem, got ${JSON.stringify(problems, null, 1)}`);
  const [p] = problems;
  assert.equal(p.file, FILE);
  assert.deepEqual({ line: p.line, col: p.col, key: p.key }, { line: expected.line, col: expected.col, key: expected.key });
  assert.ok(p.message.includes(expected.message), `message ${JSON.stringify(p.message)} lacks ${JSON.stringify(expected.message)}`);
  if (expected.code) assert.equal(p.code, expected.code);
  return p;
}

const VALID = {
  $schema: './node_modules/locklint/server/out/config/schema.json',
  lockFunctions: [
    { acquire: 'my_lock', release: 'my_unlock', tryAcquire: 'my_trylock', argIndex: 1, mode: 'exclusive' },
    { acquire: 'dev_read_lock', release: 'dev_read_unlock', mode: 'shared' },
    { acquire: 'hw_lock', release: 'hw_unlock', mode: 'spin' },
    { acquire: 'hw_lock_irq', release: 'hw_unlock_irq', mode: 'irq' },
    { acquire: 'store.DB.Lock', release: 'store.DB.Unlock', tryAcquire: 'store.DB.TryLock' },
    { acquire: 'p_lock', release: 'p_unlock', tryAcquire: 'p_trylock', trySuccess: 'zero' },
  ],
  blockingFunctions: ['my_wait', { name: 'my_sync', category: 'synchronize', domain: 'rcu' }, { name: 'store.Flush', category: 'wait' }],
  checks: { 'lock-order': 'error', 'leaked-lock': 'off' },
  exclude: ['vendor', 'third_party/linux', '*.gen.c'],
  maxFileSize: 2000000,
  contexts: { hardirq: ['my_irq_handler'], softirq: ['my_tasklet'], nmi: [] },
  reportSameClassNesting: true,
  callbackFunctions: [{ name: 'my_for_each', argIndex: 1, runs: 'now' }, { name: 'my_register_irq', argIndex: 2, runs: 'hardirq' }, { name: 'my_walk', argIndex: 0 }],
};

// ---------------------------------------------------------------------------------------------
// Valid input

test('a valid configuration parses without problems and is normalised', () => {
  const { config, problems } = parse(json(VALID));
  assert.deepEqual(problems, []);
  assert.equal(config.lockFunctions.length, 6);
  assert.deepEqual(config.lockFunctions[0], { acquire: 'my_lock', release: 'my_unlock', tryAcquire: 'my_trylock', argIndex: 1, mode: 'exclusive' });
  // mode defaults to exclusive; argIndex stays absent (language default applied in toApiEntries)
  assert.deepEqual(config.lockFunctions[4], { acquire: 'store.DB.Lock', release: 'store.DB.Unlock', tryAcquire: 'store.DB.TryLock', mode: 'exclusive' });
  assert.deepEqual(config.blockingFunctions, [
    { name: 'my_wait', category: 'sleep' },
    { name: 'my_sync', category: 'synchronize', domain: 'rcu' },
    { name: 'store.Flush', category: 'wait' },
  ]);
  assert.deepEqual(config.checks, { 'lock-order': 'error', 'leaked-lock': 'off' });
  assert.deepEqual(config.exclude, ['vendor', 'third_party/linux', '*.gen.c']);
  assert.equal(config.maxFileSize, 2000000);
  assert.deepEqual(config.contexts, { hardirq: ['my_irq_handler'], softirq: ['my_tasklet'], nmi: [] });
  assert.equal(config.reportSameClassNesting, true);
  // runs defaults to "now"
  assert.deepEqual(config.callbackFunctions, [
    { name: 'my_for_each', argIndex: 1, runs: 'now' },
    { name: 'my_register_irq', argIndex: 2, runs: 'hardirq' },
    { name: 'my_walk', argIndex: 0, runs: 'now' },
  ]);
});

test('an empty file or object gives the defaults', () => {
  for (const text of ['', '  \n', '{}', '\ufeff{}']) {
    const { config, problems } = parse(text);
    assert.deepEqual(problems, [], JSON.stringify(text));
    assert.deepEqual(config, DEFAULT_CONFIG);
  }
  assert.equal(DEFAULT_CONFIG.maxFileSize, 1048576);
  assert.equal(DEFAULT_CONFIG.reportSameClassNesting, false);
});

test('the parser agrees with JSON.parse on values (escapes, numbers, unicode)', () => {
  const value = { exclude: ['a\\b', 'é/ü', '\u00e9\t"q"', '\ud83d\ude00', 'x\u0041'], maxFileSize: 1e3 };
  const text = '{"exclude": ["a\\\\b", "é/ü", "\\u00e9\\t\\"q\\"", "\\ud83d\\ude00", "x\\u0041"], "maxFileSize": 1e3}';
  assert.deepEqual(JSON.parse(text), value);
  const { config, problems } = parse(text);
  assert.deepEqual(problems, []);
  assert.deepEqual(config.exclude, value.exclude);
  assert.equal(config.maxFileSize, 1000);
});

// ---------------------------------------------------------------------------------------------
// Invalid JSON: position of the syntax error

test('invalid JSON reports the position of the syntax error and returns the defaults', () => {
  const cases = [
    // [text, line, col, message substring]
    ['{\n  "checks": {\n    "lock-order": "error",\n  }\n}', 3, 2, 'trailing comma'],
    ['{"exclude": ["a" "b"]}', 0, 17, "expected ',' or ']'"],
    ['{\r\n  "maxFileSize": tru\r\n}', 1, 17, 'expected a value'],
    ['{\n  "exclude": ["abc\n]}', 1, 18, 'unterminated string'],
    ['{\n  // comment\n}', 1, 2, 'comments are not allowed'],
    ["{'checks': {}}", 0, 1, 'strings must use double quotes'],
    ['{"maxFileSize": 01}', 0, 17, 'invalid number'],
    ['{"a": "\\x"}', 0, 7, 'invalid escape'],
    ['{} {}', 0, 3, 'after the JSON value'],
    ['{"checks": {', 0, 12, 'end of input'],
    ['{"a"  1}', 0, 6, "':'"],
  ];
  for (const [text, line, col, message] of cases) {
    assert.throws(() => JSON.parse(text), SyntaxError, `JSON.parse accepts ${JSON.stringify(text)}`);
    const { config, problems } = parse(text);
    assert.equal(problems.length, 1, text);
    assert.deepEqual({ line: problems[0].line, col: problems[0].col, key: problems[0].key, code: problems[0].code }, { line, col, key: '', code: 'syntax' }, text);
    assert.ok(problems[0].message.startsWith('invalid JSON: '), problems[0].message);
    assert.ok(problems[0].message.includes(message), `${JSON.stringify(problems[0].message)} lacks ${message}`);
    assert.deepEqual(config, DEFAULT_CONFIG);
  }
});

test('deeply nested input is a syntax error, not a stack overflow', () => {
  const text = '{"contexts": ' + '['.repeat(100000) + ']'.repeat(100000) + '}';
  const { problems } = parse(text);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].code, 'syntax');
  assert.match(problems[0].message, /nesting/);
});

test('the whole file must be an object', () => {
  assertOneProblem('[1, 2]', { line: 0, col: 0, key: '', message: 'the configuration must be an object, got an array', code: 'wrong-type' });
});

// ---------------------------------------------------------------------------------------------
// Keys and values: exact positions, JSON pointers and messages

test('unknown keys suggest the closest known key', () => {
  const p = assertOneProblem('{\n  "lockFunction": []\n}', {
    line: 1,
    col: 2,
    key: '/lockFunction',
    message: 'unknown key "lockFunction"; did you mean "lockFunctions"?',
    code: 'unknown-key',
  });
  assert.equal(p.message, 'unknown key "lockFunction"; did you mean "lockFunctions"?');
  // Case slips and transpositions are typos too.
  assertOneProblem('{"maxfilesize": 5}', { line: 0, col: 1, key: '/maxfilesize', message: 'did you mean "maxFileSize"?' });
  assertOneProblem('{"exlcude": []}', { line: 0, col: 1, key: '/exlcude', message: 'did you mean "exclude"?' });
  // Nothing close: list what is allowed.
  assertOneProblem('{"colour": true}', { line: 0, col: 1, key: '/colour', message: 'expected one of: lockFunctions, blockingFunctions, checks' });
  // Nested objects have their own vocabulary.
  assertOneProblem('{"lockFunctions": [{"acquire": "a", "release": "b", "mdoe": "spin"}]}', {
    line: 0,
    col: 52,
    key: '/lockFunctions/0/mdoe',
    message: 'did you mean "mode"?',
  });
  assertOneProblem('{"contexts": {"hardirqs": ["f"]}}', { line: 0, col: 14, key: '/contexts/hardirqs', message: 'did you mean "hardirq"?' });
});

test('unknown check ids suggest the closest known check', () => {
  const text = '{\n  "checks": {\n    "lock-ordr": "error",\n    "double-lock": "off"\n  }\n}';
  const p = assertOneProblem(text, {
    line: 2,
    col: 4,
    key: '/checks/lock-ordr',
    message: 'unknown check "lock-ordr"; did you mean "lock-order"?',
    code: 'unknown-check',
  });
  assert.equal(p.message, 'unknown check "lock-ordr"; did you mean "lock-order"?');
  // The valid sibling survives; the unknown one is dropped.
  assert.deepEqual(parse(text).config.checks, { 'double-lock': 'off' });
  assertOneProblem('{"checks": {"blocking-under-locks": "off"}}', { line: 0, col: 12, key: '/checks/blocking-under-locks', message: 'did you mean "blocking-under-lock"?' });
  assertOneProblem('{"checks": {"races": "off"}}', { line: 0, col: 12, key: '/checks/races', message: 'known checks: lock-order, double-lock' });
});

test('wrong types are reported at the value, and that part falls back to its default', () => {
  const cases = [
    ['{"maxFileSize": "1MB"}', 0, 16, '/maxFileSize', 'maxFileSize must be a positive integer (bytes), got the string "1MB"'],
    ['{"maxFileSize": 0}', 0, 16, '/maxFileSize', 'maxFileSize must be a positive integer (bytes), got 0'],
    ['{"maxFileSize": 1.5}', 0, 16, '/maxFileSize', 'got 1.5'],
    ['{"reportSameClassNesting": "yes"}', 0, 27, '/reportSameClassNesting', 'reportSameClassNesting must be true or false'],
    ['{"lockFunctions": {"acquire": "a"}}', 0, 18, '/lockFunctions', 'lockFunctions must be an array of lock function objects, got an object'],
    ['{"lockFunctions": ["my_lock"]}', 0, 19, '/lockFunctions/0', 'lockFunctions[0] must be an object with "acquire" and "release"'],
    ['{"lockFunctions": [{"acquire": 1, "release": "u"}]}', 0, 31, '/lockFunctions/0/acquire', 'lockFunctions[0].acquire must be a string, got 1'],
    ['{"lockFunctions": [{"acquire": "l", "release": "u", "argIndex": 1.5}]}', 0, 64, '/lockFunctions/0/argIndex', 'must be an integer from -1'],
    ['{"checks": ["lock-order"]}', 0, 11, '/checks', 'checks must be an object'],
    ['{"checks": {"lock-order": false}}', 0, 26, '/checks/lock-order', 'checks.lock-order must be one of error, warning, info, off, got false'],
    ['{"exclude": "vendor"}', 0, 12, '/exclude', 'exclude must be an array of glob patterns, got the string "vendor"'],
    ['{"exclude": ["a", null]}', 0, 18, '/exclude/1', 'exclude[1] must be a glob pattern string, got null'],
    ['{"blockingFunctions": [42]}', 0, 23, '/blockingFunctions/0', 'must be a function name or an object'],
    ['{"contexts": {"hardirq": "f"}}', 0, 25, '/contexts/hardirq', 'contexts.hardirq must be an array of function names'],
    ['{"contexts": {"nmi": [""]}}', 0, 22, '/contexts/nmi/0', 'must be a non-empty function name'],
  ];
  for (const [text, line, col, key, message] of cases) {
    const p = assertOneProblem(text, { line, col, key, message });
    assert.equal(p.code, p.message.includes('non-empty') ? 'bad-value' : 'wrong-type', text);
  }
  assert.equal(parse('{"maxFileSize": "1MB", "reportSameClassNesting": true}').config.maxFileSize, DEFAULT_CONFIG.maxFileSize);
  assert.equal(parse('{"maxFileSize": "1MB", "reportSameClassNesting": true}').config.reportSameClassNesting, true);
});

test('bad enum values name the allowed values or the closest one', () => {
  assertOneProblem('{"checks": {"lock-order": "fatal"}}', {
    line: 0,
    col: 26,
    key: '/checks/lock-order',
    message: 'invalid setting for check "lock-order": "fatal"; expected one of: error, warning, info, off',
    code: 'bad-enum',
  });
  assertOneProblem('{"checks": {"lock-order": "warn"}}', { line: 0, col: 26, key: '/checks/lock-order', message: 'did you mean "warning"?' });
  const text = '{\n  "lockFunctions": [\n    {"acquire": "l", "release": "u", "mode": "exlusive"}\n  ]\n}';
  assertOneProblem(text, { line: 2, col: 45, key: '/lockFunctions/0/mode', message: 'invalid lock mode: "exlusive"; did you mean "exclusive"?', code: 'bad-enum' });
  // The entry survives with the default mode.
  assert.deepEqual(parse(text).config.lockFunctions, [{ acquire: 'l', release: 'u', mode: 'exclusive' }]);
  const badCategory = '{"blockingFunctions": [{"name": "w", "category": "blocking"}]}';
  assertOneProblem(badCategory, {
    line: 0,
    col: badCategory.indexOf('"blocking"'),
    key: '/blockingFunctions/0/category',
    message: 'invalid blocking category: "blocking"; expected one of: sleep, wait, synchronize, transaction',
  });
  const badTry = '{"lockFunctions": [{"acquire": "l", "release": "u", "tryAcquire": "t", "trySuccess": "0"}]}';
  assertOneProblem(badTry, {
    line: 0,
    col: badTry.indexOf('"0"'),
    key: '/lockFunctions/0/trySuccess',
    message: 'expected one of: nonzero, zero',
  });
});

test('missing required keys drop the entry', () => {
  const text = '{"lockFunctions": [{"acquire": "l"}, {"acquire": "a", "release": "b"}]}';
  assertOneProblem(text, { line: 0, col: 19, key: '/lockFunctions/0', message: 'lockFunctions[0] is missing the required key "release"', code: 'missing-key' });
  assert.deepEqual(parse(text).config.lockFunctions, [{ acquire: 'a', release: 'b', mode: 'exclusive' }]);
  assertOneProblem('{"blockingFunctions": [{"category": "wait"}]}', { line: 0, col: 23, key: '/blockingFunctions/0', message: 'missing the required key "name"' });
});

test('a function listed both as lock and as blocking is reported at the blocking entry', () => {
  const text = json({ lockFunctions: [{ acquire: 'my_lock', release: 'my_unlock', tryAcquire: 'my_trylock' }], blockingFunctions: ['ok', 'my_trylock'] });
  const p = assertOneProblem(text, {
    line: 10,
    col: 4,
    key: '/blockingFunctions/1',
    message: '"my_trylock" is listed both as a lock function (lockFunctions[0].tryAcquire) and as a blocking function',
    code: 'lock-and-blocking',
  });
  assert.ok(p.message.includes('ignored'));
  assert.deepEqual(parse(text).config.blockingFunctions, [{ name: 'ok', category: 'sleep' }]);
  // Object form: pointer to the name inside the entry.
  const objectForm = '{"lockFunctions": [{"acquire": "l", "release": "u"}], "blockingFunctions": [{"name": "u", "category": "wait"}]}';
  assertOneProblem(objectForm, {
    line: 0,
    col: objectForm.lastIndexOf('"u"'),
    key: '/blockingFunctions/0/name',
    message: '"u" is listed both as a lock function (lockFunctions[0].release)',
  });
});

test('a function in two lock entries (or two blocking entries) keeps the first', () => {
  const text = '{"lockFunctions": [{"acquire": "l", "release": "u"}, {"acquire": "l2", "release": "u"}], "blockingFunctions": ["w", "w"]}';
  const { config, problems } = parse(text);
  assert.deepEqual(
    problems.map((p) => [p.key, p.col, p.code]),
    [
      ['/lockFunctions/1/release', text.lastIndexOf('"u"'), 'duplicate-function'],
      ['/blockingFunctions/1', text.lastIndexOf('"w"'), 'duplicate-function'],
    ],
  );
  assert.match(problems[0].message, /"u" is already listed at lockFunctions\[0\]\.release/);
  assert.deepEqual(config.lockFunctions.map((l) => l.acquire), ['l']);
  assert.deepEqual(config.blockingFunctions, [{ name: 'w', category: 'sleep' }]);
});

test('duplicate keys, negated globs and trySuccess without tryAcquire are reported', () => {
  const dup = parse('{"maxFileSize": 5, "maxFileSize": 6}');
  assert.deepEqual(dup.problems.map((p) => [p.key, p.col, p.code]), [['/maxFileSize', 19, 'duplicate-key']]);
  assert.equal(dup.config.maxFileSize, 6); // last one wins, as with JSON.parse
  assertOneProblem('{"exclude": ["!keep.c"]}', { line: 0, col: 13, key: '/exclude/0', message: 'negated patterns', code: 'bad-value' });
  assertOneProblem('{"lockFunctions": [{"acquire": "l", "release": "u", "trySuccess": "zero"}]}', {
    line: 0,
    col: 52,
    key: '/lockFunctions/0/trySuccess',
    message: '"trySuccess" only applies together with "tryAcquire"',
  });
});

test('JSON pointers escape "/" and "~" (RFC 6901)', () => {
  assertOneProblem('{"checks": {"a/b~c": "off"}}', { line: 0, col: 12, key: '/checks/a~1b~0c', message: 'unknown check "a/b~c"' });
});

test('problems come in file order and every bad part falls back independently', () => {
  const text = [
    '{',
    '  "reportSameClassNesting": 1,',
    '  "checks": {"lock-order": "error", "double-lok": "off"},',
    '  "lockFunctions": [{"acquire": "a", "release": "b", "mode": "irq"}, {"acquire": "c"}],',
    '  "exclude": ["ok/**", 7],',
    '  "bogus": 1',
    '}',
  ].join('\n');
  const { config, problems } = parse(text);
  assert.deepEqual(
    problems.map((p) => [p.line, p.key]),
    [
      [1, '/reportSameClassNesting'],
      [2, '/checks/double-lok'],
      [3, '/lockFunctions/1'],
      [4, '/exclude/1'],
      [5, '/bogus'],
    ],
  );
  assert.equal(config.reportSameClassNesting, false);
  assert.deepEqual(config.checks, { 'lock-order': 'error' });
  assert.deepEqual(config.lockFunctions, [{ acquire: 'a', release: 'b', mode: 'irq' }]);
  assert.deepEqual(config.exclude, ['ok/**']);
});

test('columns count UTF-16 code units after non-ASCII text', () => {
  assertOneProblem('{"exclude": ["é😀"], "x": 1}', { line: 0, col: 21, key: '/x', message: 'unknown key "x"' });
});

test('configFromValue validates already-parsed VS Code settings the same way', () => {
  const { config, problems } = configFromValue({ checks: { 'lock-order': 'off', nope: 'error' }, maxFileSize: 10 }, 'settings', CHECKS);
  assert.deepEqual(config.checks, { 'lock-order': 'off' });
  assert.equal(config.maxFileSize, 10);
  assert.deepEqual(problems.map((p) => [p.file, p.key, p.line, p.col, p.code]), [['settings', '/checks/nope', 0, 0, 'unknown-check']]);
});

test('callbackFunctions: each problem at its value, the entry dropped or defaulted', () => {
  const missing = '{"callbackFunctions": [{"name": "each"}, {"argIndex": 1}]}';
  const { config, problems } = parse(missing);
  assert.deepEqual(problems.map((p) => [p.key, p.col, p.code]), [
    ['/callbackFunctions/0', 23, 'missing-key'],
    ['/callbackFunctions/1', 41, 'missing-key'],
  ]);
  assert.equal(problems[0].message, 'callbackFunctions[0] is missing the required key "argIndex"');
  assert.equal(problems[1].message, 'callbackFunctions[1] is missing the required key "name"');
  assert.deepEqual(config.callbackFunctions, []);
  const receiver = '{"callbackFunctions": [{"name": "pkg.T.Each", "argIndex": -1}]}';
  assertOneProblem(receiver, {
    line: 0, col: receiver.indexOf('-1'), key: '/callbackFunctions/0/argIndex',
    message: 'callbackFunctions[0].argIndex must be an integer from 0 to 64, got -1', code: 'wrong-type',
  });
  const runs = '{\n  "callbackFunctions": [\n    {"name": "each", "argIndex": 1, "runs": "threads"}\n  ]\n}';
  assertOneProblem(runs, {
    line: 2, col: runs.split('\n')[2].indexOf('"threads"'), key: '/callbackFunctions/0/runs',
    message: 'invalid "runs" value: "threads"; did you mean "thread"?', code: 'bad-enum',
  });
  // A bad runs falls back to the default; the entry survives.
  assert.deepEqual(parse(runs).config.callbackFunctions, [{ name: 'each', argIndex: 1, runs: 'now' }]);
  assertOneProblem('{"callbackFunctions": [{"name": "each", "argIndex": 1, "run": "now"}]}', {
    line: 0, col: 55, key: '/callbackFunctions/0/run', message: 'did you mean "runs"?', code: 'unknown-key',
  });
  assertOneProblem('{"callbackFunctions": ["each"]}', {
    line: 0, col: 23, key: '/callbackFunctions/0', message: 'callbackFunctions[0] must be an object with "name" and "argIndex"',
  });
});

test('callbackFunctions: a name with another role keeps that role', () => {
  const text = json({
    lockFunctions: [{ acquire: 'my_lock', release: 'my_unlock' }],
    blockingFunctions: ['my_wait'],
    callbackFunctions: [
      { name: 'my_lock', argIndex: 1 },
      { name: 'my_wait', argIndex: 0, runs: 'thread' },
      { name: 'each', argIndex: 1 },
      { name: 'each', argIndex: 2, runs: 'softirq' },
    ],
  });
  const { config, problems } = parse(text);
  assert.deepEqual(problems.map((p) => [p.key, p.code]), [
    ['/callbackFunctions/0/name', 'duplicate-function'],
    ['/callbackFunctions/1/name', 'duplicate-function'],
    ['/callbackFunctions/3/name', 'duplicate-function'],
  ]);
  assert.match(problems[0].message, /"my_lock" is already listed at lockFunctions\[0\]\.acquire; this entry is ignored/);
  assert.match(problems[1].message, /"my_wait" is already listed at blockingFunctions\[0\]/);
  assert.match(problems[2].message, /"each" is already listed at callbackFunctions\[2\]\.name/);
  assert.equal(problems[0].line, text.split('\n').findIndex((l) => l.includes('"name": "my_lock"')));
  assert.deepEqual(config.callbackFunctions, [{ name: 'each', argIndex: 1, runs: 'now' }]);
  assert.deepEqual(config.lockFunctions.map((l) => l.acquire), ['my_lock']);
  assert.deepEqual(config.blockingFunctions, [{ name: 'my_wait', category: 'sleep' }]);
});

test('callbackFunctions: the workspace file wins on a name, whatever role it gives it', () => {
  const user = parse(json({ callbackFunctions: [{ name: 'each', argIndex: 1 }, { name: 'visit', argIndex: 0 }, { name: 'walk', argIndex: 2 }] })).config;
  const workspace = parse(json({
    blockingFunctions: ['visit'],
    callbackFunctions: [{ name: 'each', argIndex: 2, runs: 'thread' }, { name: 'reg', argIndex: 1, runs: 'nmi' }],
  })).config;
  const merged = mergeConfig(user, workspace);
  assert.deepEqual(merged.callbackFunctions, [
    { name: 'walk', argIndex: 2, runs: 'now' },
    { name: 'each', argIndex: 2, runs: 'thread' },
    { name: 'reg', argIndex: 1, runs: 'nmi' },
  ]);
  assert.deepEqual(merged.blockingFunctions, [{ name: 'visit', category: 'sleep' }]);
  // A callback entry in the workspace takes the name from a user lock entry too.
  const lockUser = parse(json({ lockFunctions: [{ acquire: 'each', release: 'each_end' }] })).config;
  assert.deepEqual(mergeConfig(lockUser, workspace).lockFunctions, []);
  assert.deepEqual(mergeConfig(DEFAULT_CONFIG, user), user);
});

test('callbackFunctions become invoke or spawn entries, Go names in the Go table', () => {
  const { config } = parse(json({
    callbackFunctions: [
      { name: 'my_for_each', argIndex: 1 },
      { name: 'my_thread_start', argIndex: 2, runs: 'thread' },
      { name: 'my_register_irq', argIndex: 1, runs: 'hardirq' },
      { name: 'registry.Table.Each', argIndex: 0, runs: 'now' },
      { name: 'jobs.Schedule', argIndex: 1, runs: 'thread' },
    ],
  }));
  const { c, go } = toApiEntries(config);
  const strip = (e) => ({ ...e, doc: undefined });
  assert.deepEqual(c.map(strip), [
    { name: 'my_for_each', role: 'invoke', arg: 1, doc: undefined },
    { name: 'my_thread_start', role: 'spawn', arg: 2, doc: undefined },
    { name: 'my_register_irq', role: 'spawn', arg: 1, context: 'hardirq', doc: undefined },
  ]);
  assert.deepEqual(go.map(strip), [
    { name: 'registry.Table.Each', role: 'invoke', arg: 0, doc: undefined },
    { name: 'jobs.Schedule', role: 'spawn', arg: 1, doc: undefined },
  ]);
  assert.match(c[0].doc, /callbackFunctions/);
  // A configured entry replaces the bundled one: qsort started on a thread is no longer invoked.
  const over = toApiEntries(parse(json({ callbackFunctions: [{ name: 'qsort', argIndex: 3, runs: 'thread' }] })).config);
  assert.equal(buildApiIndex().c.get('qsort').role, 'invoke');
  assert.equal(buildApiIndex(over.c, over.go).c.get('qsort').role, 'spawn');
});

// ---------------------------------------------------------------------------------------------
// Schema and validator agree

test('schema.json is a valid draft-07 schema that agrees with the validator', () => {
  const ajv = new Ajv({ allErrors: true });
  ajv.addVocabulary(['enumDescriptions', 'defaultSnippets']); // VS Code's JSON schema extensions
  const validate = ajv.compile(SCHEMA);
  assert.equal(validate(VALID), true, JSON.stringify(validate.errors));
  const badCallbacks = [{ callbackFunctions: [{ name: 'f' }] }, { callbackFunctions: [{ name: 'f', argIndex: -1 }] }, { callbackFunctions: [{ name: 'f', argIndex: 0, runs: 'later' }] }];
  for (const bad of [{ lockFunctions: [{ acquire: 'a' }] }, { checks: { 'lock-order': 'fatal' } }, { lockFunction: [] }, { exclude: ['!x'] }, { maxFileSize: 0 }, ...badCallbacks]) {
    assert.equal(validate(bad), false, JSON.stringify(bad));
    assert.notDeepEqual(parse(json(bad)).problems, [], JSON.stringify(bad));
  }
  // Same vocabulary: keys and enums.
  const props = SCHEMA.properties;
  assert.deepEqual(Object.keys(props).filter((k) => k !== '$schema').sort(), Object.keys(DEFAULT_CONFIG).sort());
  assert.deepEqual(props.lockFunctions.items.properties.mode.enum, ['exclusive', 'shared', 'spin', 'irq']);
  assert.deepEqual(props.blockingFunctions.items.anyOf[1].properties.category.enum, ['sleep', 'wait', 'synchronize', 'transaction']);
  assert.deepEqual(props.callbackFunctions.items.properties.runs.enum, ['now', 'thread', 'hardirq', 'softirq', 'nmi']);
  assert.deepEqual(props.callbackFunctions.items.required, ['name', 'argIndex']);
  assert.deepEqual(SCHEMA.definitions.checkSetting.enum, ['error', 'warning', 'info', 'off']);
  assert.deepEqual(Object.keys(props.contexts.properties), Object.keys(DEFAULT_CONFIG.contexts));
  for (const id of CHECKS) assert.ok(props.checks.properties[id], `schema lacks check ${id}`);
  // Every key and enum has a description (completion in VS Code shows them).
  const undocumented = [];
  const walk = (node, where) => {
    if (node === null || typeof node !== 'object') return;
    if (node.properties) {
      for (const [k, v] of Object.entries(node.properties)) {
        if (!v.description) undocumented.push(`${where}/${k}`);
        walk(v, `${where}/${k}`);
      }
    }
    if (node.enum && node.enumDescriptions === undefined && !where.startsWith('/definitions/checkSetting')) {
      if (node.enum.length !== 0) undocumented.push(`${where} enum`);
    }
    for (const k of ['items', 'additionalProperties']) walk(node[k], `${where}/${k}`);
    for (const alt of node.anyOf ?? []) walk(alt, where);
  };
  walk(SCHEMA, '');
  assert.deepEqual(undocumented, []);
});

// ---------------------------------------------------------------------------------------------
// Merge

test('mergeConfig: the workspace file wins over user settings', () => {
  const user = parse(
    json({
      lockFunctions: [
        { acquire: 'u_lock', release: 'u_unlock' },
        { acquire: 'shared_lock', release: 'shared_unlock', mode: 'spin' },
      ],
      blockingFunctions: ['u_wait', 'conflict'],
      checks: { 'lock-order': 'error', 'leaked-lock': 'off' },
      exclude: ['build', 'vendor'],
      maxFileSize: 5000,
      contexts: { hardirq: ['irq_a'] },
      reportSameClassNesting: true,
    }),
  ).config;
  const workspace = parse(
    json({
      lockFunctions: [{ acquire: 'shared_lock', release: 'shared_unlock', mode: 'exclusive' }, { acquire: 'conflict', release: 'conflict_end' }],
      blockingFunctions: [{ name: 'w_wait', category: 'wait' }],
      checks: { 'lock-order': 'info' },
      exclude: ['vendor', 'gen'],
      maxFileSize: 9000,
      contexts: { hardirq: ['irq_b'], nmi: ['nmi_a'] },
    }),
  ).config;
  const merged = mergeConfig(user, workspace);
  assert.deepEqual(merged.lockFunctions, [
    { acquire: 'u_lock', release: 'u_unlock', mode: 'exclusive' },
    { acquire: 'shared_lock', release: 'shared_unlock', mode: 'exclusive' }, // the workspace's definition
    { acquire: 'conflict', release: 'conflict_end', mode: 'exclusive' },
  ]);
  // "conflict" became a lock in the workspace, so the user's blocking entry for it is gone.
  assert.deepEqual(merged.blockingFunctions, [
    { name: 'u_wait', category: 'sleep' },
    { name: 'w_wait', category: 'wait' },
  ]);
  assert.deepEqual(merged.checks, { 'lock-order': 'info', 'leaked-lock': 'off' });
  assert.deepEqual(merged.exclude, ['build', 'vendor', 'gen']);
  assert.equal(merged.maxFileSize, 9000);
  assert.deepEqual(merged.contexts, { hardirq: ['irq_a', 'irq_b'], softirq: [], nmi: ['nmi_a'] });
  // The workspace did not set reportSameClassNesting (default): the user's value stands.
  assert.equal(merged.reportSameClassNesting, true);
  // A default-valued scalar in the override does not reset the base.
  assert.equal(mergeConfig(user, DEFAULT_CONFIG).maxFileSize, 5000);
  assert.deepEqual(mergeConfig(DEFAULT_CONFIG, user), user);
  assert.deepEqual(mergeConfig(user, DEFAULT_CONFIG), user);
  // Inputs are not modified.
  assert.deepEqual(user.checks, { 'lock-order': 'error', 'leaked-lock': 'off' });
});

// ---------------------------------------------------------------------------------------------
// API entries

test('toApiEntries maps modes to lock kinds and routes Go names to the Go table', () => {
  const { config } = parse(json(VALID));
  const { c, go } = toApiEntries(config);
  const byName = (entries, name) => entries.find((e) => e.name === name);
  assert.deepEqual(
    { ...byName(c, 'my_lock'), doc: undefined },
    { name: 'my_lock', role: 'acquire', kind: 'mutex', mode: 'exclusive', irq: 'none', arg: 1, doc: undefined },
  );
  assert.deepEqual(
    { ...byName(c, 'my_unlock'), doc: undefined },
    { name: 'my_unlock', role: 'release', kind: 'mutex', mode: 'exclusive', arg: 1, doc: undefined },
  );
  assert.equal(byName(c, 'my_trylock').role, 'tryacquire');
  assert.equal(byName(c, 'my_trylock').success, 'nonzero');
  assert.equal(byName(c, 'p_trylock').success, 'zero');
  assert.deepEqual([byName(c, 'dev_read_lock').kind, byName(c, 'dev_read_lock').mode, byName(c, 'dev_read_unlock').mode], ['rwlock', 'shared', 'shared']);
  assert.deepEqual([byName(c, 'hw_lock').kind, byName(c, 'hw_lock').irq], ['spin', 'none']);
  assert.deepEqual([byName(c, 'hw_lock_irq').kind, byName(c, 'hw_lock_irq').mode, byName(c, 'hw_lock_irq').irq], ['spin', 'exclusive', 'irq']);
  assert.equal(byName(c, 'hw_lock').arg, 0);
  // Go: methods lock their receiver (-1, like the bundled go-sync table); plain functions take arg 0.
  assert.deepEqual(go.map((e) => [e.name, e.role, e.arg ?? null]), [
    ['store.DB.Lock', 'acquire', -1],
    ['store.DB.Unlock', 'release', -1],
    ['store.DB.TryLock', 'tryacquire', -1],
    ['store.Flush', 'block', null],
  ]);
  assert.equal(byName(go, 'store.Flush').category, 'wait');
  assert.deepEqual(
    { ...byName(c, 'my_sync'), doc: undefined },
    { name: 'my_sync', role: 'block', category: 'synchronize', domain: 'rcu', doc: undefined },
  );
  assert.equal(byName(c, 'my_wait').category, 'sleep');
  assert.ok(!c.some((e) => e.name.includes('.')));
  // The result plugs into buildApiIndex, where user entries win over bundled ones.
  const index = buildApiIndex(c, go);
  assert.equal(index.c.get('my_lock').kind, 'mutex');
  assert.equal(index.go.get('store.DB.Lock').arg, -1);
  const overridden = toApiEntries(parse(json({ lockFunctions: [{ acquire: 'spin_lock', release: 'spin_unlock', mode: 'exclusive' }] })).config);
  assert.equal(buildApiIndex(overridden.c, overridden.go).c.get('spin_lock').kind, 'mutex');
  assert.deepEqual(toApiEntries(DEFAULT_CONFIG), { c: [], go: [] });
});

// ---------------------------------------------------------------------------------------------
// Exclude globs

test('exclude globs match like .gitignore patterns', () => {
  const cases = [
    // [relPath, globs, excluded]
    ['vendor/x.c', ['vendor'], true],
    ['a/b/vendor/x.c', ['vendor'], true], // no slash: any depth
    ['vendors/x.c', ['vendor'], false],
    ['src/gen/a.gen.c', ['*.gen.c'], true],
    ['src/a.c', ['*.gen.c'], false],
    ['third_party/linux/x.c', ['third_party/linux'], true], // directory excludes its contents
    ['src/third_party/linux/x.c', ['third_party/linux'], false], // a slash anchors at the root
    ['src/third_party/linux/x.c', ['**/third_party/linux'], true],
    ['build/x.c', ['/build'], true],
    ['src/build/x.c', ['/build'], false],
    ['build', ['build/'], false], // trailing slash: directories only
    ['build/out.c', ['build/'], true],
    ['a/build/out.c', ['build/'], true],
    ['.hidden/x.c', ['.hidden'], true], // dot: true
    ['a/.git/config', ['**/.git/**'], true],
    ['a/.cache/x.c', ['*'], true],
    ['a/x_test.go', ['*_test.go'], true],
    ['pkg/x_test.go', ['pkg/*_test.go'], true],
    ['pkg/sub/x_test.go', ['pkg/*_test.go'], false],
    ['pkg/sub/x_test.go', ['pkg/**/*_test.go'], true],
    ['./src/a.c', ['src'], true],
    ['src\\win\\a.c', ['win'], true], // backslashes accepted
    ['src/a.c', [], false],
    ['src/a.c', ['!src'], false], // negation is not supported: never matches
    ['my dir/é.c', ['my dir'], true],
  ];
  for (const [rel, globs, expected] of cases) {
    assert.equal(isExcluded(rel, globs), expected, `${rel} vs ${JSON.stringify(globs)}`);
  }
  // A walker can prune directories: a trailing-slash pattern matches a path known to be a directory.
  assert.equal(isExcluded('build', ['build/'], true), true);
  assert.equal(isExcluded('src/build', ['build/'], true), true);
  assert.equal(isExcluded('src', ['build/'], true), false);
  const skip = compileExclude(['vendor', '*.pb.go']);
  assert.deepEqual(['a/vendor/b.go', 'x.pb.go', 'main.go'].map(skip), [true, true, false]);
});
