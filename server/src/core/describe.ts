// Small text helpers shared by checks: how sites and locks are named in messages.
import type { Span } from '../ir/types';
import type { CallStep, HeldLock } from './facts';

export function lockName(text: string): string {
  return `\`${text}\``;
}

export function lineOf(span: Span): number {
  return span.line + 1;
}

export function at(file: string, span: Span): string {
  return `${file}:${span.line + 1}`;
}

/** The call chain down to an operation; its last step is the operation itself, named already. */
export function viaText(via: readonly CallStep[] | undefined): string {
  if (!via || via.length < 2) return '';
  return ' via ' + via.slice(0, -1).map((s) => `${s.callee}()`).join(' → ');
}

export function heldList(held: readonly HeldLock[]): string {
  return held.map((h) => lockName(h.lock.text)).join(', ');
}

export function fingerprint(...parts: (string | number | undefined)[]): string {
  // FNV-1a over the parts: short, stable, and independent of line numbers by construction.
  let h = 0x811c9dc5;
  const s = parts.map((p) => String(p ?? '')).join('\u0000');
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
