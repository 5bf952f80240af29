// The VS Code side of locklint, kept thin: start the bundled server, forward `locklint.*`
// settings, show the server's status, offer the scan command. Everything else is the server's.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

/** Must match server/src/lsp (the client does not import server code: it runs in another process). */
const STATUS_NOTIFICATION = 'locklint/status';
const SERVER_SCAN_COMMAND = 'locklint.server.scanWorkspace';
const SERVER_EXPLAIN_COMMAND = 'locklint.server.explain';
const SERVER_GRAPH_COMMAND = 'locklint.server.lockGraph';
/** Virtual read-only documents holding "Explain" reports (Markdown, shown in the preview). */
const EXPLAIN_SCHEME = 'locklint-explain';

interface StatusParams {
  state: 'starting' | 'scanning' | 'ready' | 'error';
  findings: number;
  files: number;
  percentage?: number;
  message?: string;
}

/** Crashes within this window count towards the restart limit (the languageclient default is 4 in 3 minutes). */
const RESTART_WINDOW_MS = 3 * 60 * 1000;
const MAX_RESTARTS = 4;

let client: LanguageClient | undefined;

/** In the VSIX the bundled server sits next to the bundled client (dist/); in the repository it is server/out/. */
export function serverModulePath(here: string = __dirname): string {
  const candidates = [path.join(here, 'server.js'), path.join(here, '..', '..', 'server', 'out', 'server.js')];
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[candidates.length - 1];
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('locklint');
  const status = vscode.window.createStatusBarItem('locklint.status', vscode.StatusBarAlignment.Left, 0);
  status.name = 'locklint';
  status.command = 'locklint.showOutput';
  showStatus(status, { state: 'starting', findings: 0, files: 0 });
  status.show();
  context.subscriptions.push(output, status);

  const module = serverModulePath();
  output.appendLine(`locklint: server ${module}`);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'c' },
      { scheme: 'file', language: 'go' },
      // .h files are often opened as C++; the server treats every .h as C.
      { scheme: 'file', pattern: '**/*.h' },
    ],
    // Pushes didChangeConfiguration on every `locklint.*` change; the server pulls the values.
    synchronize: { configurationSection: 'locklint' },
    // For the first configuration; plain JSON (the configuration object also carries functions).
    initializationOptions: () => ({ settings: JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('locklint'))) }),
    outputChannel: output,
    errorHandler: restartingErrorHandler(output),
    middleware: {
      // The "Explain" code action runs the server command; its answer (Markdown) is shown here.
      executeCommand: async (command, args, next) => {
        const result = await next(command, args);
        if (command === SERVER_EXPLAIN_COMMAND) await showExplanation(result);
        return result;
      },
    },
  };
  client = new LanguageClient('locklint', 'locklint', serverOptions, clientOptions);

  context.subscriptions.push(
    vscode.commands.registerCommand('locklint.scanWorkspace', async () => {
      if (!client || client.state !== State.Running) {
        void vscode.window.showWarningMessage('locklint: the language server is not running (see the locklint output).');
        return;
      }
      await client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_SCAN_COMMAND, arguments: [] });
    }),
    vscode.commands.registerCommand('locklint.showOutput', () => output.show(true)),
    vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, explanations),
    vscode.commands.registerCommand('locklint.explain', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!client || client.state !== State.Running || !editor) return;
      const position = editor.selection.active;
      const result = await client.sendRequest(ExecuteCommandRequest.type, {
        command: SERVER_EXPLAIN_COMMAND,
        arguments: [editor.document.uri.toString(), { line: position.line, character: position.character }],
      });
      if (!result) void vscode.window.showInformationMessage('locklint: no finding at the cursor to explain.');
      else await showExplanation(result);
    }),
    vscode.commands.registerCommand('locklint.showLockGraph', async () => {
      if (!client || client.state !== State.Running) {
        void vscode.window.showWarningMessage('locklint: the language server is not running (see the locklint output).');
        return;
      }
      await showLockGraph(client);
    }),
    vscode.commands.registerCommand('locklint.restartServer', async () => {
      await client?.restart();
    }),
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped) showStatus(status, { state: 'error', findings: 0, files: 0, message: 'server stopped' });
    }),
  );

  // Registered before start so the first status is not lost; the client keeps it across restarts.
  context.subscriptions.push(client.onNotification(STATUS_NOTIFICATION, (params: StatusParams) => showStatus(status, params)));
  try {
    await client.start();
  } catch (err) {
    output.appendLine(`locklint: the server did not start: ${(err as Error)?.message ?? err}`);
    showStatus(status, { state: 'error', findings: 0, files: 0, message: 'server did not start' });
  }
}

