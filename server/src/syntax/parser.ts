// Loads a tree-sitter backend. WASM (web-tree-sitter) works in every editor host; the native
// binding is faster to load and to parse but is optional: it is used only where it loads.
import * as fs from 'fs';
import * as path from 'path';
import type { Language, Parser, Point, SyntaxTree } from './tree';
import { nativeBindingOf, NativeLanguageInfo, nativeRoot } from './native-node';

/**
 * One text change as tree-sitter's `Tree.edit` takes it. Indices and columns count UTF-16 code
 * units, like JavaScript strings and LSP positions: web-tree-sitter parses strings as UTF-16.
 */
export interface TreeEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  newEndPosition: Point;
}

/** A span of text, in the new text's UTF-16 offsets. */
export interface TextRange {
  startIndex: number;
  endIndex: number;
}

/** A parser that can reuse the unchanged parts of a previous tree (the language server's, per open document). */
export interface IncrementalParser extends Parser {
  /**
   * Parses `text`, which is `old`'s text with `edit` applied. Takes ownership of `old`: it is
   * freed. Sets `report.changed` to the ranges whose syntactic structure differs from `old`'s
   * when it knows them (a wrapper that parsed from scratch leaves it undefined).
   */
  reparse(language: Language, text: string, old: SyntaxTree, edit: TreeEdit, report?: { changed?: TextRange[] }): SyntaxTree;
}

export function isIncremental(parser: Parser): parser is IncrementalParser {
  return typeof (parser as Partial<IncrementalParser>).reparse === 'function';
}

/** Trees the WASM parser made from scratch. */
const fromScratch = new WeakSet<object>();

/** Whether the WASM parser made `tree` from scratch (through any wrapper that hands its trees on). */
export function parsedFromScratch(tree: SyntaxTree): boolean {
  return fromScratch.has(tree);
}

/** grammars/ sits at the package root in the repository and next to the bundle in the VSIX. */
export function findGrammarDir(start: string = __dirname): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'grammars');
    if (fs.existsSync(path.join(candidate, 'tree-sitter-c.wasm'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`locklint: grammars/ with tree-sitter-c.wasm not found above ${start}; run "npm run build"`);
}

export async function createWasmParser(grammarDir = findGrammarDir()): Promise<Parser> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const wts = require('web-tree-sitter') as typeof import('web-tree-sitter');
  const runtime = path.join(grammarDir, 'web-tree-sitter.wasm');
  await wts.Parser.init(fs.existsSync(runtime) ? { locateFile: () => runtime } : undefined);
  const langs: Record<Language, import('web-tree-sitter').Language> = {
    c: await wts.Language.load(path.join(grammarDir, 'tree-sitter-c.wasm')),
    go: await wts.Language.load(path.join(grammarDir, 'tree-sitter-go.wasm')),
  };
  const parsers: Record<Language, import('web-tree-sitter').Parser> = {
    c: new wts.Parser(),
    go: new wts.Parser(),
  };
  parsers.c.setLanguage(langs.c);
  parsers.go.setLanguage(langs.go);
  const parser: IncrementalParser = {
    backend: 'wasm',
    parse(language, text) {
      const tree = parsers[language].parse(text);
      if (!tree) throw new Error(`tree-sitter (wasm) returned no tree for a ${language} file`);
      fromScratch.add(tree);
      return tree as unknown as SyntaxTree;
    },
    reparse(language, text, old, edit, report) {
      const previous = old as unknown as import('web-tree-sitter').Tree;
      try {
        previous.edit(edit);
        const tree = parsers[language].parse(text, previous);
        if (!tree) throw new Error(`tree-sitter (wasm) returned no tree for a ${language} file`);
        if (report) report.changed = previous.getChangedRanges(tree).map((r) => ({ startIndex: r.startIndex, endIndex: r.endIndex }));
        return tree as unknown as SyntaxTree;
      } finally {
        // WASM memory is not garbage collected: a tree kept per keystroke would grow the heap for good.
        previous.delete();
      }
    },
  };
  return parser;
}

/** Returns undefined when the native binding or a native grammar cannot be loaded here. */
export function createNativeParser(): Parser | undefined {
  try {
    const TreeSitter = require('tree-sitter');
    const langs: Record<Language, unknown> = { c: require('tree-sitter-c'), go: require('tree-sitter-go') };
    const parsers: Record<Language, any> = { c: new TreeSitter(), go: new TreeSitter() };
    parsers.c.setLanguage(langs.c);
    parsers.go.setLanguage(langs.go);
    // Lean nodes (native-node.ts) when the binding's internals are the ones it knows; else the binding's own.
    const binding = nativeBindingOf(path.dirname(require.resolve('tree-sitter/package.json')));
    const infos = binding ? { c: new NativeLanguageInfo(binding, langs.c, true), go: new NativeLanguageInfo(binding, langs.go, false) } : undefined;
    return {
      backend: 'native',
      parse(language, text) {
        // The native binding reads large strings through a callback with a 32 KiB default chunk;
        // a bigger buffer avoids thousands of JS<->C++ round trips on big files.
        const tree = parsers[language].parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length + 1) });
        const rootNode = binding && infos ? nativeRoot(binding, infos[language], tree, tree.rootNode, text) : tree.rootNode;
        return { rootNode, delete() { /* native trees are garbage collected */ } };
      },
    };
  } catch {
    return undefined;
  }
}

export type ParserChoice = 'auto' | 'wasm' | 'native';

/**
 * 'auto' is WASM: the native binding parses ~15% faster, but every node access crosses into C++
 * and allocates (1.5–3 µs against ~0.1 µs in WASM), and lowering reads many nodes: on kernel/ a
 * native scan took 6.3 s to parse + 21 s to lower, a WASM scan 9.4 s + 9.2 s. Native stays
 * available (`--parser native`) and gives identical findings (test/parsers.test.js).
 */
export async function createParser(choice: ParserChoice = 'auto'): Promise<Parser> {
  if (choice === 'native') {
    const native = createNativeParser();
    if (native) return native;
    throw new Error('locklint: the native tree-sitter binding is not installed or failed to load');
  }
  return createWasmParser();
}
