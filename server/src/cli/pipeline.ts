// From the sources read by the CLI to an analysis result: the whole-run result from the cache if
// nothing changed, else every file's entry (cache, this thread or worker threads) into the Engine
// in file order, one analyze(), and the cache updated and kept under its size cap.
import type { Config } from '../config/index';
import type { AnalysisProblem, AnalysisResult } from '../core/analyze';
import type { Finding } from '../core/finding';
import type { Engine, EngineOptions } from '../engine';
import type { FileProblem } from '../ir/types';
import type { CliArgs } from './args';
import { DEFAULT_CACHE_MAX_BYTES, DiskCache } from './cache';
import { loweringKey, runKey } from './cache-key';
import { defaultThreads, lowerAll, type LowerOutcome, type SourceFile } from './scan';

export interface PipelineOptions {
  args: CliArgs;
  config: Config;
  /** What the Engine was created with, minus the parser. */
  engineOptions: Omit<EngineOptions, 'parser'>;
  version: string;
  /** Undefined: no cache. */
  cacheRoot?: string;
  note: (message: string) => void;
  verbose: (file: string, problems: readonly FileProblem[]) => void;
  progress?: (text: string) => void;
}

/** Wall and CPU milliseconds (CPU of the whole process: worker threads count while they run). */
export interface Timing {
  ms: number;
  cpuMs: number;
}

export interface PipelineOutcome {
  result: AnalysisResult;
  cache?: DiskCache;
  /** Undefined when the whole result came from the cache. */
  lowered?: LowerOutcome;
  lowerTime?: Timing;
  analyzeTime?: Timing;
}

function clock(): () => Timing {
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return { ms: Date.now() - t0, cpuMs: (c.user + c.system) / 1000 };
  };
}

export async function analyzeSources(engine: Engine, sources: readonly SourceFile[], o: PipelineOptions): Promise<PipelineOutcome> {
  const { args, note } = o;
  // Options not known to be analysis-only count for lowering: a new one invalidates, never goes stale.
  const { severities: _s, reportSameClassNesting: _r, contexts: _c, interprocedural: _i, ...loweringOptions } = o.engineOptions;
  const warn = (m: string) => note(`locklint: warning: ${m}`);
  const lowering = o.cacheRoot ? loweringKey(o.version, engine.parser.backend, loweringOptions) : '';
  const cache = o.cacheRoot ? DiskCache.open(o.cacheRoot, lowering, warn) : undefined;
  const resultKey = cache ? runKey(lowering, { engineOptions: o.engineOptions, config: o.config }, sources) : '';
  // The graph needs the function facts of a real analysis, which a cached result does not keep.
  const cached = cache && !args.graph ? cache.readResult<Finding, AnalysisProblem, FileProblem>(resultKey) : undefined;
  if (cached) {
    if (args.verbose) for (const [file, problems] of cached.fileProblems) o.verbose(file, problems);
    return { result: { findings: cached.findings, problems: cached.problems }, cache };
  }

  const started = Date.now();
  const lowerClock = clock();
  let lastProgress = 0;
  const lowered = await lowerAll(engine, sources, {
    threads: args.threads ?? defaultThreads(), forceThreads: args.threads !== undefined && args.threads > 1, cache,
    worker: { ...loweringOptions, parser: engine.parser.backend }, warn,
    onProgress: (done, total) => {
      const now = Date.now();
      if (o.progress && now - started > 1000 && now - lastProgress > 200) {
        lastProgress = now;
        o.progress(`\rlocklint: ${done}/${total} files`);
      }
    },
  });
  const lowerTime = lowerClock();
  if (lastProgress > 0) o.progress?.('\r\x1b[K');
  for (const f of lowered.failures) note(`locklint: ${f.path}: ${f.message}`);
  const fileProblems: [string, FileProblem[]][] = [];
  lowered.entries.forEach((entry, i) => {
    if (!entry) return;
    engine.setEntry(sources[i].path, entry);
    if (entry.ir.problems.length > 0) fileProblems.push([sources[i].path, entry.ir.problems]);
  });
  if (args.verbose) for (const [file, problems] of fileProblems) o.verbose(file, problems);
  const analyzeClock = clock();
  const result = engine.analyze();
  const analyzeTime = analyzeClock();
  if (cache) {
    // A worker that crashed may not crash next time: only complete runs are kept.
    if (lowered.failures.length === 0) cache.writeResult(resultKey, { findings: result.findings, problems: result.problems, fileProblems });
    if (cache.stats.written > 0) cache.evict((args.cacheMaxMiB ?? DEFAULT_CACHE_MAX_BYTES / 2 ** 20) * 2 ** 20);
  }
  return { result, cache, lowered, lowerTime, analyzeTime };
}
