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
}

export interface CheckMeta {
  id: string;
  /** go/analysis style: a title line (lower case, no period), a blank line, then the explanation. */
  doc: string;
  defaultSeverity: Severity;
  /** Relative docs page, e.g. docs/checks/lock-order.md. */
  docPath: string;
}
