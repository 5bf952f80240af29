'use strict';
// Finds the benchmark corpora (Debian's linux-source-6.1 and golang-1.19-src) and lists the files
// of a subset with the CLI's own rules (discoverFiles: .gitignore, excludes, symlink loops;
// readSource: binary, BOM, maxFileSize), so the benchmark scans exactly what `locklint` would.
const fs = require('fs');
const path = require('path');

// run.js points every phase at a snapshot of the build (see snapshotBuild there).
const OUT = process.env.LOCKLINT_BENCH_OUT || path.join(__dirname, '..', 'server', 'out');
const { discoverFiles } = require(path.join(OUT, 'cli', 'discover.js'));
const { readSource } = require(path.join(OUT, 'cli', 'read-source.js'));
const { compileExclude, DEFAULT_MAX_FILE_SIZE } = require(path.join(OUT, 'config', 'index.js'));

const LINUX_CANDIDATES = ['/work/corpora/linux-source-6.1', '/usr/src/linux-source-6.1'];
const GO_CANDIDATES = ['/usr/share/go-1.19/src'];

const LINUX_HELP = [
  'linux-source-6.1 not found (looked at $LOCKLINT_BENCH_LINUX, ' + LINUX_CANDIDATES.join(', ') + ').',
  'Install and extract it with:',
  '  sudo apt-get install linux-source-6.1',
  '  mkdir -p ~/corpora && tar xf /usr/src/linux-source-6.1.tar.xz -C ~/corpora',
  '  export LOCKLINT_BENCH_LINUX=~/corpora/linux-source-6.1',
  '(only kernel/ fs/ mm/ drivers/net/ are used: add them to the tar command to extract less, e.g.',
  '  tar xf /usr/src/linux-source-6.1.tar.xz -C ~/corpora linux-source-6.1/{kernel,fs,mm,drivers/net})',
].join('\n');

const GO_HELP = [
  'golang-1.19-src not found (looked at $LOCKLINT_BENCH_GO, ' + GO_CANDIDATES.join(', ') + ').',
  'Install it with:  sudo apt-get install golang-1.19-src',
].join('\n');

function isLinuxTree(dir) {
  return !!dir && fs.existsSync(path.join(dir, 'kernel')) && fs.existsSync(path.join(dir, 'mm'));
}

function isGoTree(dir) {
  return !!dir && fs.existsSync(path.join(dir, 'sync', 'mutex.go'));
}

function findLinux(env = process.env) {
  const fromEnv = env.LOCKLINT_BENCH_LINUX;
  if (fromEnv) {
    if (isLinuxTree(fromEnv)) return { root: path.resolve(fromEnv) };
    return { error: `LOCKLINT_BENCH_LINUX=${fromEnv} does not look like an extracted kernel tree (no kernel/ and mm/).\n${LINUX_HELP}` };
  }
  for (const c of LINUX_CANDIDATES) if (isLinuxTree(c)) return { root: c };
  const tarball = '/usr/src/linux-source-6.1.tar.xz';
  if (fs.existsSync(tarball)) {
    return { error: `${tarball} is installed but not extracted. Extract it with:\n  mkdir -p ~/corpora && tar xf ${tarball} -C ~/corpora\n  export LOCKLINT_BENCH_LINUX=~/corpora/linux-source-6.1` };
  }
  return { error: LINUX_HELP };
}

function findGo(env = process.env) {
  const fromEnv = env.LOCKLINT_BENCH_GO;
  if (fromEnv) {
    if (isGoTree(fromEnv)) return { root: path.resolve(fromEnv) };
    return { error: `LOCKLINT_BENCH_GO=${fromEnv} does not look like a Go src/ tree (no sync/mutex.go).\n${GO_HELP}` };
  }
  for (const c of GO_CANDIDATES) if (isGoTree(c)) return { root: c };
  return { error: GO_HELP };
}

