// Output formats: text (plain and coloured), JSON, SARIF (validated against the official schema).
// Run after `npx tsc -b server`.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const Ajv = require('ajv').default;

const { formatText, formatJson, toJsonReport, formatSarif, toSarif, exitCodeFor, FINGERPRINT_KEY, absolutePathToUri, relativePathToUri } = require(
  '../server/out/report',
);

// ---------------------------------------------------------------------------------------------
// SARIF schema: the official one is draft-04; ajv 8 speaks draft-06+ and ajv-draft-04 is not
// installed. This schema uses nothing whose meaning changed between draft-04 and draft-07 except
// the root `id` (draft-07: `$id`), so declare it draft-07 and drop the root id.

/** RFC 3986 characters only (unreserved, reserved, percent-escapes): no spaces, no raw non-ASCII. */
const URI_CHARS = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const FORMATS = {
  uri: (s) => URI_CHARS.test(s) && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s),
  'uri-reference': (s) => URI_CHARS.test(s),
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)),
};

function sarifValidator() {
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'schemas/sarif-2.1.0.json'), 'utf8'));
  assert.equal(schema.$schema, 'http://json-schema.org/draft-04/schema#');
  schema.$schema = 'http://json-schema.org/draft-07/schema#';
  delete schema.id; // only the root one: `id` inside `properties` objects is a property name
  // unicodeRegExp: false because one of the schema's patterns is not a valid /u regular expression.
  const ajv = new Ajv({ allErrors: true, unicodeRegExp: false });
  for (const [name, validate] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate });
  return ajv.compile(schema);
}

const validateSarif = sarifValidator();

function assertValidSarif(log) {
  const ok = validateSarif(log);
  assert.ok(ok, JSON.stringify(validateSarif.errors, null, 1));
}

// ---------------------------------------------------------------------------------------------
// Fixtures

const ROOT = '/work/repo';
const span = (line, col, endLine, endCol) => ({ line, col, endLine, endCol });

const CHECKS = [
  {
    id: 'lock-order',
    doc: 'lock acquired in an order that conflicts with another path\n\nTwo functions take the same two locks in opposite orders.\nRun together, each can wait for the other.',
    defaultSeverity: 'warning',
    docPath: 'docs/checks/lock-order.md',
  },
  { id: 'double-lock', doc: 'lock acquired while already held\n\nThe second acquire waits forever.', defaultSeverity: 'error', docPath: 'docs/checks/double-lock.md' },
  { id: 'blocking-under-lock', doc: 'blocking call while holding a lock', defaultSeverity: 'warning', docPath: 'docs/checks/blocking-under-lock.md' },
];

const LOCK_ORDER = {
  check: 'lock-order',
  severity: 'warning',
  message: '`&b->lock` acquired while holding `&a->lock`; elsewhere they are taken in the opposite order',
  file: `${ROOT}/src/net.c`,
  span: span(41, 4, 41, 23),
  related: [
    { file: `${ROOT}/src/net.c`, span: span(39, 4, 39, 23), message: '`&a->lock` acquired here' },
    { file: `${ROOT}/src/dev.c`, span: span(9, 8, 9, 27), message: '`&a->lock` acquired here while holding `&b->lock`' },
  ],
  explanation: 'CPU0                    CPU1\n----                    ----\nlock(&a->lock)\n                        lock(&b->lock)\n\n*** DEADLOCK ***',
  fingerprint: 'lock-order:net_xmit:struct a.lock>struct b.lock',
};

const DOUBLE = {
  check: 'double-lock',
  severity: 'error',
  message: '`&dev->lock` acquired while already held',
  file: `${ROOT}/src/dev.c`,
  span: span(119, 2, 119, 26),
  related: [{ file: `${ROOT}/src/dev.c`, span: span(110, 2, 110, 26), message: 'first acquired here' }],
  fingerprint: 'double-lock:dev_reset:struct dev.lock',
};

