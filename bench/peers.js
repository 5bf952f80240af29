'use strict';
// Peer tools on the same C files, one process at a time (compare with locklint's 1-thread figures):
//  - cppcheck --max-configs=1 -q (one preprocessor configuration, like locklint, which parses the
//    raw text; cppcheck's default tries up to 12 #ifdef configurations and is ~8x slower on kernel/)
//  - clang --analyze -Xanalyzer -analyzer-checker=alpha.unix.PthreadLock on an evenly spread
//    sample (clang needs a configured kernel tree: with only include/ it stops at the first
//    missing asm/ or generated header, so its time mostly measures preprocessing up to that error;
//    the result counts those fatal files).
// CPU time is the children's user+system time from /proc/self/stat (cutime + cstime).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function childCpuMs() {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); cutime is field 16, cstime 17.
    const ticks = Number(fields[13]) + Number(fields[14]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

function version(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return (r.stdout || r.stderr || '').split('\n')[0].trim();
}

function runCppcheck(cFiles, { timeoutMs = 30 * 60_000 } = {}) {
  const bin = which('cppcheck');
  if (!bin) return { skipped: 'cppcheck not installed (sudo apt-get install cppcheck)' };
  const list = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'locklint-bench-')), 'files.txt');
  fs.writeFileSync(list, cFiles.map((f) => f.absolute).join('\n') + '\n');
  const args = ['-q', '--max-configs=1', `--file-list=${list}`];
  const cpu0 = childCpuMs();
  const t0 = nowMs();
  const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 256 * 2 ** 20, timeout: timeoutMs });
  const ms = nowMs() - t0;
  const cpuMs = childCpuMs() - cpu0;
  fs.rmSync(path.dirname(list), { recursive: true, force: true });
  const reports = (r.stderr || '').split('\n').filter((l) => /: (error|warning|style|performance|portability):/.test(l)).length;
  return {
    tool: version(bin, ['--version']),
    command: `cppcheck ${args.join(' ').replace(list, '<list>')}`,
    files: cFiles.length,
    bytes: cFiles.reduce((a, f) => a + f.bytes, 0),
    ms, cpuMs, exitCode: r.status, timedOut: r.error?.code === 'ETIMEDOUT', reports,
  };
}

function runClang(cFiles, { linuxRoot, sample = 40, timeoutMs = 120_000 } = {}) {
  const bin = which('clang');
  if (!bin) return { skipped: 'clang not installed (sudo apt-get install clang)' };
  const picked = [];
  const step = Math.max(1, cFiles.length / sample);
  for (let i = 0; i < cFiles.length && picked.length < sample; i += step) picked.push(cFiles[Math.floor(i)]);
  const baseArgs = ['--analyze', '-Xanalyzer', '-analyzer-checker=alpha.unix.PthreadLock', '-o', '/dev/null'];
  const inc = linuxRoot ? ['-I', path.join(linuxRoot, 'include'), '-I', path.join(linuxRoot, 'include', 'uapi')] : [];
  let fatal = 0;
  const cpu0 = childCpuMs();
  const t0 = nowMs();
  for (const f of picked) {
    const r = spawnSync(bin, [...baseArgs, ...inc, f.absolute], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 2 ** 20 });
    if (r.status !== 0) fatal++;
  }
  const ms = nowMs() - t0;
  return {
    tool: version(bin, ['--version']),
    command: `clang ${baseArgs.join(' ')} -I include -I include/uapi <file>  (one process per file)`,
    files: picked.length,
    bytes: picked.reduce((a, f) => a + f.bytes, 0),
    sampleOf: cFiles.length,
    ms, cpuMs: childCpuMs() - cpu0,
    filesWithFatalErrors: fatal,
    note: fatal > 0 ? `${fatal}/${picked.length} files stopped at a fatal error (missing arch/generated headers): clang's time is NOT a real analysis of those files` : undefined,
  };
}

module.exports = { runCppcheck, runClang, which };
