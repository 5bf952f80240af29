// `--stats`: what a run did, on stderr, one `locklint: stats:` line per stage. Tests read the
// counters (cache hits, threads) from here rather than from timings.
import type { PipelineOutcome, Timing } from './pipeline';

export interface RunStats extends Omit<PipelineOutcome, 'result'> {
  files: number;
  bytes: number;
  readMs: number;
  totalMs: number;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const t = (x: Timing | undefined) => (x ? `${s(x.ms)} (CPU ${s(x.cpuMs)})` : s(0));

export function printStats(io: { stderr: (s: string) => void }, r: RunStats): void {
  const out = (line: string) => io.stderr(`locklint: stats: ${line}\n`);
  out(`files ${r.files} (${(r.bytes / 1e6).toFixed(1)} MB), read and hashed in ${s(r.readMs)}`);
  if (r.cache) {
    const c = r.cache.stats;
    const result = c.resultHit === undefined ? 'not looked up' : c.resultHit ? 'hit' : 'miss';
    out(`cache ${r.cache.dir}: ${c.hits} hits, ${c.misses} misses, ${c.corrupt} corrupt, ${c.written} written, ${c.evicted} evicted; whole-run result ${result}`);
  } else {
    out('cache off');
  }
  const l = r.lowered?.stats;
  if (l) {
    const busy = l.workerBusyMs.length
      ? ` (busy ${l.workerBusyMs.map(s).join(', ')}; main thread decoding ${s(l.decodeMs)}${l.restarts ? `; ${l.restarts} restarted` : ''})` : '';
    out(`lowered ${l.lowered} files on ${l.threads} worker threads${busy}, ${l.fromCache} from the cache, ${r.lowered!.failures.length} failed; ${t(r.lowerTime)}`);
  } else {
    out('lowered 0 files: whole result from the cache');
  }
  const cpu = process.cpuUsage();
  out(`analyze ${t(r.analyzeTime)}; total ${s(r.totalMs)} (process CPU ${s((cpu.user + cpu.system) / 1000)}); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}