const SLEEP = {
  check: 'blocking-under-lock',
  severity: 'info',
  message: '`time.Sleep` while holding `s.mu`',
  file: `${ROOT}/cmd/server.go`,
  span: span(0, 0, 0, 10),
  related: [],
  fingerprint: 'blocking-under-lock:(*server).run:pkg.server.mu:time.Sleep',
};

const FINDINGS = [LOCK_ORDER, SLEEP, DOUBLE];

// ---------------------------------------------------------------------------------------------
// Text

const EXPECTED_TEXT = [
  'cmd/server.go:1:1: info: `time.Sleep` while holding `s.mu` [blocking-under-lock]',
  '',
  'src/dev.c:120:3: error: `&dev->lock` acquired while already held [double-lock]',
  '    src/dev.c:111:3: note: first acquired here',
  '',
  'src/net.c:42:5: warning: `&b->lock` acquired while holding `&a->lock`; elsewhere they are taken in the opposite order [lock-order]',
  '    src/net.c:40:5: note: `&a->lock` acquired here',
  '    src/dev.c:10:9: note: `&a->lock` acquired here while holding `&b->lock`',
  '    CPU0                    CPU1',
  '    ----                    ----',
  '    lock(&a->lock)',
  '                            lock(&b->lock)',
  '',
  '    *** DEADLOCK ***',
  '',
  '3 findings (1 error, 1 warning, 1 info) in 3 files',
  '',
].join('\n');

test('text: compiler-style lines grouped by file, notes, explanation and summary', () => {
  const out = formatText(FINDINGS, { color: false, cwd: ROOT });
  assert.equal(out, EXPECTED_TEXT);
  assert.ok(!out.includes('\x1b'));
});

