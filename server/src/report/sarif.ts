// SARIF 2.1.0 output, for GitHub code scanning and SARIF viewers.
// Lines/columns are 1-based, end columns exclusive, columns in UTF-16 code units (run.columnKind).
// Files under the root are relative URIs against %SRCROOT% (described in originalUriBaseIds when
// the root is known), so the log does not leak the machine's checkout path and stays comparable
// across machines; partialFingerprints carry the engine's line-independent fingerprint so alerts
// survive unrelated edits.
import type { CheckMeta, Finding, RelatedSite, Severity } from '../core/finding';
import type { Span } from '../ir/types';
import { sortFindings } from './common';
import { artifactUri, baseUriToPath, normaliseBaseUri, type ArtifactUri } from './uri';

// ---------------------------------------------------------------------------------------------
// The subset of SARIF we write (@types/sarif is not a dependency of the server).

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

export interface SarifMessage {
  text: string;
}

export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface SarifLocation {
  id?: number;
  physicalLocation: { artifactLocation: ArtifactUri; region: SarifRegion };
  message?: SarifMessage;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  helpUri: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[] };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  relatedLocations?: SarifLocation[];
  partialFingerprints: Record<string, string>;
  properties?: { explanation: string };
}

export interface SarifRun {
  tool: { driver: { name: string; version: string; semanticVersion: string; informationUri: string; rules: SarifRule[] } };
  originalUriBaseIds?: Record<string, { uri: string; description?: SarifMessage }>;
  columnKind: 'utf16CodeUnits';
  results: SarifResult[];
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

export interface SarifOptions {
  toolVersion: string;
  /** The scanned root as a URI (file:///work/repo/) or an absolute path. Enables relative artifact URIs for absolute paths and originalUriBaseIds. */
  rootUri?: string;
}

// ---------------------------------------------------------------------------------------------

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://github.com/locklint/locklint';
export const DOCS_BASE_URI = 'https://github.com/locklint/locklint/blob/main/';
export const SRCROOT = '%SRCROOT%';
/** Versioned key: if the fingerprint recipe ever changes, a new key keeps old alerts from being mismatched. */
export const FINGERPRINT_KEY = 'locklint/v1';

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

export function sarifLevel(s: Severity): SarifLevel {
  return LEVEL[s];
}

/** "lock-order" -> "LockOrder": SARIF's `name` is an identifier-like, human-readable rule name. */
export function ruleName(id: string): string {
  return id
    .split(/[^a-zA-Z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** go/analysis doc convention: the first line is the title, the rest (after a blank line) the explanation. */
export function splitDoc(doc: string): { title: string; rest: string } {
  const lines = doc.trim().split(/\r?\n/);
  const title = lines[0].trim();
  const rest = lines.slice(1).join('\n').trim();
  return { title, rest };
}

function rule(check: CheckMeta): SarifRule {
  const { title, rest } = splitDoc(check.doc);
  return {
    id: check.id,
    name: ruleName(check.id),
    shortDescription: { text: title || check.id },
    fullDescription: { text: rest || title || check.id },
    helpUri: DOCS_BASE_URI + check.docPath.replace(/^\.?\//, ''),
    defaultConfiguration: { level: sarifLevel(check.defaultSeverity) },
    properties: { tags: ['concurrency', 'deadlock'] },
  };
}

function region(span: Span): SarifRegion {
  return { startLine: span.line + 1, startColumn: span.col + 1, endLine: span.endLine + 1, endColumn: span.endCol + 1 };
}

type Locate = (file: string) => ArtifactUri;

function relatedLocation(r: RelatedSite, index: number, locate: Locate): SarifLocation {
  return { id: index + 1, physicalLocation: { artifactLocation: locate(r.file), region: region(r.span) }, message: { text: r.message } };
}

function result(f: Finding, ruleIndex: ReadonlyMap<string, number>, locate: Locate): SarifResult {
  const index = ruleIndex.get(f.check);
  return {
    ruleId: f.check,
    ...(index !== undefined ? { ruleIndex: index } : {}),
    level: sarifLevel(f.severity),
    message: { text: f.message },
    locations: [{ physicalLocation: { artifactLocation: locate(f.file), region: region(f.span) } }],
    ...(f.related.length > 0 ? { relatedLocations: f.related.map((r, i) => relatedLocation(r, i, locate)) } : {}),
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    ...(f.explanation ? { properties: { explanation: f.explanation } } : {}),
  };
}

export function toSarif(findings: readonly Finding[], checks: readonly CheckMeta[], options: SarifOptions): SarifLog {
  const baseUri = options.rootUri !== undefined ? normaliseBaseUri(options.rootUri) : undefined;
  const rootPath = baseUri !== undefined ? baseUriToPath(baseUri) : undefined;
  const locate: Locate = (file) => artifactUri(file, rootPath, SRCROOT);
  const rules = checks.map(rule);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i] as const));
  const run: SarifRun = {
    tool: {
      driver: { name: 'locklint', version: options.toolVersion, semanticVersion: options.toolVersion, informationUri: INFORMATION_URI, rules },
    },
    ...(baseUri !== undefined ? { originalUriBaseIds: { [SRCROOT]: { uri: baseUri, description: { text: 'The root of the scanned tree.' } } } } : {}),
    columnKind: 'utf16CodeUnits',
    results: sortFindings(findings).map((f) => result(f, ruleIndex, locate)),
  };
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

export function formatSarif(findings: readonly Finding[], checks: readonly CheckMeta[], options: SarifOptions): string {
  return `${JSON.stringify(toSarif(findings, checks, options), null, 2)}\n`;
}
