'use strict';
// Runs the real engine on a set of files, the way the CLI does, and returns its findings.
const fs = require('fs');
const path = require('path');
const { Engine } = require('../../server/out/engine');
const { createParser, createNativeParser } = require('../../server/out/syntax/parser');

const ROOT = path.join(__dirname, '..', '..');
const parsers = new Map();

async function parserFor(kind) {
  if (!parsers.has(kind)) parsers.set(kind, kind === 'native' ? createNativeParser() : await createParser('wasm'));
  return parsers.get(kind);
}

function display(file) {
  return path.relative(ROOT, file).split(path.sep).join('/');
}

async function analyzeFiles(files, { parser = 'wasm', options = {} } = {}) {
  const engine = await Engine.create({ parser: await parserFor(parser), ...options });
  for (const file of files) engine.setFile(display(file), fs.readFileSync(file, 'utf8'));
  return engine.analyze();
}

module.exports = { ROOT, analyzeFiles, parserFor, display };
