'use strict';
// Reads fixture workspaces and their inline expectations (`// expect: id[, id]`).
const fs = require('fs');
const path = require('path');

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const SOURCE = /\.(c|h|go)$/;

/** Each file directly in test/fixtures/<lang>/<group>/ is a workspace; each subfolder is one too. */
function fixtureWorkspaces(lang) {
  const base = path.join(FIXTURES, lang);
  if (!fs.existsSync(base)) return [];
  const workspaces = [];
  for (const group of fs.readdirSync(base).sort()) {
    const groupDir = path.join(base, group);
    if (!fs.statSync(groupDir).isDirectory()) continue;
    for (const entry of fs.readdirSync(groupDir).sort()) {
      const full = path.join(groupDir, entry);
      if (fs.statSync(full).isDirectory()) {
        const files = listSources(full);
        if (files.length > 0) workspaces.push({ lang, group, name: entry, files });
      } else if (SOURCE.test(entry)) {
        workspaces.push({ lang, group, name: entry, files: [full] });
      }
    }
  }
  return workspaces;
}

function listSources(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (fs.statSync(full).isDirectory()) out.push(...listSources(full));
    else if (SOURCE.test(entry)) out.push(full);
  }
  return out;
}

const EXPECT = /(?:\/\/|\/\*)\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/g;

/** Set of "file:line:check" (1-based line) expected in the given files. */
function expectations(files, display) {
  const expected = new Set();
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    lines.forEach((line, i) => {
      for (const m of line.matchAll(EXPECT)) {
        for (const id of m[1].split(',')) expected.add(`${display(file)}:${i + 1}:${id.trim()}`);
      }
    });
  }
  return expected;
}

/** The four-word verdict: reported, missing, noisy (nothing expected there), wrong (right line, other check). */
function compare(expected, actual) {
  const missing = [...expected].filter((e) => !actual.has(e));
  const extra = [...actual].filter((a) => !expected.has(a));
  const lineOf = (k) => k.split(':').slice(0, -1).join(':');
  const expectedLines = new Set([...expected].map(lineOf));
  const wrong = extra.filter((a) => expectedLines.has(lineOf(a)));
  const noisy = extra.filter((a) => !expectedLines.has(lineOf(a)));
  const reported = [...expected].filter((e) => actual.has(e));
  return { reported, missing, noisy, wrong };
}

module.exports = { FIXTURES, fixtureWorkspaces, expectations, compare };
