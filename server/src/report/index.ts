// Output formats for the CLI (and anything else that prints findings). Pure: strings in, strings out.
export { formatText, summaryLine, type TextOptions } from './text';
export { formatJson, toJsonReport, JSON_REPORT_VERSION, type JsonReport, type JsonFinding, type JsonRelated, type JsonReportMeta } from './json';
export { formatSarif, toSarif, FINGERPRINT_KEY, type SarifLog, type SarifOptions } from './sarif';
export { exitCodeFor, sortFindings, compareFindings, countFindings, type SeverityCounts } from './common';
export { absolutePathToUri, relativePathToUri } from './uri';
