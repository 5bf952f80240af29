// Findings and problems -> LSP diagnostics. Pure: the caller decides what to publish and when.
import {
  DiagnosticSeverity,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type Range,
} from 'vscode-languageserver';
import * as path from 'path';
import type { ConfigProblem } from '../config/index';
import type { Finding, Severity } from '../core/finding';
import type { FileProblem, Span } from '../ir/types';

export const SOURCE = 'locklint';
const DOCS_BASE = 'https://github.com/locklint/locklint/blob/main/docs/checks/';

export function docsUrl(checkId: string): string {
  return `${DOCS_BASE}${encodeURIComponent(checkId)}.md`;
}

/** What `data` carries on a finding's diagnostic: enough for code actions and hovers to find it again. */
export interface DiagnosticData {
  fingerprint: string;
  check: string;
}

export interface ConvertOptions {
  /** The client shows relatedInformation; otherwise the sites go into the message text. */
  relatedInformation: boolean;
  toUri: (file: string) => string;
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function spanToRange(span: Span): Range {
  return { start: { line: span.line, character: span.col }, end: { line: span.endLine, character: span.endCol } };
}

export function findingToDiagnostic(finding: Finding, options: ConvertOptions): Diagnostic {
  const diagnostic: Diagnostic = {
    range: spanToRange(finding.span),
    severity: SEVERITY[finding.severity] ?? DiagnosticSeverity.Warning,
    code: finding.check,
    codeDescription: { href: docsUrl(finding.check) },
    source: SOURCE,
    message: finding.message,
    data: { fingerprint: finding.fingerprint, check: finding.check } satisfies DiagnosticData,
  };
  if (finding.related.length > 0) {
    if (options.relatedInformation) {
      diagnostic.relatedInformation = finding.related.map((r): DiagnosticRelatedInformation => ({
        location: { uri: options.toUri(r.file), range: spanToRange(r.span) },
        message: r.message,
      }));
    } else {
      // Clients without relatedInformation would lose the other half of the story.
      const sites = finding.related.map((r) => `  ${path.basename(r.file)}:${r.span.line + 1}:${r.span.col + 1}: ${r.message}`);
      diagnostic.message = `${finding.message}\n${sites.join('\n')}`;
    }
  }
  return diagnostic;
}

/** Front-end problems (unparsable regions, skipped files) are information, never errors: the code may be fine. */
export function fileProblemToDiagnostic(problem: FileProblem): Diagnostic {
  return {
    range: spanToRange(problem.span),
    severity: DiagnosticSeverity.Information,
    source: SOURCE,
    message: problem.message,
  };
}

export function configProblemToDiagnostic(problem: ConfigProblem): Diagnostic {
  return {
    range: { start: { line: problem.line, character: problem.col }, end: { line: problem.line, character: problem.col + 1 } },
    severity: DiagnosticSeverity.Error,
    code: problem.code,
    source: SOURCE,
    message: problem.key ? `${problem.message} (${problem.key})` : problem.message,
  };
}

/** Diagnostics per file for everything the engine knows: every known file gets an entry, possibly empty. */
export function diagnosticsByFile(
  knownFiles: Iterable<string>,
  findings: readonly Finding[],
  fileProblems: ReadonlyMap<string, readonly FileProblem[]>,
  options: ConvertOptions,
): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  for (const file of knownFiles) out.set(file, []);
  for (const [file, problems] of fileProblems) {
    const list = out.get(file) ?? [];
    list.push(...problems.map(fileProblemToDiagnostic));
    out.set(file, list);
  }
  for (const f of findings) {
    const list = out.get(f.file) ?? [];
    list.push(findingToDiagnostic(f, options));
    out.set(f.file, list);
  }
  return out;
}