test('text: colour only when asked, and the same text under the escapes', () => {
  const out = formatText(FINDINGS, { color: true, cwd: ROOT });
  assert.ok(out.includes('\x1b[1;31merror:\x1b[0m'), out);
  assert.ok(out.includes('\x1b[1;35mwarning:\x1b[0m'));
  assert.ok(out.includes('\x1b[1;36mnote:\x1b[0m'));
  assert.ok(out.includes('\x1b[1msrc/dev.c:120:3:\x1b[0m'));
  assert.ok(out.includes('\x1b[2m[double-lock]\x1b[0m'));
  // eslint-disable-next-line no-control-regex
  assert.equal(out.replace(/\x1b\[[0-9;]*m/g, ''), EXPECTED_TEXT);
});

test('text: paths outside cwd stay absolute; relative paths are kept; summary grammar', () => {
  const outside = { ...DOUBLE, file: '/elsewhere/x.c', related: [] };
  const relative = { ...SLEEP, file: 'pkg/a.go' };
  const out = formatText([outside, relative], { color: false, cwd: ROOT });
  assert.match(out, /^\/elsewhere\/x\.c:120:3: error: /m);
  assert.match(out, /^pkg\/a\.go:1:1: info: /m);
  assert.equal(formatText([DOUBLE], { color: false, cwd: ROOT }).trimEnd().split('\n').pop(), '1 finding (1 error, 0 warnings, 0 infos) in 1 file');
  assert.equal(formatText([], { color: false, cwd: ROOT }), 'no findings\n');
});

test('text: the order of the input does not matter', () => {
  assert.equal(formatText([...FINDINGS].reverse(), { color: false, cwd: ROOT }), EXPECTED_TEXT);
});

// ---------------------------------------------------------------------------------------------
// JSON

test('json: documented shape with 1-based positions, sorted findings', () => {
  const text = formatJson(FINDINGS, { toolVersion: '0.1.0', root: ROOT });
  assert.ok(text.endsWith('\n'));
  const report = JSON.parse(text);
  assert.deepEqual(Object.keys(report), ['version', 'tool', 'summary', 'findings']);
  assert.equal(report.version, 1);
  assert.deepEqual(report.tool, { name: 'locklint', version: '0.1.0' });
  assert.deepEqual(report.summary, { findings: 3, errors: 1, warnings: 1, infos: 1, files: 3 });
  assert.deepEqual(
    report.findings.map((f) => f.check),
    ['blocking-under-lock', 'double-lock', 'lock-order'],
  );
  const lockOrder = report.findings[2];
  assert.deepEqual(Object.keys(lockOrder), [
    'check',
    'severity',
    'message',
    'file',
    'line',
    'column',
    'endLine',
    'endColumn',
    'related',
    'explanation',
    'fingerprint',
  ]);
  assert.deepEqual(
    { file: lockOrder.file, line: lockOrder.line, column: lockOrder.column, endLine: lockOrder.endLine, endColumn: lockOrder.endColumn },
    { file: 'src/net.c', line: 42, column: 5, endLine: 42, endColumn: 24 },
  );
  assert.deepEqual(lockOrder.related[1], { file: 'src/dev.c', line: 10, column: 9, endLine: 10, endColumn: 28, message: LOCK_ORDER.related[1].message });
  assert.equal(lockOrder.explanation, LOCK_ORDER.explanation);
  assert.equal(lockOrder.fingerprint, LOCK_ORDER.fingerprint);
  assert.equal(report.findings[0].explanation, null); // always present, null when absent
  assert.deepEqual(report.findings[0].related, []);
  // Without a root, files are written as given.
  assert.equal(toJsonReport([DOUBLE], { toolVersion: 'x' }).findings[0].file, DOUBLE.file);
  assert.deepEqual(toJsonReport([], { toolVersion: 'x' }).findings, []);
});

// ---------------------------------------------------------------------------------------------
// SARIF

function sarif(findings = FINDINGS, options = { toolVersion: '0.1.0', rootUri: `file://${ROOT}/` }) {
  return JSON.parse(formatSarif(findings, CHECKS, options));
}

test('sarif: valid against the SARIF 2.1.0 schema', () => {
  assertValidSarif(sarif());
  assertValidSarif(sarif([]));
  assertValidSarif(sarif(FINDINGS, { toolVersion: '0.1.0' }));
  assertValidSarif(sarif([{ ...DOUBLE, check: 'not-a-known-rule' }]));
});

test('sarif: the schema check is real: broken logs fail it', () => {
  const good = sarif();
  const broken = [
    ['ruleId of the wrong type', (log) => (log.runs[0].results[0].ruleId = 42)],
    ['unknown level', (log) => (log.runs[0].results[0].level = 'fatal')],
    ['0-based line', (log) => (log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0)],
    ['message without text', (log) => (log.runs[0].results[0].message = {})],
    ['missing version', (log) => delete log.version],
    ['wrong version', (log) => (log.version = '2.0.0')],
    ['driver without name', (log) => delete log.runs[0].tool.driver.name],
    ['unknown property on a result', (log) => (log.runs[0].results[0].severity = 'high')],
    ['uri with a raw space', (log) => (log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'src/my file.c')],
    ['helpUri that is not absolute', (log) => (log.runs[0].tool.driver.rules[0].helpUri = 'docs/checks/lock-order.md')],
    ['related location with a negative id', (log) => (log.runs[0].results[2].relatedLocations[0].id = -5)],
  ];
  for (const [what, breakIt] of broken) {
    const log = structuredClone(good);
    breakIt(log);
    assert.equal(validateSarif(log), false, `schema accepted a log with ${what}`);
  }
});

test('sarif: driver and rules', () => {
  const run = sarif().runs[0];
  const driver = run.tool.driver;
  assert.equal(driver.name, 'locklint');
  assert.equal(driver.version, '0.1.0');
  assert.equal(driver.informationUri, 'https://github.com/locklint/locklint');
  assert.deepEqual(
    driver.rules.map((r) => r.id),
    CHECKS.map((c) => c.id),
  );
  const [lockOrder, double, blocking] = driver.rules;
  assert.equal(lockOrder.name, 'LockOrder');
  assert.deepEqual(lockOrder.shortDescription, { text: 'lock acquired in an order that conflicts with another path' });
  assert.deepEqual(lockOrder.fullDescription, {
    text: 'Two functions take the same two locks in opposite orders.\nRun together, each can wait for the other.',
  });
  assert.equal(lockOrder.helpUri, 'https://github.com/locklint/locklint/blob/main/docs/checks/lock-order.md');
  assert.deepEqual(lockOrder.defaultConfiguration, { level: 'warning' });
  assert.deepEqual(double.defaultConfiguration, { level: 'error' });
  // A doc with only a title line: the full description repeats it rather than being empty.
  assert.deepEqual(blocking.fullDescription, { text: 'blocking call while holding a lock' });
  assert.equal(run.columnKind, 'utf16CodeUnits');
  assert.deepEqual(run.originalUriBaseIds['%SRCROOT%'].uri, `file://${ROOT}/`);
});

test('sarif: results carry rule index, level, 1-based regions, related locations and fingerprints', () => {
  const results = sarif().runs[0].results;
  assert.deepEqual(
    results.map((r) => [r.ruleId, r.ruleIndex, r.level]),
    [
      ['blocking-under-lock', 2, 'note'],
      ['double-lock', 1, 'error'],
      ['lock-order', 0, 'warning'],
    ],
  );
  const lo = results[2];
  assert.deepEqual(lo.message, { text: LOCK_ORDER.message });
  assert.deepEqual(lo.locations, [
    {
      physicalLocation: {
        artifactLocation: { uri: 'src/net.c', uriBaseId: '%SRCROOT%' },
        region: { startLine: 42, startColumn: 5, endLine: 42, endColumn: 24 },
      },
    },
  ]);
  assert.deepEqual(
    lo.relatedLocations.map((l) => [l.id, l.message.text, l.physicalLocation.artifactLocation.uri, l.physicalLocation.region.startLine]),
    [
      [1, '`&a->lock` acquired here', 'src/net.c', 40],
      [2, '`&a->lock` acquired here while holding `&b->lock`', 'src/dev.c', 10],
    ],
  );
  assert.deepEqual(lo.partialFingerprints, { 'locklint/v1': LOCK_ORDER.fingerprint });
  assert.equal(FINGERPRINT_KEY, 'locklint/v1');
  assert.equal(results[0].relatedLocations, undefined); // no empty arrays
  // A finding of a check without metadata still gets a result, just without ruleIndex.
  const orphan = sarif([{ ...DOUBLE, check: 'mystery' }]).runs[0].results[0];
  assert.equal(orphan.ruleId, 'mystery');
  assert.equal('ruleIndex' in orphan, false);
});

test('sarif: the fingerprint does not change when only line numbers change', () => {
  const moved = {
    ...LOCK_ORDER,
    span: span(141, 4, 141, 23),
    related: LOCK_ORDER.related.map((r) => ({ ...r, span: { ...r.span, line: r.span.line + 100, endLine: r.span.endLine + 100 } })),
  };
  const [before] = sarif([LOCK_ORDER]).runs[0].results;
  const [after] = sarif([moved]).runs[0].results;
  assert.notDeepEqual(before.locations, after.locations);
  assert.equal(after.locations[0].physicalLocation.region.startLine, 142);
  assert.deepEqual(after.partialFingerprints, before.partialFingerprints);
  const again = JSON.parse(formatJson([moved], { toolVersion: 'x' })).findings[0];
  assert.equal(again.fingerprint, LOCK_ORDER.fingerprint);
});

test('sarif: paths become percent-encoded URIs with forward slashes', () => {
  const at = (file) => ({ ...SLEEP, file });
  const files = [
    `${ROOT}/src/my file.c`,
    `${ROOT}/src/grüße/ünïcødé.c`,
    `${ROOT}/src/a#b%c?.c`,
    `${ROOT}/src/[x].c`,
    '/outside/dir with space/é.c',
    'rel dir/ß.go',
  ];
  const log = sarif(files.map(at));
  assertValidSarif(log);
  const uris = log.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation);
  const byUri = Object.fromEntries(uris.map((a) => [a.uri, a.uriBaseId ?? null]));
  assert.deepEqual(byUri, {
    'file:///outside/dir%20with%20space/%C3%A9.c': null, // not under the root: absolute, no base id
    'rel%20dir/%C3%9F.go': '%SRCROOT%', // already relative: relative to the root
    'src/%5Bx%5D.c': '%SRCROOT%',
    'src/a%23b%25c%3F.c': '%SRCROOT%',
    'src/gr%C3%BC%C3%9Fe/%C3%BCn%C3%AFc%C3%B8d%C3%A9.c': '%SRCROOT%',
    'src/my%20file.c': '%SRCROOT%',
  });
  for (const { uri } of uris) {
    assert.ok(URI_CHARS.test(uri), uri);
    assert.ok(!uri.includes('\\'), uri);
  }
  // Decoding gives the path back.
  assert.equal(decodeURIComponent('src/gr%C3%BC%C3%9Fe/%C3%BCn%C3%AFc%C3%B8d%C3%A9.c'), 'src/grüße/ünïcødé.c');
});

