#!/usr/bin/env node
import { runCli } from './run';

runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  env: process.env,
}).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`locklint: fatal: ${(err as Error)?.stack ?? err}\n`);
    process.exitCode = 2;
  },
);
