// Command-line parsing for `locklint`. No dependency: the surface is small and stable.
export type OutputFormat = 'text' | 'json' | 'sarif';

export interface CliArgs {
  paths: string[];
  format: OutputFormat;
  output?: string;
  config?: string;
  exclude: string[];
  parser: 'auto' | 'wasm' | 'native';
  color?: boolean;
  maxFileSize?: number;
  verbose: boolean;
  quiet: boolean;
  help: boolean;
  version: boolean;
  listChecks: boolean;
  /** Also write the lock order graph: .html (page) or .svg (picture). */
  graph?: string;
  /** Worker threads for reading files; undefined: as many as CPUs (capped), small jobs in-process. */
  threads?: number;
  /** Cache directory; false: --no-cache; undefined: the per-user default. */
  cache?: string | false;
  cacheMaxMiB?: number;
  /** Counters and timings on stderr (files, cache hits, threads, analyze time, peak RSS). */
  stats: boolean;
}

export class UsageError extends Error {}

export const USAGE = `Usage: locklint [options] [paths...]

Finds deadlocks in C (.c, .h) and Go (.go) files: lock-order inversions, double locks, leaked
locks, unlocks of locks not held, blocking calls under a lock, synchronize inside a read section.

Options:
  -f, --format <text|json|sarif>  output format (default: text)
  -o, --output <file>             write the report to a file instead of stdout
  -c, --config <file>             configuration file (default: <root>/.locklint.json)
      --exclude <glob>            skip matching files (repeatable; .gitignore is honoured too)
      --parser <auto|wasm|native> tree-sitter backend (default: auto = wasm, the fastest end to end)
      --max-file-size <bytes>     skip larger files (default: 1 MiB)
      --color / --no-color        force or disable colours (default: on for a terminal)
      --list-checks               print the checks with their default severity and exit
      --graph <file.html|file.svg> also write the lock order graph (cycles in red)
      --threads <n>               worker threads reading files (default: one per CPU, at most 8;
                                  1 = no worker threads)
      --cache <dir>               cache of per-file results (default: $XDG_CACHE_HOME/locklint
                                  or ~/.cache/locklint)
      --no-cache                  neither read nor write the cache
      --cache-max-size <MiB>      evict least recently used cache files above this (default: 1024)
      --stats                     print files, cache hits, threads and timings on stderr
  -v, --verbose                   print skipped files and analysis notes on stderr
  -q, --quiet                     print nothing but the report
  -h, --help                      this help
      --version                   print the version

Exit status: 0 no findings, 1 findings, 2 usage or fatal error (including a bad config file).
`;

export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = {
    paths: [], format: 'text', exclude: [], parser: 'auto', verbose: false, quiet: false,
    help: false, version: false, listChecks: false, stats: false,
  };
  const value = (i: number, name: string): string => {
    const v = argv[i + 1];
    if (v === undefined || (v.startsWith('-') && v !== '-')) throw new UsageError(`option ${name} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline: string | undefined;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const take = (name: string): string => {
      if (inline !== undefined) return inline;
      const v = value(i, name);
      i++;
      return v;
    };
    switch (a) {
      case '-f': case '--format': {
        const f = take(a);
        if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new UsageError(`unknown format "${f}" (expected text, json or sarif)`);
        args.format = f;
        break;
      }
      case '-o': case '--output': args.output = take(a); break;
      case '-c': case '--config': args.config = take(a); break;
      case '--exclude': args.exclude.push(take(a)); break;
      case '--parser': {
        const p = take(a);
        if (p !== 'auto' && p !== 'wasm' && p !== 'native') throw new UsageError(`unknown parser "${p}" (expected auto, wasm or native)`);
        args.parser = p;
        break;
      }
      case '--max-file-size': {
        const n = Number(take(a));
        if (!Number.isInteger(n) || n <= 0) throw new UsageError('--max-file-size needs a positive number of bytes');
        args.maxFileSize = n;
        break;
      }
      case '--color': args.color = true; break;
      case '--no-color': args.color = false; break;
      case '--list-checks': args.listChecks = true; break;
      case '--graph': {
        const g = take(a);
        if (!/\.(html?|svg)$/i.test(g)) throw new UsageError(`--graph needs a .html or .svg file name, not "${g}"`);
        args.graph = g;
        break;
      }
      case '--threads': {
        const n = Number(take(a));
        if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError('--threads needs a whole number from 1 to 256');
        args.threads = n;
        break;
      }
      case '--cache': args.cache = take(a); break;
      case '--no-cache': args.cache = false; break;
      case '--cache-max-size': {
        const n = Number(take(a));
        if (!Number.isFinite(n) || n <= 0) throw new UsageError('--cache-max-size needs a positive number of MiB');
        args.cacheMaxMiB = n;
        break;
      }
      case '--stats': args.stats = true; break;
      case '-v': case '--verbose': args.verbose = true; break;
      case '-q': case '--quiet': args.quiet = true; break;
      case '-h': case '--help': args.help = true; break;
      case '--version': args.version = true; break;
      case '--': args.paths.push(...argv.slice(i + 1)); i = argv.length; break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
        args.paths.push(argv[i]);
    }
  }
  if (args.paths.length === 0) args.paths.push('.');
  return args;
}
