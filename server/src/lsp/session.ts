// The language server's state: open documents, the engine, what was last published, the scan.
// Handlers stay thin: they record what changed and schedule work; the Engine does the analysis.
import * as fs from 'fs';
import * as path from 'path';
import {
  CancellationTokenSource,
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type ClientCapabilities,
  type Connection,
  type Diagnostic,
  type DidChangeWatchedFilesParams,
  type ExecuteCommandParams,
  type Hover,
  type InitializeParams,
  type InitializeResult,
  type Position,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { discoverFiles } from '../cli/discover';
import { readSource } from '../cli/read-source';
import { CHECK_IDS } from '../checks/index';
import { compileExclude, toApiEntries, type ConfigProblem } from '../config/index';
import type { Finding } from '../core/finding';
import { Engine, languageOfPath } from '../engine';
import type { FileProblem, Span } from '../ir/types';
import { createParser } from '../syntax/parser';
import type { Parser } from '../syntax/tree';
import { codeActionsFor, EXPLAIN_COMMAND, GRAPH_COMMAND, OPEN_DOCS_COMMAND, SCAN_COMMAND } from './actions';
import { explainMarkdown } from '../fixes/explain';
import { fixesFor, type Fix } from '../fixes/index';
import { buildGraphModel } from '../graph/model';
import { renderHtml } from '../graph/render';
import { configProblemToDiagnostic, diagnosticsByFile, docsUrl, SOURCE, spanToRange } from './diagnostics';
import { describeError, guard } from './guard';
import { CONFIG_FILE, DEFAULT_DEBOUNCE_MS, loadConfig, type LoadedConfig } from './settings';
import { isInside, normalizeUri, pathToUri, uriToPath } from './uri';

/** Custom notification the VS Code status bar (or any client) listens to. */
export const STATUS_NOTIFICATION = 'locklint/status';

export interface StatusParams {
  state: 'starting' | 'scanning' | 'ready' | 'error';
  /** Findings in the whole model, and files in it. */
  findings: number;
  files: number;
  /** While scanning: 0..100. */
  percentage?: number;
  message?: string;
}

export interface ScanResult {
  files: number;
  findings: number;
  cancelled: boolean;
}

/** How many files the scan reads between two yields to the event loop (keeps edits and cancel responsive). */
const FILES_PER_YIELD = 8;
/**
 * Quiet time before an open document whose incremental parse met syntax errors is re-parsed from
 * scratch (Engine.settle: a full parse, too slow for every keystroke): its diagnostics then are
 * exactly those of a fresh analysis, whatever tree-sitter's error recovery did incrementally.
 */
const SETTLE_AFTER_MS = 300;
const WATCHED_GLOBS = ['**/*.{c,h,go}', `**/${CONFIG_FILE}`];

interface ClientSupport {
  relatedInformation: boolean;
  configuration: boolean;
  watchedFilesRegistration: boolean;
  workspaceFolders: boolean;
  showDocument: boolean;
}

interface ProgressLike {
  token: CancellationToken;
  begin(title: string, percentage?: number, message?: string, cancellable?: boolean): void;
  report(percentage: number, message?: string): void;
  done(): void;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class LocklintSession {
  readonly documents = new TextDocuments(TextDocument);
  private support: ClientSupport = { relatedInformation: false, configuration: false, watchedFilesRegistration: false, workspaceFolders: false, showDocument: false };
  private folders: string[] = [];
  /** `locklint.*` as last received (initializationOptions or didChangeConfiguration), for clients without workspace/configuration. */
  private pushedSettings: unknown = {};
  private parser?: Parser;
  private engine?: Engine;
  private loaded?: LoadedConfig;
  private isExcludedRel: (rel: string) => boolean = () => false;
  /** Bumped by every reconfiguration; async work started under an older one stops. */
  private generation = 0;
  private configRequests = 0;

  /** Closed files the model holds from disk (scan, watched files, closed documents). */
  private readonly diskFiles = new Set<string>();
  private readonly fileProblems = new Map<string, FileProblem[]>();
  private findingsByFile = new Map<string, Finding[]>();
  private findingCount = 0;
  /** Normalised URI -> JSON of the diagnostics last published for it: only changes are re-sent. */
  private readonly published = new Map<string, string>();
  /** Path -> the URI spelling the client used, so diagnostics land on the document it has open. */
  private readonly clientUris = new Map<string, string>();
  /** Open documents changed since the last analysis (URIs). */
  private readonly dirty = new Set<string>();
  private timer?: NodeJS.Timeout;
  private settleTimer?: NodeJS.Timeout;
  /** Bumped by every schedule(); a timer that finds it already analysed has nothing to do. */
  private changes = 0;
  private analysedChanges = -1;
  private debounceMs = DEFAULT_DEBOUNCE_MS;
  private scan?: CancellationTokenSource;
  private scannedOnce = false;
  private shuttingDown = false;

  constructor(private readonly connection: Connection, private readonly version: string) {}

  // -------------------------------------------------------------------------------------------
  // Wiring

  listen(): void {
    const c = this.connection;
    const log = c.console;
    c.onInitialize((params) => this.initialize(params));
    c.onInitialized(guard(log, 'initialized', undefined, () => this.initialized()));
    c.onShutdown(() => {
      this.shuttingDown = true;
      this.scan?.cancel();
      if (this.timer) clearTimeout(this.timer);
      if (this.settleTimer) clearTimeout(this.settleTimer);
      this.engine?.dispose();
    });
    c.onDidChangeConfiguration(guard(log, 'didChangeConfiguration', undefined, (params) => {
      const settings = (params.settings as Record<string, unknown> | null | undefined)?.locklint;
      if (settings !== undefined) this.pushedSettings = settings;
      return this.configure(false);
    }));
    c.onDidChangeWatchedFiles(guard(log, 'didChangeWatchedFiles', undefined, (params) => this.watchedFilesChanged(params)));
    c.onCodeAction(guard(log, 'codeAction', [], (params) => {
      const document = this.documents.get(params.textDocument.uri);
      return document ? codeActionsFor(document, params.context.diagnostics, new Set(CHECK_IDS), (d) => {
        const finding = this.findingFor(document.uri, d);
        return finding ? { fixes: this.fixesOf(finding, document), fingerprint: finding.fingerprint } : undefined;
      }) : [];
    }));
    c.onHover(guard(log, 'hover', null, (params) => this.hover(params.textDocument.uri, params.position)));
    c.onExecuteCommand(guard(log, 'executeCommand', null, (params, token) => this.executeCommand(params, token)));

    this.documents.onDidOpen(guard(log, 'didOpen', undefined, (e) => this.documentChanged(e.document, 0)));
    this.documents.onDidChangeContent(guard(log, 'didChange', undefined, (e) => this.documentChanged(e.document, this.debounceMs)));
    this.documents.onDidClose(guard(log, 'didClose', undefined, (e) => this.documentClosed(e.document)));
    this.documents.listen(c);
    c.listen();
  }

  private initialize(params: InitializeParams): InitializeResult {
    const caps: ClientCapabilities = params.capabilities ?? {};
    this.support = {
      relatedInformation: caps.textDocument?.publishDiagnostics?.relatedInformation === true,
      configuration: caps.workspace?.configuration === true,
      watchedFilesRegistration: caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      workspaceFolders: caps.workspace?.workspaceFolders === true,
      showDocument: caps.window?.showDocument?.support === true,
    };
    const folderUris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    this.folders = folderUris.map(uriToPath).filter((p): p is string => p !== undefined);
    if (this.folders.length === 0 && params.rootPath) this.folders = [path.resolve(params.rootPath)];
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    if (init && typeof init === 'object' && init.settings !== undefined) this.pushedSettings = init.settings;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        hoverProvider: true,
        executeCommandProvider: { commands: [SCAN_COMMAND, OPEN_DOCS_COMMAND, EXPLAIN_COMMAND, GRAPH_COMMAND] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'locklint', version: this.version },
    };
  }

  private async initialized(): Promise<void> {
    if (this.support.watchedFilesRegistration) {
      // Keeps closed files' on-disk changes in the model (git checkout, edits in another tool).
      await this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: WATCHED_GLOBS.map((globPattern) => ({ globPattern })),
      }).catch((err) => this.connection.console.warn(`locklint: could not watch files: ${describeError(err)}`));
    }
    if (this.support.workspaceFolders) {
      this.connection.workspace.onDidChangeWorkspaceFolders(guard(this.connection.console, 'didChangeWorkspaceFolders', undefined, (e) => {
        const removed = new Set(e.removed.map((f) => uriToPath(f.uri)));
        const added = e.added.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
        this.folders = [...this.folders.filter((f) => !removed.has(f)), ...added];
        return this.configure();
      }));
    }
    await this.configure();
  }

  // -------------------------------------------------------------------------------------------
  // Configuration: a new configuration means a new Engine (API tables and severities are fixed
  // at creation), refilled from the open documents and the files already known from disk.

  private async fetchSettings(): Promise<unknown> {
    if (!this.support.configuration) return this.pushedSettings;
    try {
      const pulled = await this.connection.workspace.getConfiguration('locklint');
      return pulled ?? this.pushedSettings;
    } catch (err) {
      this.connection.console.warn(`locklint: workspace/configuration failed, using the last known settings: ${describeError(err)}`);
      return this.pushedSettings;
    }
  }

  /** `force` false: skip the rebuild (and rescan) when nothing the analysis sees has changed (e.g. only trace.server). */
  private async configure(force = true): Promise<void> {
    const request = ++this.configRequests;
    const settings = await this.fetchSettings();
    if (request !== this.configRequests) return; // a newer call reads newer settings
    const loaded = loadConfig(settings, this.folders);
    if (!force && this.loaded && this.engine && sameAnalysisInputs(this.loaded, loaded)) {
      this.loaded = loaded;
      this.debounceMs = loaded.server.debounceMs;
      return;
    }
    const generation = ++this.generation;
    this.scan?.cancel();
    this.status({ state: 'starting', message: 'loading configuration' });
    try {
      this.parser ??= await createParser('wasm');
    } catch (err) {
      this.connection.console.error(`locklint: cannot load the tree-sitter grammars: ${describeError(err)}`);
      this.status({ state: 'error', message: 'cannot load the tree-sitter grammars (see the log)' });
      return;
    }
    const engine = await Engine.create({
      parser: this.parser,
      extraApi: toApiEntries(loaded.config),
      severities: loaded.config.checks,
      reportSameClassNesting: loaded.config.reportSameClassNesting,
      maxFileSize: loaded.config.maxFileSize,
      contexts: loaded.config.contexts,
    });
    if (generation !== this.generation || this.shuttingDown) return; // a newer configuration won
    const previous = this.loaded;
    this.engine?.dispose(); // its syntax trees live in WASM memory, which no garbage collector frees
    this.engine = engine;
    this.loaded = loaded;
    this.debounceMs = loaded.server.debounceMs;
    this.isExcludedRel = compileExclude(loaded.config.exclude);
    this.fileProblems.clear();
    this.publishConfigProblems(loaded, previous);

    for (const document of this.documents.all()) this.dirty.add(document.uri);
    // With an empty model, open documents get their diagnostics at once. Otherwise the files known
    // from disk are re-read first, so their diagnostics do not vanish and come back.
    if (this.diskFiles.size === 0) this.flush();
    if (loaded.server.scanOnStartup || this.scannedOnce) {
      void this.scanWorkspace();
    } else if (this.diskFiles.size > 0) {
      void this.scanFiles([...this.diskFiles], 'locklint: re-reading files', false);
    }
  }

  private publishConfigProblems(loaded: LoadedConfig, previous: LoadedConfig | undefined): void {
    for (const p of loaded.settingsProblems) this.connection.console.warn(`locklint: settings: ${p.message}${p.key ? ` (locklint.${p.key.slice(1).replace(/\//g, '.')})` : ''}`);
    const files = new Map<string, ConfigProblem[]>(loaded.fileProblems);
    // A file fixed or deleted since last time must lose its diagnostics.
    for (const file of previous?.fileProblems.keys() ?? []) if (!files.has(file)) files.set(file, []);
    for (const [file, problems] of files) {
      this.publish(this.uriFor(file), problems.map(configProblemToDiagnostic), undefined, true);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Documents

  private documentChanged(document: TextDocument, delayMs: number): void {
    const file = uriToPath(document.uri);
    if (!file || !languageOfPath(file)) return;
    this.clientUris.set(file, document.uri);
    this.dirty.add(document.uri);
    this.schedule(delayMs);
  }

  private documentClosed(document: TextDocument): void {
    this.dirty.delete(document.uri);
    const file = uriToPath(document.uri);
    if (!file || !languageOfPath(file) || !this.engine) return;
    // The buffer is gone; what stays in the model is the file as it is on disk, if it belongs to the workspace.
    const keep = (this.scannedOnce || this.diskFiles.has(file)) && this.folderOf(file) !== undefined && !this.isExcluded(file);
    if (!keep || !this.readFromDisk(file)) this.forget(file);
    this.schedule(this.debounceMs);
  }

  private schedule(delayMs: number): void {
    this.changes++;
    if (this.timer) clearTimeout(this.timer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // One turn of the event loop first: the connection dispatches one queued message per turn,
      // and an edit already received makes this run stale before it starts. It is folded in instead.
      setImmediate(() => {
        if (this.timer || this.analysedChanges === this.changes) return; // rescheduled, or done already
        this.guarded('analysis', () => this.flush());
      });
    }, delayMs);
  }

  private guarded(what: string, run: () => void): void {
    try {
      run();
    } catch (err) {
      this.connection.console.error(`locklint: ${what} failed: ${describeError(err)}`);
      this.status({ state: 'error', message: `${what} failed (see the log)` });
    }
  }

  /** Once typing pauses, provisional incremental trees are re-parsed from scratch and re-published if that changed anything. */
  private scheduleSettle(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    if (!this.engine?.unsettled) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      const engine = this.engine;
      if (!engine || this.shuttingDown || this.dirty.size > 0 || this.timer) return; // newer edits will come back here
      this.guarded('analysis', () => {
        const analysed = new Map<string, number>();
        for (const file of engine.settle()) {
          this.fileProblems.set(file, engine.getEntry(file)?.ir.problems ?? []);
          const document = this.openDocument(file);
          if (document) analysed.set(normalizeUri(document.uri), document.version);
        }
        // Usually the same diagnostics as already published for these versions: then nothing is sent.
        if (analysed.size > 0) this.analyzeAndPublish(analysed, false);
      });
    }, SETTLE_AFTER_MS);
  }

  /** Feeds changed open documents to the engine, analyses, publishes what changed. */
  private flush(): void {
    const engine = this.engine;
    if (!engine || this.shuttingDown) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.analysedChanges = this.changes;
    const analysed = new Map<string, number>(); // normalised URI -> version analysed
    for (const uri of this.dirty) {
      const document = this.documents.get(uri);
      const file = uriToPath(uri);
      if (!document || !file) continue;
      if (this.isExcluded(file)) {
        this.forget(file);
      } else {
        try {
          // Open documents keep their syntax tree: the next edit re-parses and re-lowers only what changed.
          this.fileProblems.set(file, engine.setFile(file, document.getText(), { incremental: true }));
          this.diskFiles.delete(file);
        } catch (err) {
          // One document the engine cannot take (a client sent no string) must not stop the rest.
          this.connection.console.error(`locklint: ${file}: cannot analyse this document: ${describeError(err)}`);
          this.forget(file);
        }
      }
      analysed.set(normalizeUri(uri), document.version);
    }
    this.dirty.clear();
    this.analyzeAndPublish(analysed);
    this.scheduleSettle();
  }

  /**
   * Publishes diagnostics for the documents just analysed (always, with their version) and for
   * every other file whose diagnostics changed: a cross-file cycle appears or vanishes in a file
   * nobody touched.
   */
  private analyzeAndPublish(analysed: ReadonlyMap<string, number>, forceAnalysed = true): void {
    const engine = this.engine;
    if (!engine) return;
    const result = engine.analyze();
    for (const p of result.problems) this.connection.console.error(`locklint: ${p.file ? `${p.file}: ` : ''}${p.message}`);
    const byFile = diagnosticsByFile(engine.filePaths, result.findings, this.fileProblems, {
      relatedInformation: this.support.relatedInformation,
      toUri: (file) => this.uriFor(file),
    });
    this.findingsByFile = new Map();
    for (const f of result.findings) {
      const list = this.findingsByFile.get(f.file) ?? [];
      list.push(f);
      this.findingsByFile.set(f.file, list);
    }
    this.findingCount = result.findings.length;

    const seen = new Set<string>();
    for (const [file, diagnostics] of byFile) {
      const uri = this.uriFor(file);
      const key = normalizeUri(uri);
      seen.add(key);
      const document = this.documents.get(uri);
      // A document edited after this analysis started gets its own, newer result: skip this one.
      if (document && this.dirty.has(document.uri)) continue;
      const version = analysed.get(key);
      if (version !== undefined && document && document.version !== version) continue;
      this.publish(uri, diagnostics, document?.version, forceAnalysed && version !== undefined);
    }
    for (const key of [...this.published.keys()]) {
      if (seen.has(key) || this.isConfigUri(key)) continue;
      this.publish(key, [], undefined, false); // the file left the model: clear what it showed
      this.published.delete(key);
    }
    this.status({ state: this.scan ? 'scanning' : 'ready' });
  }

  private publish(uri: string, diagnostics: Diagnostic[], version: number | undefined, force: boolean): void {
    const key = normalizeUri(uri);
    const json = JSON.stringify(diagnostics);
    if (!force && (this.published.get(key) ?? '[]') === json) return;
    this.published.set(key, json);
    void this.connection.sendDiagnostics({ uri, version, diagnostics }).catch(() => { /* connection closing */ });
  }

  private isConfigUri(key: string): boolean {
    return path.basename(uriToPath(key) ?? '') === CONFIG_FILE;
  }

  // -------------------------------------------------------------------------------------------
  // Files on disk

  private async watchedFilesChanged(params: DidChangeWatchedFilesParams): Promise<void> {
    if (!this.engine) return;
    let configChanged = false;
    for (const change of params.changes) {
      const file = uriToPath(change.uri);
      if (!file) continue;
      if (path.basename(file) === CONFIG_FILE) {
        configChanged = true;
        continue;
      }
      if (this.openDocument(file)) continue; // the editor's buffer wins over the disk
      if (change.type === FileChangeType.Deleted) {
        // A deleted directory arrives as one event for the directory.
        for (const known of [...this.diskFiles]) if (known === file || isInside(known, file)) this.forget(known);
        continue;
      }
      if (!languageOfPath(file) || this.folderOf(file) === undefined || this.isExcluded(file)) continue;
      if (!this.readFromDisk(file)) this.forget(file);
    }
    if (configChanged) await this.configure();
    else this.schedule(this.debounceMs);
  }

  /** Reads a closed file into the model; false if it cannot be analysed (gone, binary, too big). */
  private readFromDisk(file: string): boolean {
    const engine = this.engine;
    if (!engine || !this.loaded) return false;
    const read = readSource(file, this.loaded.config.maxFileSize);
    if ('skipped' in read) {
      this.connection.console.log(`locklint: ${file}: ${read.skipped}`);
      return false;
    }
    this.fileProblems.set(file, engine.setFile(file, read.text));
    this.diskFiles.add(file);
    return true;
  }

  private forget(file: string): void {
    this.engine?.removeFile(file);
    this.fileProblems.delete(file);
    this.diskFiles.delete(file);
  }

  // -------------------------------------------------------------------------------------------
  // Workspace scan

  async scanWorkspace(): Promise<ScanResult> {
    const engine = this.engine;
    if (!engine || !this.loaded) return { files: 0, findings: 0, cancelled: true };
    const files: string[] = [];
    for (const folder of this.folders) {
      const found = discoverFiles([folder], folder, (rel) => this.isExcludedRel(rel));
      for (const w of found.warnings) this.connection.console.log(`locklint: ${w}`);
      files.push(...found.files.map((f) => f.absolute));
    }
    const result = await this.scanFiles(files, 'locklint: scanning workspace', true);
    if (!result.cancelled) this.scannedOnce = true;
    return result;
  }

  /**
   * Reads closed files into the model with cancellable progress, yielding every few files, then
   * analyses once. `prune`: the list is the whole workspace, so known files missing from it (deleted
   * while nobody watched, newly excluded) leave the model.
   */
  private async scanFiles(files: readonly string[], title: string, prune: boolean): Promise<ScanResult> {
    this.scan?.cancel();
    const source = new CancellationTokenSource();
    this.scan = source;
    const generation = this.generation;
    const progress = await this.createProgress();
    const onCancel = progress.token.onCancellationRequested(() => source.cancel());
    let done = 0;
    try {
      progress.begin(title, 0, `0/${files.length} files`, true);
      this.status({ state: 'scanning', percentage: 0, message: `0/${files.length} files` });
      for (const file of files) {
        if (source.token.isCancellationRequested || generation !== this.generation || this.shuttingDown) break;
        if (!this.openDocument(file) && !this.readFromDisk(file)) this.forget(file);
        done++;
        if (done % FILES_PER_YIELD === 0) {
          const percentage = Math.floor((done / files.length) * 100);
          progress.report(percentage, `${done}/${files.length} files`);
          this.status({ state: 'scanning', percentage, message: `${done}/${files.length} files` });
          await yieldToEventLoop();
        }
      }
    } finally {
      onCancel.dispose();
      progress.done();
      if (this.scan === source) this.scan = undefined;
    }
    const cancelled = done < files.length;
    if (generation !== this.generation || this.shuttingDown) return { files: done, findings: this.findingCount, cancelled: true };
    if (!cancelled && prune) {
      const present = new Set(files);
      for (const known of [...this.diskFiles]) if (!present.has(known)) this.forget(known);
    }
    // Even a cancelled scan publishes what it read: partial results beat none.
    this.flush();
    if (cancelled) this.status({ state: 'ready', message: `scan cancelled after ${done}/${files.length} files` });
    return { files: done, findings: this.findingCount, cancelled };
  }

  private async createProgress(): Promise<ProgressLike> {
    try {
      // A no-op reporter when the client lacks window.workDoneProgress.
      return await this.connection.window.createWorkDoneProgress();
    } catch (err) {
      this.connection.console.warn(`locklint: no progress reporting: ${describeError(err)}`);
      const none = new CancellationTokenSource();
      return { token: none.token, begin() {}, report() {}, done() {} };
    }
  }

  // -------------------------------------------------------------------------------------------
  // Requests

  private hover(uri: string, position: Position): Hover | null {
    const file = uriToPath(uri);
    if (!file || !this.documents.get(uri)) return null;
    const hits = (this.findingsByFile.get(file) ?? []).filter((f) => f.explanation && contains(f.span, position));
    const parts = hits.map((f) => `**locklint ${f.check}** ([docs](${docsUrl(f.check)}))\n\n\`\`\`text\n${f.explanation}\n\`\`\``);
    const info = this.engine?.lockInfoAt(file, position.line, position.character);
    if (info) parts.push(this.lockInfoMarkdown(info));
    if (parts.length === 0) return null;
    return { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') }, range: spanToRange(hits[0]?.span ?? info!.at) };
  }

  /** Hover on a lock expression: its class, where it is taken, what is held, its neighbours in the order graph. */
  private lockInfoMarkdown(info: NonNullable<ReturnType<Engine['lockInfoAt']>>): string {
    const link = (file: string, line: number) => `[${path.basename(file)}:${line + 1}](${this.uriFor(file)}#L${line + 1})`;
    const lines: string[] = [];
    lines.push(`**lock \`${info.text}\`**${info.cls ? ` — class \`${info.cls}\`` : ' — a local lock (no workspace class)'}${info.kind ? ` (${info.kind})` : ''}`);
    if (info.cls) {
      const first = info.acquireSites.slice(0, 3).map((s) => `${link(s.file, s.span.line)} in \`${s.fn}()\``).join(', ');
      lines.push(`- acquired at ${info.acquireSites.length} site${info.acquireSites.length === 1 ? '' : 's'} in the workspace${first ? `: ${first}${info.acquireSites.length > 3 ? ', …' : ''}` : ''}`);
    }
    if (info.heldHere) lines.push(`- held here: ${info.heldHere.length === 0 ? 'nothing else' : info.heldHere.map((h) => `\`${h.text}\` (line ${h.line + 1})`).join(', ')}`);
    const neighbours = (list: typeof info.before) => list.slice(0, 5).map((n) => `\`${n.cls}\` (${n.sites}, e.g. ${link(n.example.file, n.example.span.line)})`).join(', ') + (list.length > 5 ? ', …' : '');
    if (info.before.length > 0) lines.push(`- ordered after (held while this is taken): ${neighbours(info.before)}`);
    if (info.after.length > 0) lines.push(`- ordered before (taken while this is held): ${neighbours(info.after)}`);
    if (info.cycleWith.length > 0) lines.push(`- **on a lock-order cycle with** ${info.cycleWith.map((c) => `\`${c}\``).join(', ')}`);
    return lines.join('\n');
  }

  /** The finding a diagnostic the client sent back stands for: by fingerprint, else by check and range. */
  private findingFor(uri: string, diagnostic: Diagnostic): Finding | undefined {
    const file = uriToPath(uri);
    if (!file) return undefined;
    const data = diagnostic.data as { fingerprint?: unknown } | undefined;
    const list = this.findingsByFile.get(file) ?? [];
    const start = diagnostic.range.start;
    return list.find((f) => f.check === diagnostic.code && f.span.line === start.line && f.span.col === start.character && (typeof data?.fingerprint !== 'string' || data.fingerprint === f.fingerprint))
      ?? list.find((f) => typeof data?.fingerprint === 'string' && f.fingerprint === data.fingerprint && f.check === diagnostic.code);
  }

  private fixesOf(finding: Finding, document: TextDocument): Fix[] {
    const file = uriToPath(document.uri);
    const entry = file ? this.engine?.getEntry(file) : undefined;
    // Fixes are computed against the text the finding came from; an edited document waits for re-analysis.
    if (!entry || !this.engine || this.dirty.has(document.uri)) return [];
    return fixesFor({ finding, text: document.getText(), ir: entry.ir, api: this.engine.apiIndex });
  }

  /** `locklint.server.explain` (uri, fingerprint) or (uri, position): a Markdown report of the finding. */
  private explain(args: unknown[] | undefined): { title: string; markdown: string } | null {
    const [uri, which] = args ?? [];
    if (typeof uri !== 'string') return null;
    const file = uriToPath(uri);
    if (!file) return null;
    const list = this.findingsByFile.get(file) ?? [];
    const finding = typeof which === 'string'
      ? list.find((f) => f.fingerprint === which)
      : which && typeof which === 'object' ? list.find((f) => contains(f.span, which as Position)) ?? list.find((f) => f.span.line === (which as Position).line) : undefined;
    if (!finding) return null;
    const document = this.documents.get(uri);
    const fixes = document ? this.fixesOf(finding, document) : [];
    const folder = this.folderOf(file);
    const show = (f: string) => (folder && isInside(f, folder) ? path.relative(folder, f).split(path.sep).join('/') : f);
    const markdown = explainMarkdown(finding, fixes, (f, span) => `${this.uriFor(f)}#L${span.line + 1}`, show);
    return { title: `locklint ${finding.check} at ${path.basename(file)}:${finding.span.line + 1}`, markdown };
  }

  /** `locklint.server.lockGraph`: the workspace's lock order graph as a self-contained HTML page. */
  private lockGraph(args: unknown[] | undefined): { html: string; nodes: number; edges: number; cycles: number } | null {
    const engine = this.engine;
    if (!engine) return null;
    const options = (args?.[0] ?? {}) as { full?: unknown; nonce?: unknown; cspSource?: unknown };
    const model = buildGraphModel(engine.functionFacts, { sameClassNesting: this.loaded?.config.reportSameClassNesting ?? false, full: options.full === true });
    const folder = this.folders[0];
    const show = (f: string) => (folder && isInside(f, folder) ? path.relative(folder, f).split(path.sep).join('/') : f);
    const html = renderHtml(model, {
      displayPath: show,
      nonce: typeof options.nonce === 'string' ? options.nonce : undefined,
      cspSource: typeof options.cspSource === 'string' ? options.cspSource : undefined,
    });
    return { html, nodes: model.nodes.length, edges: model.edges.length, cycles: model.cycles.length };
  }

  private async executeCommand(params: ExecuteCommandParams, token: CancellationToken): Promise<unknown> {
    switch (params.command) {
      case SCAN_COMMAND: {
        const scanning = this.scanWorkspace();
        // Cancelling the request cancels the scan, like cancelling its progress.
        const sub = token.onCancellationRequested(() => this.scan?.cancel());
        try {
          return await scanning;
        } finally {
          sub.dispose();
        }
      }
      case OPEN_DOCS_COMMAND: {
        const url = params.arguments?.[0];
        // Only our own docs pages: a command argument must not open arbitrary URIs.
        if (typeof url !== 'string' || !/^https:\/\/github\.com\/locklint\/locklint\/blob\/main\/docs\/checks\/[a-z0-9-]+\.md$/.test(url)) return null;
        if (this.support.showDocument) {
          await this.connection.window.showDocument({ uri: url, external: true });
        } else {
          this.connection.window.showInformationMessage(`locklint documentation: ${url}`);
        }
        return null;
      }
      case EXPLAIN_COMMAND:
        return this.explain(params.arguments);
      case GRAPH_COMMAND:
        return this.lockGraph(params.arguments);
      default:
        return null;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  private status(update: Omit<StatusParams, 'findings' | 'files'>): void {
    const params: StatusParams = { ...update, findings: this.findingCount, files: this.engine?.filePaths.length ?? 0 };
    void this.connection.sendNotification(STATUS_NOTIFICATION, params).catch(() => { /* connection closing */ });
  }

  private uriFor(file: string): string {
    return this.clientUris.get(file) ?? pathToUri(file);
  }

  private openDocument(file: string): TextDocument | undefined {
    const uri = this.clientUris.get(file);
    return uri ? this.documents.get(uri) : undefined;
  }

  private folderOf(file: string): string | undefined {
    return this.folders.find((folder) => isInside(file, folder));
  }

  /** Exclude globs are relative to the workspace folder that holds the file; files outside every folder are never excluded. */
  private isExcluded(file: string): boolean {
    const folder = this.folderOf(file);
    if (!folder) return false;
    return this.isExcludedRel(path.relative(folder, file).split(path.sep).join('/'));
  }
}

function sameAnalysisInputs(a: LoadedConfig, b: LoadedConfig): boolean {
  return JSON.stringify(a.config) === JSON.stringify(b.config) && a.server.scanOnStartup === b.server.scanOnStartup;
}

function contains(span: Span, p: Position): boolean {
  const afterStart = p.line > span.line || (p.line === span.line && p.character >= span.col);
  const beforeEnd = p.line < span.endLine || (p.line === span.endLine && p.character <= span.endCol);
  return afterStart && beforeEnd;
}

export function readVersion(from: string = __dirname): string {
  // Repository (server/out/lsp), bundle (dist/): the root package.json is two or one levels up.
  for (const rel of ['../../../package.json', '../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(from, rel), 'utf8'));
      if (pkg.name === 'locklint' && typeof pkg.version === 'string') return pkg.version;
    } catch { /* try the next layout */ }
  }
  return '0.0.0';
}