/**
 * The subsets. Entries are paths relative to the corpus root; a directory is walked, a file taken.
 * `fs/*` means "the .c/.h files directly in fs/" (a slice of a directory without its subtrees).
 */
const SUBSETS = {
  quick: {
    linux: ['kernel/locking', 'kernel/irq', 'fs/proc', 'drivers/net/bonding'],
    go: ['sync', 'context'],
  },
  default: {
    linux: ['kernel', 'mm', 'fs/*', 'drivers/net/*', 'drivers/net/bonding', 'drivers/net/team', 'drivers/net/wireguard', 'drivers/net/vxlan', 'drivers/net/ppp'],
    go: ['net', 'runtime', 'sync'],
  },
  full: {
    linux: ['kernel', 'fs', 'mm', 'drivers/net'],
    go: ['.'],
  },
};

function expand(root, entries) {
  const inputs = [];
  for (const e of entries) {
    if (e.endsWith('/*')) {
      const dir = path.join(root, e.slice(0, -2));
      for (const name of fs.readdirSync(dir).sort()) {
        if (/\.[ch]$/.test(name) && fs.statSync(path.join(dir, name)).isFile()) inputs.push(path.join(dir, name));
      }
    } else {
      inputs.push(path.join(root, e));
    }
  }
  return inputs;
}

/**
 * Lists the files of a subset: [{ absolute, display, bytes, language }]. `display` is the path the
 * engine sees: `linux/kernel/fork.c`, `go/sync/mutex.go`. Files readSource would skip are counted.
 */
function listFiles(subsetName, { linuxRoot, goRoot, maxFileSize = DEFAULT_MAX_FILE_SIZE, exclude = ['testdata'] } = {}) {
  const subset = SUBSETS[subsetName];
  if (!subset) throw new Error(`unknown subset ${subsetName}`);
  const isExcluded = compileExclude(exclude);
  const files = [];
  const skipped = [];
  const warnings = [];
  for (const [prefix, root, entries] of [['linux', linuxRoot, subset.linux], ['go', goRoot, subset.go]]) {
    if (!root) continue;
    const found = discoverFiles(expand(root, entries), root, isExcluded);
    warnings.push(...found.warnings);
    for (const f of found.files) {
      const size = fs.statSync(f.absolute).size;
      const display = `${prefix}/${f.display}`;
      if (size > maxFileSize) {
        skipped.push({ display, reason: `over maxFileSize (${size} bytes)` });
        continue;
      }
      files.push({ absolute: f.absolute, display, bytes: size, language: f.absolute.endsWith('.go') ? 'go' : 'c' });
    }
  }
  return { files, skipped, warnings };
}

/** Reads the files as the CLI does; returns [{ path, text, language }] and what was skipped. */
function readAll(files, maxFileSize = DEFAULT_MAX_FILE_SIZE) {
  const out = [];
  const skipped = [];
  for (const f of files) {
    const r = readSource(f.absolute, maxFileSize);
    if ('skipped' in r) skipped.push({ display: f.display, reason: r.skipped });
    else out.push({ path: f.display, text: r.text, language: f.language });
  }
  return { sources: out, skipped };
}

/**
 * A tree the real CLI can scan: `<dir>/<display>` for every file, a symlink to the corpus, except
 * the files in `copies` (real copies, so the benchmark can touch them without touching the corpus).
 * Returns the top-level paths to pass to the CLI.
 */
function mirror(files, dir, copies = []) {
  const tops = new Set();
  for (const f of files) {
    const to = path.join(dir, f.display);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    if (copies.includes(f.display)) fs.copyFileSync(f.absolute, to);
    else fs.symlinkSync(f.absolute, to);
    tops.add(f.display.split('/')[0]);
  }
  return [...tops].sort();
}

module.exports = { findLinux, findGo, listFiles, readAll, mirror, SUBSETS, LINUX_HELP, GO_HELP, DEFAULT_MAX_FILE_SIZE };