class ExplanationStore implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
}

const explanations = new ExplanationStore();

async function showExplanation(result: unknown): Promise<void> {
  const r = result as { title?: unknown; markdown?: unknown } | null | undefined;
  if (!r || typeof r.markdown !== 'string') return;
  const name = (typeof r.title === 'string' ? r.title : 'finding').replace(/[^\w.:-]+/g, '-');
  const uri = vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: `/${name}.md` });
  explanations.set(uri, r.markdown);
  // The rendered preview when the Markdown extension is there, the text otherwise.
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  }
}

let graphPanel: vscode.WebviewPanel | undefined;

/** A webview of the server's graph page; clicking a class, an edge or a site opens the code. */
async function showLockGraph(languageClient: LanguageClient): Promise<void> {
  if (!graphPanel) {
    graphPanel = vscode.window.createWebviewPanel('locklint.lockGraph', 'Lock order graph', vscode.ViewColumn.Beside, { enableScripts: true });
    graphPanel.onDidDispose(() => { graphPanel = undefined; });
    graphPanel.webview.onDidReceiveMessage(async (m: { command?: string; file?: string; line?: number }) => {
      if (m.command !== 'open' || typeof m.file !== 'string') return;
      const line = Math.max(0, Number(m.line) || 0);
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(m.file));
      await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(line, 0, line, 0) });
    });
  }
  const nonce = Array.from({ length: 32 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 62)]).join('');
  const result = await languageClient.sendRequest(ExecuteCommandRequest.type, {
    command: SERVER_GRAPH_COMMAND,
    arguments: [{ nonce, cspSource: graphPanel.webview.cspSource }],
  }) as { html?: string } | null;
  graphPanel.webview.html = result?.html ?? '<p>locklint: no graph yet (the workspace has not been analysed).</p>';
  graphPanel.reveal();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

function showStatus(item: vscode.StatusBarItem, s: StatusParams): void {
  const count = `${s.findings} finding${s.findings === 1 ? '' : 's'} in ${s.files} file${s.files === 1 ? '' : 's'}`;
  switch (s.state) {
    case 'starting':
      item.text = '$(sync~spin) locklint';
      item.tooltip = 'locklint: starting';
      break;
    case 'scanning':
      item.text = `$(sync~spin) locklint ${s.percentage ?? 0}%`;
      item.tooltip = `locklint: scanning the workspace (${s.message ?? ''}), ${count} so far`;
      break;
    case 'error':
      item.text = '$(error) locklint';
      item.tooltip = `locklint: ${s.message ?? 'error'} (click for the log)`;
      break;
    default:
      item.text = s.findings > 0 ? `$(warning) locklint ${s.findings}` : '$(check) locklint';
      item.tooltip = `locklint: ${count}${s.message ? ` (${s.message})` : ''}`;
  }
}

/**
 * Restarts a crashed server, telling the user once per session (later restarts only go to the
 * output channel); gives up after too many crashes in a short time, as the default handler does.
 */
function restartingErrorHandler(output: vscode.OutputChannel): ErrorHandler {
  const crashes: number[] = [];
  let told = false;
  return {
    error(): ErrorHandlerResult {
      return { action: ErrorAction.Continue };
    },
    closed(): CloseHandlerResult {
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && now - crashes[0] > RESTART_WINDOW_MS) crashes.shift();
      if (crashes.length > MAX_RESTARTS) {
        return { action: CloseAction.DoNotRestart, message: `locklint: the server crashed ${crashes.length} times in 3 minutes and will not be restarted. See the locklint output; "locklint: Restart Server" tries again.` };
      }
      output.appendLine('locklint: the server stopped unexpectedly; restarting it');
      const first = !told;
      told = true;
      return { action: CloseAction.Restart, message: 'locklint: the server stopped unexpectedly and was restarted.', handled: !first };
    },
  };
}
