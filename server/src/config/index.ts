// Configuration: `.locklint.json` and the `locklint.*` VS Code settings (one shape, ./schema.json).
//   const { config, problems } = parseConfig(text, '.locklint.json', engine.checks.map((c) => c.id));
//   const effective = mergeConfig(mergeConfig(DEFAULT_CONFIG, userSettings), config);
//   const { c, go } = toApiEntries(effective);  buildApiIndex(c, go);
//   const skip = compileExclude(effective.exclude);  skip('src/gen/x.c')
export type {
  BlockingFunctionCategory,
  BlockingFunctionSpec,
  CallbackFunctionSpec,
  CallbackRuns,
  CheckSetting,
  Config,
  ConfigProblem,
  ConfigProblemCode,
  ContextKind,
  LockFunctionMode,
  LockFunctionSpec,
  ParsedConfig,
} from './types';
export { DEFAULT_CONFIG, DEFAULT_MAX_FILE_SIZE } from './defaults';
export { parseConfig, configFromValue } from './parse';
export { mergeConfig } from './merge';
export { toApiEntries, isGoName, type ConfiguredApi } from './api';
export { isExcluded, compileExclude, type ExcludeMatcher } from './exclude';
export { parseJson, type JsonNode, type JsonPos, type JsonParseResult } from './json';
