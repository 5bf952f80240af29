// Code actions for locklint diagnostics: a suppression comment and a link to the check's page.
// Built from the diagnostics the client sends back, so they work for any finding it shows.
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { docsUrl, SOURCE } from './diagnostics';

export const OPEN_DOCS_COMMAND = 'locklint.server.openDocumentation';
export const SCAN_COMMAND = 'locklint.server.scanWorkspace';

export function codeActionsFor(document: TextDocument, diagnostics: readonly Diagnostic[], knownChecks: ReadonlySet<string>): CodeAction[] {
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
