// Code actions for locklint diagnostics: a suppression comment and a link to the check's page.
// Built from the diagnostics the client sends back, so they work for any finding it shows.
import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import type { Fix } from '../fixes/index';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { docsUrl, SOURCE } from './diagnostics';

export const OPEN_DOCS_COMMAND = 'locklint.server.openDocumentation';
export const SCAN_COMMAND = 'locklint.server.scanWorkspace';
export const EXPLAIN_COMMAND = 'locklint.server.explain';
export const GRAPH_COMMAND = 'locklint.server.lockGraph';

/** The quick fixes computed for a diagnostic's finding (server/src/fixes), and its fingerprint. */
export type FixesOf = (diagnostic: Diagnostic) => { fixes: Fix[]; fingerprint: string } | undefined;

export function fixToCodeAction(uri: string, diagnostic: Diagnostic, fix: Fix): CodeAction {
  const edits: TextEdit[] = fix.edits.map((e) => ({
    range: { start: { line: e.span.line, character: e.span.col }, end: { line: e.span.endLine, character: e.span.endCol } },
    newText: e.newText,
  }));
  return { title: fix.title, kind: CodeActionKind.QuickFix, isPreferred: fix.isPreferred, diagnostics: [diagnostic], edit: { changes: { [uri]: edits } } };
}

export function codeActionsFor(document: TextDocument, diagnostics: readonly Diagnostic[], knownChecks: ReadonlySet<string>, fixesOf?: FixesOf): CodeAction[] {
  const actions: CodeAction[] = [];
  const seen = new Set<string>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== SOURCE || typeof diagnostic.code !== 'string' || !knownChecks.has(diagnostic.code)) continue;
    const check = diagnostic.code;
    const line = diagnostic.range.start.line;
    if (line < 0 || line >= document.lineCount) continue;
    const key = `${check}:${line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const found = fixesOf?.(diagnostic);
    for (const fix of found?.fixes ?? []) actions.push(fixToCodeAction(document.uri, diagnostic, fix));
    if (found) {
      actions.push({
        title: `Explain this ${check} finding`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        command: { title: `Explain this ${check} finding`, command: EXPLAIN_COMMAND, arguments: [document.uri, found.fingerprint] },
      });
    }
    actions.push(suppressAction(document, diagnostic, check, line));
    actions.push({
      title: `Open documentation for ${check}`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      command: { title: `Open documentation for ${check}`, command: OPEN_DOCS_COMMAND, arguments: [docsUrl(check)] },
    });
  }
  return actions;
}

/** `// locklint-ignore <id>: ` on its own line above, indented like the reported line; the reason is left for the user. */
function suppressAction(document: TextDocument, diagnostic: Diagnostic, check: string, line: number): CodeAction {
  const text = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  const indent = /^[ \t]*/.exec(text)?.[0] ?? '';
  const eol = text.endsWith('\r\n') ? '\r\n' : '\n';
  return {
    title: `Suppress ${check} on this line`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    edit: {
      changes: {
        [document.uri]: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}// locklint-ignore ${check}: ${eol}` }],
      },
    },
  };
}
