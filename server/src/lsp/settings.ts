// Where the server's configuration comes from: the client's `locklint.*` settings (the base) under
// each workspace folder's `.locklint.json` (wins). Problems never stop the server: parseConfig
// fills anything invalid with defaults, and the problems are shown on the file that has them.
import * as fs from 'fs';
import * as path from 'path';
import { CHECK_IDS } from '../checks/index';
import {
  configFromValue,
  DEFAULT_CONFIG,
  mergeConfig,
  parseConfig,
  type Config,
  type ConfigProblem,
} from '../config/index';

export const CONFIG_FILE = '.locklint.json';
export const DEFAULT_DEBOUNCE_MS = 150;

/** Editor-only settings; everything else in `locklint.*` has the shape of `.locklint.json`. */
export interface ServerSettings {
  scanOnStartup: boolean;
  debounceMs: number;
}

const SERVER_KEYS = new Set(['scanOnStartup', 'debounceMs', 'trace']);
const CONFIG_KEYS = new Set(['lockFunctions', 'blockingFunctions', 'callbackFunctions', 'checks', 'exclude', 'maxFileSize', 'contexts', 'reportSameClassNesting']);

export interface LoadedConfig {
  config: Config;
  server: ServerSettings;
  /** Problems in the user settings (positions are meaningless there; `key` says which setting). */
  settingsProblems: ConfigProblem[];
  /** Absolute path of each `.locklint.json` read -> its problems (possibly none). */
  fileProblems: Map<string, ConfigProblem[]>;
}

export function serverSettings(raw: unknown): ServerSettings {
  const s = isObject(raw) ? raw : {};
  const debounce = typeof s.debounceMs === 'number' && Number.isFinite(s.debounceMs) && s.debounceMs >= 0 ? s.debounceMs : DEFAULT_DEBOUNCE_MS;
  return { scanOnStartup: s.scanOnStartup !== false, debounceMs: Math.min(debounce, 10_000) };
}

/** `locklint.*` settings -> Config. VS Code sends nulls for unset object settings; those are simply absent. */
export function configFromSettings(raw: unknown): { config: Config; problems: ConfigProblem[] } {
  if (!isObject(raw)) return { config: DEFAULT_CONFIG, problems: [] };
  const value: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(raw)) {
    if (v === null || v === undefined || SERVER_KEYS.has(key) || !CONFIG_KEYS.has(key)) continue;
    value[key] = v;
  }
  return configFromValue(value, 'settings', CHECK_IDS);
}

/** Reads `.locklint.json` from each folder root. A missing file is no problem; an unreadable one is. */
export function loadConfig(rawSettings: unknown, folders: readonly string[]): LoadedConfig {
  const fromSettings = configFromSettings(rawSettings);
  let config = mergeConfig(DEFAULT_CONFIG, fromSettings.config);
  const fileProblems = new Map<string, ConfigProblem[]>();
  for (const folder of folders) {
    const file = path.join(folder, CONFIG_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        fileProblems.set(file, [{ file, line: 0, col: 0, key: '', code: 'syntax', message: `cannot read ${CONFIG_FILE}: ${(err as Error).message}` }]);
      }
      continue;
    }
    const parsed = parseConfig(text, file, CHECK_IDS);
    fileProblems.set(file, parsed.problems);
    config = mergeConfig(config, parsed.config);
  }
  return { config, server: serverSettings(rawSettings), settingsProblems: fromSettings.problems, fileProblems };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
