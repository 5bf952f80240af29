// The CLI's disk cache: one file per FileEntry, named by the file's path and content hash, inside
// a directory named by everything lowering depends on (cache-key.ts). A cache that cannot be read
// or written is a warning, never a failure: every problem degrades to a miss.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FileEntry } from '../engine';
import { decodeEntry } from './codec';

const FORMAT = 'v1';
const MAGIC = 'LLC1';
/** Fixed, so the payload starts 4-aligned and the decoder can view it as an Int32Array in place. */
const HEADER_BYTES = 64;
export const DEFAULT_CACHE_MAX_BYTES = 1024 * 2 ** 20;

/** $XDG_CACHE_HOME/locklint, else the platform's per-user cache folder. */
export function defaultCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) return path.join(env.XDG_CACHE_HOME, 'locklint');
  if (platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'locklint', 'Cache');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'locklint');
  return path.join(home, '.cache', 'locklint');
}

const sha1 = (s: string | Uint8Array) => createHash('sha1').update(s).digest('hex');

/**
 * Reads and writes framed files in one namespace directory. The frame (magic, SHA-1 and length of
 * the payload) turns a truncated, overwritten or bit-flipped file into a miss instead of wrong IR.
 * Used by the main thread and by each worker (workers write the entries they lower).
 */
export class CacheDir {
  private readonly made = new Set<string>();

  constructor(readonly dir: string) {}

  static entryName(file: string, hash: string): string {
    const k = sha1(`${file}\0${hash}`);
    return path.join(k.slice(0, 2), k.slice(2));
  }

  /** The payload, or 'missing' / 'corrupt'. */
  read(name: string): Buffer | 'missing' | 'corrupt' {
    let buf: Buffer;
    const file = path.join(this.dir, name);
    try {
      buf = fs.readFileSync(file);
    } catch {
      return 'missing';
    }
    const header = buf.subarray(0, HEADER_BYTES).toString('latin1').trim().split(' ');
    const payload = buf.subarray(HEADER_BYTES);
    if (buf.length < HEADER_BYTES || header.length !== 3 || header[0] !== MAGIC || Number(header[2]) !== payload.length || sha1(payload) !== header[1]) return 'corrupt';
    try {
      // Recently used entries are the last to be evicted.
      const now = new Date();
      fs.utimesSync(file, now, now);
    } catch { /* read-only cache: still a hit */ }
    return payload;
  }

  /** Atomic (temporary file + rename), so a concurrent run never reads half a file. Throws on I/O errors. */
  write(name: string, payload: Uint8Array): void {
    const file = path.join(this.dir, name);
    const sub = path.dirname(file);
    if (!this.made.has(sub)) {
      fs.mkdirSync(sub, { recursive: true });
      this.made.add(sub);
    }
    const header = Buffer.from(`${MAGIC} ${sha1(payload)} ${payload.length}`.padEnd(HEADER_BYTES - 1) + '\n', 'latin1');
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeSync(fd, header);
        fs.writeSync(fd, payload);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
    } catch (err) {
      try { fs.unlinkSync(tmp); } catch { /* never written */ }
      throw err;
    }
  }
}

export interface CacheStats {
  hits: number;
  misses: number;
  corrupt: number;
  written: number;
  evicted: number;
  resultHit?: boolean;
}

/** What a whole run produced, stored under the run key: a run with nothing changed ends here. */
export interface CachedResult<F, P, FP> {
  findings: F[];
  problems: P[];
  fileProblems: [string, FP[]][];
}

export class DiskCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, corrupt: 0, written: 0, evicted: 0 };
  private readonly store: CacheDir;
  private writable = true;

  private constructor(readonly root: string, readonly dir: string, private readonly warn: (message: string) => void) {
    this.store = new CacheDir(dir);
  }

  /** Undefined (after a warning) when the directory cannot be created. */
  static open(root: string, loweringKey: string, warn: (message: string) => void): DiskCache | undefined {
    const dir = path.join(root, FORMAT, loweringKey.slice(0, 20));
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      warn(`cache disabled: cannot create ${root}: ${(err as Error).message}`);
      return undefined;
    }
    return new DiskCache(root, dir, warn);
  }

  readEntry(file: string, hash: string): FileEntry | undefined {
    const bytes = this.store.read(CacheDir.entryName(file, hash));
    const entry = bytes === 'missing' || bytes === 'corrupt' ? undefined : decodeEntry(bytes, file, hash);
    if (entry) this.stats.hits++;
    else {
      this.stats.misses++;
      if (bytes !== 'missing') this.stats.corrupt++;
    }
    return entry;
  }

  writeEntry(file: string, hash: string, encoded: Uint8Array): void {
    this.writePayload(CacheDir.entryName(file, hash), encoded);
  }

  /** Entries written by worker threads count here too. */
  noteWritten(n: number): void {
    this.stats.written += n;
  }

  writeFailed(message: string): void {
    if (this.writable) this.warn(`cache not written (${this.root}): ${message}`);
    this.writable = false;
  }

  get canWrite(): boolean {
    return this.writable;
  }

  readResult<F, P, FP>(runKey: string): CachedResult<F, P, FP> | undefined {
    const bytes = this.store.read(path.join('results', runKey));
    if (bytes === 'missing' || bytes === 'corrupt') {
      this.stats.resultHit = false;
      return undefined;
    }
    try {
      const r = JSON.parse(bytes.toString('utf8')) as CachedResult<F, P, FP>;
      if (Array.isArray(r.findings) && Array.isArray(r.problems) && Array.isArray(r.fileProblems)) {
        this.stats.resultHit = true;
        return r;
      }
    } catch { /* a miss */ }
    this.stats.resultHit = false;
    return undefined;
  }

  writeResult<F, P, FP>(runKey: string, result: CachedResult<F, P, FP>): void {
    this.writePayload(path.join('results', runKey), Buffer.from(JSON.stringify(result), 'utf8'), false);
  }

  private writePayload(name: string, payload: Uint8Array, counts = true): void {
    if (!this.writable) return;
    try {
      this.store.write(name, payload);
      if (counts) this.stats.written++;
    } catch (err) {
      this.writeFailed((err as Error).message);
    }
  }

  /**
   * Keeps the whole cache (every namespace) under maxBytes: least recently used files go first,
   * down to 80% so the next runs do not evict again. Temporary files of crashed writers go too.
   */
  evict(maxBytes: number): void {
    const files: { file: string; size: number; mtime: number }[] = [];
    const walk = (dir: string, depth: number) => {
      let names: fs.Dirent[];
      try {
        names = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const d of names) {
        const full = path.join(dir, d.name);
        if (d.isDirectory()) {
          if (depth < 3) walk(full, depth + 1);
          continue;
        }
        try {
          const st = fs.statSync(full);
          if (d.name.endsWith('.tmp') && Date.now() - st.mtimeMs > 10 * 60_000) fs.unlinkSync(full);
          else files.push({ file: full, size: st.size, mtime: st.mtimeMs });
        } catch { /* removed by a concurrent run */ }
      }
    };
    walk(path.join(this.root, FORMAT), 0);
    let total = files.reduce((a, f) => a + f.size, 0);
    if (total <= maxBytes) return;
    files.sort((a, b) => a.mtime - b.mtime);
    for (const f of files) {
      if (total <= maxBytes * 0.8) break;
      try {
        fs.unlinkSync(f.file);
        this.stats.evicted++;
      } catch { /* already gone */ }
      total -= f.size;
    }
  }
}