test('sarif: rootUri may be a path or a URI, with or without a trailing slash', () => {
  const a = sarif(FINDINGS, { toolVersion: '1', rootUri: ROOT });
  const b = sarif(FINDINGS, { toolVersion: '1', rootUri: `file://${ROOT}` });
  assert.deepEqual(a, b);
  assert.equal(a.runs[0].originalUriBaseIds['%SRCROOT%'].uri, 'file:///work/repo/');
  const spaced = sarif([{ ...SLEEP, file: '/my repo/é/x.go' }], { toolVersion: '1', rootUri: '/my repo/é' });
  assertValidSarif(spaced);
  assert.equal(spaced.runs[0].originalUriBaseIds['%SRCROOT%'].uri, 'file:///my%20repo/%C3%A9/');
  assert.equal(spaced.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'x.go');
  // Without a root, absolute paths are absolute file URIs and no base ids are declared.
  const noRoot = sarif([DOUBLE], { toolVersion: '1' });
  assert.equal(noRoot.runs[0].originalUriBaseIds, undefined);
  assert.equal(noRoot.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'file:///work/repo/src/dev.c');
});

test('uri helpers handle Windows paths on any platform', () => {
  assert.equal(absolutePathToUri('C:\\Users\\me\\my src\\a.c'), 'file:///C:/Users/me/my%20src/a.c');
  assert.equal(absolutePathToUri('\\\\server\\share\\x y.c'), 'file://server/share/x%20y.c');
  assert.equal(relativePathToUri('src\\sub\\a b.c'), 'src/sub/a%20b.c');
  assert.equal(relativePathToUri('./src//a.c'), 'src/a.c');
});

test('sarif: output is deterministic', () => {
  const opts = { toolVersion: '0.1.0', rootUri: ROOT };
  assert.equal(formatSarif(FINDINGS, CHECKS, opts), formatSarif([...FINDINGS].reverse(), CHECKS, opts));
  assert.deepEqual(toSarif(FINDINGS, CHECKS, opts), JSON.parse(formatSarif(FINDINGS, CHECKS, opts)));
});

// ---------------------------------------------------------------------------------------------
// Exit code

test('exitCodeFor: 0 without findings, 1 with any', () => {
  assert.equal(exitCodeFor([]), 0);
  assert.equal(exitCodeFor([SLEEP]), 1);
  assert.equal(exitCodeFor(FINDINGS), 1);
});
