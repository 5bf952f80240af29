// What a check reports. Language- and LSP-neutral; the CLI and the server render it.
import type { Span } from '../ir/types';

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedSite {
  file: string;
  span: Span;
  message: string;   // "`&b->lock` acquired here while holding `&a->lock`"
}

export interface Finding {
  check: string;          // check id: "lock-order"
  severity: Severity;
  message: string;        // one paragraph, names locks as written in the source
  file: string;
  span: Span;
  related: RelatedSite[];
  /** Multi-line lockdep-style story (threads side by side, chain, verdict); optional. */
  explanation?: string;
  /** Stable across unrelated edits: built from check id, function names and lock classes, never line numbers. */
  fingerprint: string;
  /** What quick fixes and the explanation view need beyond the text (server/src/fixes). Optional, never rendered. */
  hint?: FindingHint;
}

/** A lock as a hint names it: as written, its instance path inside the function, its class. */
export interface HintLock {
  text: string;
  path: string;
  cls?: string;
}

/** One thread of a lock-order cycle: holding `outer`, it waits for `inner`. */
export interface HintThread {
  fn: string;
  file: string;
  outer: HintLock & { span: Span; irq: string; via: boolean };
  inner: HintLock & { span: Span; irq: string; via: boolean; calls: { callee: string; file: string; span: Span }[] };
}

export type FindingHint =
  | { kind: 'leaked-lock'; lock: HintLock; acquire: Span; api: string; exitRet?: string; atEnd: boolean; heldAtExit: string[]; everyPathHolds: boolean }
  /** `here` is the index of the thread this finding sits on; `counts[i]` how many sites take thread i's order. */
  | { kind: 'lock-order'; threads: HintThread[]; here: number; counts: number[] };

export interface CheckMeta {
  id: string;
  /** go/analysis style: a title line (lower case, no period), a blank line, then the explanation. */
  doc: string;
  defaultSeverity: Severity;
  /** Relative docs page, e.g. docs/checks/lock-order.md. */
  docPath: string;
}
