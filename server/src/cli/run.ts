// The CLI's flow: arguments -> config -> files -> engine -> report. I/O lives here, analysis does not.
import * as fs from 'fs';
import * as path from 'path';
import { compileExclude, DEFAULT_CONFIG, mergeConfig, parseConfig, toApiEntries, type Config } from '../config/index';
import { CHECK_IDS } from '../checks/index';
import { contentHash, Engine, languageOfPath, type EngineOptions } from '../engine';
import type { Finding } from '../core/finding';
import { formatJson, formatSarif, formatText } from '../report/index';
import { buildGraphModel } from '../graph/model';
import { renderHtml, renderSvg } from '../graph/render';
import { parseArgs, USAGE, UsageError, type CliArgs } from './args';
import { discoverFiles } from './discover';
import { readSource } from './read-source';
import { defaultCacheDir } from './cache';
import { analyzeSources } from './pipeline';
import type { SourceFile } from './scan';
import { printStats } from './stats';

export interface CliIO {
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stderrIsTTY: boolean;
  stdoutIsTTY: boolean;
  env: NodeJS.ProcessEnv;
}

export const VERSION: string = (() => {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, rel), 'utf8'));
      if (pkg.name === 'locklint') return pkg.version as string;
    } catch { /* try the next layout */ }
  }
  return '0.0.0';
})();

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`locklint: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (args.version) {
    io.stdout(`locklint ${VERSION}\n`);
    return 0;
  }
  const note = (s: string) => { if (!args.quiet) io.stderr(s + '\n'); };

  const root = scanRoot(args.paths, io.cwd);
  const loaded = loadConfig(args, root, io);
  if ('error' in loaded) {
    io.stderr(loaded.error);
    return 2;
  }
  const config = loaded.config;
  const engineOptions = {
    extraApi: toApiEntries(config),
    severities: config.checks,
    reportSameClassNesting: config.reportSameClassNesting,
    maxFileSize: args.maxFileSize ?? config.maxFileSize,
    contexts: config.contexts,
  } satisfies EngineOptions;
  const engine = await Engine.create({ ...engineOptions, parser: args.parser });
  if (args.listChecks) {
    for (const c of engine.checkMetas) io.stdout(`${c.id.padEnd(24)} ${c.defaultSeverity.padEnd(8)} ${c.doc.split('\n')[0]}\n`);
    return 0;
  }

  const excluded = compileExclude([...config.exclude, ...args.exclude]);
  const discovery = discoverFiles(args.paths, io.cwd, excluded);
  for (const w of discovery.warnings) note(`locklint: ${w}`);
  if (discovery.files.length === 0) note('locklint: no C or Go files found');

  const maxFileSize = args.maxFileSize ?? config.maxFileSize;
  const started = Date.now();
  const sources: SourceFile[] = [];
  let bytes = 0;
  for (const file of discovery.files) {
    const read = readSource(file.absolute, maxFileSize);
    const language = languageOfPath(file.display);
    if ('skipped' in read) note(`locklint: ${file.display}: ${read.skipped}`);
    else if (language) {
      sources.push({ path: file.display, text: read.text, language, hash: contentHash(read.text) });
      bytes += read.text.length;
    }
  }
  const readMs = Date.now() - started;

  const cacheRoot = args.cache === false ? undefined : args.cache ? path.resolve(io.cwd, args.cache) : defaultCacheDir(io.env);
  const outcome = await analyzeSources(engine, sources, {
    args, config, engineOptions, version: VERSION, cacheRoot, note,
    verbose: (file, problems) => { for (const p of problems) io.stderr(`locklint: ${file}:${p.span.line + 1}: ${p.message}\n`); },
    progress: io.stderrIsTTY && !args.quiet ? (s) => io.stderr(s) : undefined,
  });
  const { result } = outcome;
  for (const p of result.problems) note(`locklint: ${p.file ? p.file + ': ' : ''}${p.message}`);
  if (args.verbose) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.stderr(`locklint: ${discovery.files.length} files, ${result.findings.length} findings in ${seconds}s (${engine.parser.backend} parser)\n`);
  }
  if (args.stats) {
    printStats(io, { ...outcome, files: sources.length, bytes, readMs, totalMs: Date.now() - started });
  }

  if (args.graph) {
    const model = buildGraphModel(engine.functionFacts, { sameClassNesting: config.reportSameClassNesting });
    const svg = /\.svg$/i.test(args.graph);
    try {
      fs.writeFileSync(path.resolve(io.cwd, args.graph), svg ? renderSvg(model) + '\n' : renderHtml(model));
    } catch (err) {
      io.stderr(`locklint: cannot write ${args.graph}: ${(err as Error).message}\n`);
      return 2;
    }
  }

  const report = render(args, result.findings, engine, io, root);
  if (args.output) {
    try {
      fs.writeFileSync(path.resolve(io.cwd, args.output), report);
    } catch (err) {
      io.stderr(`locklint: cannot write ${args.output}: ${(err as Error).message}\n`);
      return 2;
    }
  } else {
    io.stdout(report);
  }
  return result.findings.length > 0 ? 1 : 0;
}

function render(args: CliArgs, findings: Finding[], engine: Engine, io: CliIO, root: string): string {
  switch (args.format) {
    case 'json':
      return formatJson(findings, { toolVersion: VERSION }) + '\n';
    case 'sarif':
      return formatSarif(findings, engine.checkMetas, { toolVersion: VERSION, rootUri: io.cwd }) + '\n';
    default: {
      const color = args.color ?? (!args.output && io.stdoutIsTTY && !io.env.NO_COLOR);
      return formatText(findings, { color, cwd: io.cwd });
    }
  }
}

/** The directory whose .locklint.json applies: the first path if it is a directory, else its folder. */
function scanRoot(paths: readonly string[], cwd: string): string {
  const first = path.resolve(cwd, paths[0] ?? '.');
  try {
    return fs.statSync(first).isDirectory() ? first : path.dirname(first);
  } catch {
    return cwd;
  }
}

function loadConfig(args: CliArgs, root: string, io: CliIO): { config: Config } | { error: string } {
  const file = args.config ? path.resolve(io.cwd, args.config) : path.join(root, '.locklint.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (!args.config && (err as NodeJS.ErrnoException).code === 'ENOENT') return { config: DEFAULT_CONFIG };
    return { error: `locklint: cannot read config ${args.config ?? file}: ${(err as Error).message}\n` };
  }
  const display = path.relative(io.cwd, file) || file;
  const { config, problems } = parseConfig(text, display, knownCheckIds());
  if (problems.length > 0) {
    return { error: problems.map((p) => `${p.file}:${p.line + 1}:${p.col + 1}: error: ${p.message}${p.key ? ` (${p.key})` : ''}\n`).join('') };
  }
  return { config: mergeConfig(DEFAULT_CONFIG, config) };
}

function knownCheckIds(): string[] {
  return CHECK_IDS.slice();
}
