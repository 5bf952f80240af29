// Program-level analysis: function facts in, findings out. Pure: no I/O, no parsing, no LSP.
import type { Check, ProgramFacts } from '../checks/types';
import type { FileIR, Suppression } from '../ir/types';
import type { FunctionFacts } from './facts';
import type { CallIndex } from './program';
import type { Finding, Severity } from './finding';

export type SeveritySetting = Severity | 'off';

export interface AnalyzeOptions {
  checks: readonly Check[];
  severities: Readonly<Record<string, SeveritySetting>>;
  reportSameClassNesting: boolean;
  contexts?: Readonly<Record<'hardirq' | 'softirq' | 'nmi', readonly string[]>>;
}

export interface AnalysisProblem {
  file?: string;
  message: string;
}

export interface AnalysisResult {
  findings: Finding[];
  problems: AnalysisProblem[];
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export function analyzeProgram(
  files: ReadonlyMap<string, FileIR>, functions: readonly FunctionFacts[], options: AnalyzeOptions,
  index?: CallIndex,
): AnalysisResult {
  const byFn = new Map(functions.map((f) => [f.fn, f]));
  const program: ProgramFacts = {
    files,
    functions,
    languageOf: (file) => files.get(file)?.language ?? 'c',
    options: { reportSameClassNesting: options.reportSameClassNesting },
    targetsOf: (call, caller) => index?.resolve(call, caller) ?? [],
    functionNamed: (name, from) => index?.named(name, from),
    factsOf: (fn) => byFn.get(fn),
    isEnabled: (id) => options.severities[id] !== 'off' && options.checks.some((c) => c.meta.id === id),
    contexts: options.contexts ?? { hardirq: [], softirq: [], nmi: [] },
  };
  const findings: Finding[] = [];
  const problems: AnalysisProblem[] = [];
  for (const check of options.checks) {
    const setting = options.severities[check.meta.id];
    if (setting === 'off') continue;
    let raw: Finding[];
    try {
      raw = check.run(program);
    } catch (err) {
      // One broken check must not take the others down with it.
      problems.push({ message: `check ${check.meta.id} failed: ${(err as Error)?.stack ?? err}` });
      continue;
    }
    for (const f of raw) {
      if (isSuppressed(f, files.get(f.file)?.suppressions ?? [])) continue;
      findings.push(setting ? { ...f, severity: adjust(f.severity, check.meta.defaultSeverity, setting) } : f);
    }
  }
  findings.sort(compareFindings);
  return { findings, problems };
}

/**
 * A configured severity replaces the default; a finding a check itself reported below its default
 * (lower confidence) stays that much lower.
 */
function adjust(found: Severity, defaultSeverity: Severity, configured: Severity): Severity {
  const drop = SEVERITY_RANK[defaultSeverity] - SEVERITY_RANK[found];
  const rank = Math.max(0, SEVERITY_RANK[configured] - Math.max(0, drop));
  return (Object.keys(SEVERITY_RANK) as Severity[]).find((s) => SEVERITY_RANK[s] === rank)!;
}

function isSuppressed(f: Finding, suppressions: readonly Suppression[]): boolean {
  return suppressions.some((s) =>
    (s.line === -1 || s.line === f.span.line || s.line === f.span.line - 1)
    && (s.checks.includes(f.check) || s.checks.includes('*') || s.checks.includes('all')));
}

export function compareFindings(a: Finding, b: Finding): number {
  return (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)
    || a.span.line - b.span.line || a.span.col - b.span.col
    || (a.check < b.check ? -1 : a.check > b.check ? 1 : 0);
}
