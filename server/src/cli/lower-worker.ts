// A worker thread of the CLI's pool (pool.ts): its own parser and Engine, lowering the files of
// each batch. It sends every FileEntry back encoded (codec.ts) and, with a cache, writes that same
// text to the cache itself, so neither encoding nor cache I/O runs on the main thread.
import { parentPort, workerData } from 'worker_threads';
import { Engine, type EngineOptions } from '../engine';
import type { Language } from '../syntax/tree';
import { CacheDir } from './cache';
import { encodeEntry } from './codec';

/** The main Engine's options that lowering may depend on (plain data), and where to cache. */
export interface LowerWorkerData extends Omit<EngineOptions, 'parser'> {
  parser: 'wasm' | 'native';
  /** The cache namespace directory to write entries into, if any. */
  cacheDir?: string;
}

export interface LowerItem {
  path: string;
  text: string;
  language: Language;
  hash: string;
}

export type LowerResult = { data: Uint8Array; written: boolean } | { error: string };

function main(): void {
  const port = parentPort!;
  const { cacheDir, ...options } = workerData as LowerWorkerData;
  const engine = Engine.create(options);
  engine.then(
    () => port.postMessage({ type: 'ready' }),
    (err) => port.postMessage({ type: 'fatal', message: `cannot start the parser in a worker thread: ${(err as Error)?.message ?? err}` }),
  );
  const cache = cacheDir ? new CacheDir(cacheDir) : undefined;
  let cacheError: string | undefined;
  // Listening from the first moment: batches sent while the parser loads wait for it here.
  port.on('message', async (m: { type: string; id: number; items: LowerItem[] }) => {
    if (m.type !== 'batch') return;
    const e = await engine.catch(() => undefined);
    if (!e) return;
    const started = process.hrtime.bigint();
    const results = m.items.map((f): LowerResult => {
      let encoded: Uint8Array;
      try {
        encoded = encodeEntry(e.lowerAndExplore(f.path, f.text, f.language, f.hash));
      } catch (err) {
        return { error: `internal error while reading this file, skipped: ${(err as Error)?.message ?? err}` };
      }
      let written = false;
      if (cache && cacheError === undefined) {
        try {
          cache.write(CacheDir.entryName(f.path, f.hash), encoded);
          written = true;
        } catch (err) {
          cacheError = (err as Error).message;
        }
      }
      return { data: encoded, written };
    });
    // Transferred, not copied: the main thread reads the encoded bytes in place.
    const buffers = results.flatMap((r) => ('data' in r ? [r.data.buffer as ArrayBuffer] : []));
    port.postMessage({ type: 'done', id: m.id, results, busyNs: Number(process.hrtime.bigint() - started), cacheError }, buffers);
  });
}

main();
