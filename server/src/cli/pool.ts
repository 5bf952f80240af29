// A pool of worker threads fed with batches. Protocol (lower-worker.ts, bench/worker.js):
//   main -> worker  { type: 'batch', id, items }
//   worker -> main  { type: 'ready' } once started, { type: 'done', id, results, busyNs, ... } per
//                   batch (results[i] answers items[i]), { type: 'fatal', message } if it cannot start.
// A worker that dies takes only its own batches down: they are retried one item per batch on a
// fresh worker, so the item that kills a worker again is named and the others get their result.
import { Worker, type ResourceLimits } from 'worker_threads';

export interface PoolOptions {
  script: string;
  size: number;
  workerData?: unknown;
  resourceLimits?: ResourceLimits;
  /** Batches queued on each worker, so none waits for the main thread between two batches. */
  inFlight?: number;
  /** Replacement workers started after crashes; then the remaining items fail. */
  maxRestarts?: number;
}

export interface DoneMessage<R> {
  type: 'done';
  id: number;
  results: R[];
  busyNs: number;
  [extra: string]: unknown;
}

interface Slot<T> {
  worker: Worker;
  pending: Map<number, T[]>;
  error?: string;
  index: number;
}

interface RunState<T, R> {
  queue: T[][];
  remaining: number;
  onBatch: (items: T[], done: DoneMessage<R>) => void;
  onFailure: (item: T, message: string) => void;
  toMessage: (item: T) => unknown;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class PoolStartError extends Error {}

export class WorkerPool<T, R> {
  /** Milliseconds each worker slot spent on batches (replacements add to their slot). */
  readonly busyMs: number[];
  restarts = 0;
  /** Resolves when every first-generation worker has started (parser loaded). */
  readonly ready: Promise<void>;
  private readonly slots: Slot<T>[] = [];
  private run_?: RunState<T, R>;
  private nextId = 0;
  private closing = false;
  private startFailure?: string;

  constructor(private readonly options: PoolOptions) {
    this.busyMs = new Array<number>(options.size).fill(0);
    const started: Promise<void>[] = [];
    for (let i = 0; i < options.size; i++) started.push(this.spawn(i));
    this.ready = Promise.all(started).then(() => undefined);
    this.ready.catch(() => { /* reported through run() */ });
  }

  get size(): number {
    return this.options.size;
  }

  /**
   * Runs every batch; onBatch gets each answer, onFailure each item lost with its worker.
   * toMessage maps an item to what the worker receives (items can stay small keys here).
   */
  run(
    batches: T[][], onBatch: (items: T[], done: DoneMessage<R>) => void, onFailure: (item: T, message: string) => void,
    toMessage: (item: T) => unknown = (item) => item,
  ): Promise<void> {
    if (this.run_) return Promise.reject(new Error('WorkerPool.run: a run is already in progress'));
    return new Promise<void>((resolve, reject) => {
      const remaining = batches.reduce((a, b) => a + b.length, 0);
      if (remaining === 0) return resolve();
      this.run_ = {
        queue: batches.filter((b) => b.length > 0).slice(), remaining, onBatch, onFailure, toMessage,
        resolve: () => { this.run_ = undefined; resolve(); },
        reject: (err) => { this.run_ = undefined; reject(err); },
      };
      if (this.startFailure) return this.run_.reject(new PoolStartError(this.startFailure));
      for (const slot of this.slots) this.pump(slot);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(index: number): Promise<void> {
    const worker = new Worker(this.options.script, { workerData: this.options.workerData, resourceLimits: this.options.resourceLimits });
    const slot: Slot<T> = { worker, pending: new Map(), index };
    this.slots.push(slot);
    return new Promise<void>((resolveReady, rejectReady) => {
      worker.on('message', (m: { type: string; message?: string }) => {
        if (m.type === 'ready') resolveReady();
        else if (m.type === 'fatal') {
          // The same failure would hit every worker (a parser that does not load): give up.
          this.startFailure = m.message ?? 'worker failed to start';
          rejectReady(new PoolStartError(this.startFailure));
          this.run_?.reject(new PoolStartError(this.startFailure));
        } else if (m.type === 'done') this.onDone(slot, m as unknown as DoneMessage<R>);
      });
      worker.on('error', (err) => { slot.error = err?.message ?? String(err); });
      worker.on('exit', (code) => {
        resolveReady(); // a worker that dies while starting is handled as a crash below
        this.onExit(slot, code);
      });
    });
  }

  private pump(slot: Slot<T>): void {
    const run = this.run_;
    if (!run) return;
    while (slot.pending.size < (this.options.inFlight ?? 2) && run.queue.length > 0) {
      const items = run.queue.shift()!;
      const id = this.nextId++;
      slot.pending.set(id, items);
      slot.worker.postMessage({ type: 'batch', id, items: items.map(run.toMessage) });
    }
  }

  private onDone(slot: Slot<T>, m: DoneMessage<R>): void {
    const items = slot.pending.get(m.id);
    const run = this.run_;
    if (!items || !run) return;
    slot.pending.delete(m.id);
    this.busyMs[slot.index] += m.busyNs / 1e6;
    try {
      run.onBatch(items, m);
    } catch (err) {
      return run.reject(err as Error);
    }
    run.remaining -= items.length;
    if (run.remaining === 0) return run.resolve();
    this.pump(slot);
  }

  private onExit(slot: Slot<T>, code: number): void {
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    if (this.closing) return;
    const run = this.run_;
    const why = slot.error ?? `exit code ${code}`;
    if (run) {
      for (const items of slot.pending.values()) {
        if (items.length > 1) run.queue.unshift(...items.map((item) => [item]));
        else {
          run.onFailure(items[0], `the worker thread reading it crashed (${why})`);
          run.remaining--;
        }
      }
      slot.pending.clear();
    }
    if (this.startFailure) return;
    if (this.restarts < (this.options.maxRestarts ?? 8)) {
      this.restarts++;
      void this.spawn(slot.index);
      this.pump(this.slots[this.slots.length - 1]);
    } else if (run && this.slots.length === 0) {
      for (const items of run.queue) for (const item of items) run.onFailure(item, `not read: worker threads crashed ${this.restarts + 1} times (last: ${why})`);
      run.queue = [];
      run.remaining = 0;
    }
    if (run && run.remaining === 0) run.resolve();
  }
}

/**
 * Batches of about maxBytes (and at most maxItems), largest items first: the big files start
 * early, and the small ones at the end even out the finishing times of the workers.
 */
export function batchBySize<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes = 128 * 1024, maxItems = 32): T[][] {
  const sorted = items.slice().sort((a, b) => sizeOf(b) - sizeOf(a));
  const batches: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const item of sorted) {
    cur.push(item);
    bytes += sizeOf(item);
    if (bytes >= maxBytes || cur.length >= maxItems) {
      batches.push(cur);
      cur = [];
      bytes = 0;
    }
  }
  if (cur.length > 0) batches.push(cur);
  return batches;
}
