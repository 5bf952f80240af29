// Turns source files into FileEntries for the Engine, in file order: from the disk cache where it
// has them, else lowered in this thread or on a pool of worker threads (pool.ts, lower-worker.ts).
// Shared by the CLI and the benchmark, so the benchmark measures what ships.
import * as os from 'os';
import * as path from 'path';
import type { Engine, FileEntry } from '../engine';
import type { DiskCache } from './cache';
import { decodeEntry, encodeEntry } from './codec';
import type { LowerItem, LowerResult, LowerWorkerData } from './lower-worker';
import { batchBySize, PoolStartError, WorkerPool } from './pool';

export type SourceFile = LowerItem;

export interface LowerOptions {
  /** Worker threads at most; 1 lowers in this thread. */
  threads: number;
  /** Use workers for any amount of work above one file (an explicit --threads); else small jobs stay here. */
  forceThreads?: boolean;
  cache?: DiskCache;
  worker: Omit<LowerWorkerData, 'cacheDir'>;
  onProgress?: (done: number, total: number) => void;
  /** Told once if the pool cannot start and the files are lowered in this thread instead. */
  warn?: (message: string) => void;
}

export interface LowerStats {
  fromCache: number;
  lowered: number;
  /** Worker threads used (0: lowered in this thread). */
  threads: number;
  restarts: number;
  workerBusyMs: number[];
  /** From starting the pool to every worker's parser loaded (overlaps the first batches). */
  workerStartupMs?: number;
  /** Main-thread time spent decoding what the workers sent (the serial share of a parallel scan). */
  decodeMs: number;
}

export interface LowerOutcome {
  /** In the order of the sources; undefined for the files in failures. */
  entries: (FileEntry | undefined)[];
  failures: { path: string; message: string }[];
  stats: LowerStats;
}

/** Below this much source per worker, starting threads (a parser each) costs more than it saves. */
const MIN_BYTES_PER_WORKER = 512 * 1024;
const MAX_DEFAULT_THREADS = 8;
const BATCH_BYTES = 128 * 1024;

export function defaultThreads(): number {
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cpus, MAX_DEFAULT_THREADS));
}

export async function lowerAll(engine: Engine, sources: readonly SourceFile[], options: LowerOptions): Promise<LowerOutcome> {
  const entries = new Array<FileEntry | undefined>(sources.length);
  const failures: { path: string; message: string }[] = [];
  const stats: LowerStats = { fromCache: 0, lowered: 0, threads: 0, restarts: 0, workerBusyMs: [], decodeMs: 0 };
  const misses: number[] = [];
  sources.forEach((s, i) => {
    const hit = options.cache?.readEntry(s.path, s.hash);
    if (hit) entries[i] = hit;
    else misses.push(i);
  });
  stats.fromCache = sources.length - misses.length;
  let done = stats.fromCache;
  const progress = () => options.onProgress?.(done, sources.length);

  const missBytes = misses.reduce((a, i) => a + sources[i].text.length, 0);
  let workers = Math.min(options.threads, misses.length);
  if (!options.forceThreads) workers = Math.min(workers, Math.floor(missBytes / MIN_BYTES_PER_WORKER));
  let left = misses;
  // One file is never worth a thread (a touched file in a warm cache); an explicit --threads
  // otherwise gets its threads, even for small jobs.
  if (misses.length >= 2 && (workers >= 2 || (options.forceThreads && workers >= 1))) {
    const t0 = Date.now();
    const pool = new WorkerPool<number, LowerResult>({
      script: path.join(__dirname, 'lower-worker.js'),
      size: workers,
      workerData: { ...options.worker, cacheDir: options.cache?.canWrite ? options.cache.dir : undefined } satisfies LowerWorkerData,
    });
    pool.ready.then(() => { stats.workerStartupMs = Date.now() - t0; }, () => undefined);
    try {
      await pool.run(
        // At least a few batches per worker, so that small jobs spread over every worker too.
        batchBySize(misses, (i) => sources[i].text.length, Math.min(BATCH_BYTES, Math.ceil(missBytes / (workers * 4)))),
        (batch, m) => {
          const d0 = Date.now();
          batch.forEach((i, k) => {
            const r = m.results[k];
            const s = sources[i];
            if ('error' in r) return void failures.push({ path: s.path, message: r.error });
            const entry = decodeEntry(r.data, s.path, s.hash);
            if (!entry) return void failures.push({ path: s.path, message: 'internal error: a worker thread sent back an unreadable result, skipped' });
            entries[i] = entry;
            stats.lowered++;
            if (r.written) options.cache?.noteWritten(1);
          });
          if (typeof m.cacheError === 'string') options.cache?.writeFailed(m.cacheError);
          stats.decodeMs += Date.now() - d0;
          done += batch.length;
          progress();
        },
        (i, message) => {
          failures.push({ path: sources[i].path, message });
          done++;
        },
        (i) => sources[i], // the pool keeps indexes; workers get the sources
      );
      stats.threads = workers;
      left = [];
    } catch (err) {
      if (!(err instanceof PoolStartError)) throw err;
      options.warn?.(`${err.message}; reading the files in this thread`);
      const failed = new Set(failures.map((f) => f.path));
      left = misses.filter((i) => !entries[i] && !failed.has(sources[i].path));
    } finally {
      stats.restarts = pool.restarts;
      stats.workerBusyMs = pool.busyMs;
      await pool.close();
    }
  }

  for (const [n, i] of left.entries()) {
    // Native trees are freed by finalizers, which run only when the event loop turns.
    if (n % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    const s = sources[i];
    let entry: FileEntry;
    try {
      entry = engine.lowerAndExplore(s.path, s.text, s.language, s.hash);
    } catch (err) {
      failures.push({ path: s.path, message: `internal error while reading this file, skipped: ${(err as Error)?.message ?? err}` });
      continue;
    }
    // Encoded before analyze() canonicalises lock classes in place.
    if (options.cache?.canWrite) options.cache.writeEntry(s.path, s.hash, encodeEntry(entry));
    entries[i] = entry;
    stats.lowered++;
    done++;
    progress();
  }
  const order = new Map(sources.map((s, i) => [s.path, i]));
  failures.sort((a, b) => order.get(a.path)! - order.get(b.path)!);
  return { entries, failures, stats };
}
