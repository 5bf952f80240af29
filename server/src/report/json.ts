// Machine-readable output for scripts. The shape is a contract: fields are only ever added, and
// `version` is bumped if one changes meaning or disappears.
//
//   {
//     "version": 1,
//     "tool": { "name": "locklint", "version": "0.1.0" },
//     "summary": { "findings": 3, "errors": 1, "warnings": 2, "infos": 0, "files": 2 },
//     "findings": [
//       {
//         "check": "lock-order", "severity": "warning", "message": "...",
//         "file": "src/a.c", "line": 12, "column": 5, "endLine": 12, "endColumn": 20,
//         "related": [ { "file": "src/b.c", "line": 30, "column": 5, "endLine": 30, "endColumn": 18, "message": "..." } ],
//         "explanation": "..." | null,
//         "fingerprint": "..."
//       }
//     ]
//   }
//
// Lines and columns are 1-based (as editors and compilers print them), unlike the 0-based spans
// inside locklint; columns count UTF-16 code units; end positions are exclusive. Files are
// relative to `root` (with "/" separators) when they lie under it. Findings are sorted by file,
// line, column and check id.
import type { Finding, RelatedSite } from '../core/finding';
import type { Span } from '../ir/types';
import { countFindings, relativeTo, sortFindings, toSlashes } from './common';

export const JSON_REPORT_VERSION = 1;

export interface JsonReportMeta {
  toolVersion: string;
  /** Absolute paths under root are written relative to it. */
  root?: string;
}

export interface JsonRange {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface JsonRelated extends JsonRange {
  message: string;
}

export interface JsonFinding extends JsonRange {
  check: string;
  severity: Finding['severity'];
  message: string;
  related: JsonRelated[];
  explanation: string | null;
  fingerprint: string;
}

export interface JsonReport {
  version: typeof JSON_REPORT_VERSION;
  tool: { name: 'locklint'; version: string };
  summary: { findings: number; errors: number; warnings: number; infos: number; files: number };
  findings: JsonFinding[];
}

function range(file: string, span: Span, root: string | undefined): JsonRange {
  return {
    file: toSlashes(relativeTo(file, root)),
    line: span.line + 1,
    column: span.col + 1,
    endLine: span.endLine + 1,
    endColumn: span.endCol + 1,
  };
}

function related(r: RelatedSite, root: string | undefined): JsonRelated {
  return { ...range(r.file, r.span, root), message: r.message };
}

// Key order is fixed by construction here (not by spreading the Finding) so output diffs stay clean.
function finding(f: Finding, root: string | undefined): JsonFinding {
  const { file, line, column, endLine, endColumn } = range(f.file, f.span, root);
  return {
    check: f.check,
    severity: f.severity,
    message: f.message,
    file,
    line,
    column,
    endLine,
    endColumn,
    related: f.related.map((r) => related(r, root)),
    explanation: f.explanation ?? null,
    fingerprint: f.fingerprint,
  };
}

export function toJsonReport(findings: readonly Finding[], meta: JsonReportMeta): JsonReport {
  const c = countFindings(findings);
  return {
    version: JSON_REPORT_VERSION,
    tool: { name: 'locklint', version: meta.toolVersion },
    summary: { findings: findings.length, errors: c.errors, warnings: c.warnings, infos: c.infos, files: c.files },
    findings: sortFindings(findings).map((f) => finding(f, meta.root)),
  };
}

export function formatJson(findings: readonly Finding[], meta: JsonReportMeta): string {
  return `${JSON.stringify(toJsonReport(findings, meta), null, 2)}\n`;
}
