// The text of every configuration problem, in one table so wording stays consistent and the
// tests can refer to problems by code.
import type { ConfigProblemCode } from './types';

const quote = (s: string): string => JSON.stringify(s);
const list = (xs: readonly string[]): string => xs.join(', ');

export const MESSAGES = {
  syntax: (detail: string) => `invalid JSON: ${detail}`,
  duplicateKey: (key: string) => `duplicate key ${quote(key)}; the last one is used`,
  unknownKey: (key: string, suggestion: string | undefined, known: readonly string[]) =>
    suggestion !== undefined
      ? `unknown key ${quote(key)}; did you mean ${quote(suggestion)}?`
      : `unknown key ${quote(key)}; expected one of: ${list(known)}`,
  unknownCheck: (id: string, suggestion: string | undefined, known: readonly string[]) =>
    suggestion !== undefined
      ? `unknown check ${quote(id)}; did you mean ${quote(suggestion)}?`
      : `unknown check ${quote(id)}; known checks: ${list(known)}`,
  wrongType: (what: string, expected: string, got: string) => `${what} must be ${expected}, got ${got}`,
  badEnum: (what: string, value: string, allowed: readonly string[], suggestion: string | undefined) =>
    suggestion !== undefined
      ? `invalid ${what}: ${quote(value)}; did you mean ${quote(suggestion)}?`
      : `invalid ${what}: ${quote(value)}; expected one of: ${list(allowed)}`,
  missingKey: (key: string, what: string) => `${what} is missing the required key ${quote(key)}`,
  emptyName: (what: string) => `${what} must be a non-empty function name without spaces`,
  negatedGlob: (glob: string) => `exclude pattern ${quote(glob)}: negated patterns ("!...") are not supported`,
  emptyGlob: () => 'exclude pattern must not be empty',
  duplicateFunction: (name: string, where: string) => `${quote(name)} is already listed at ${where}; this entry is ignored`,
  lockAndBlocking: (name: string, where: string) =>
    `${quote(name)} is listed both as a lock function (${where}) and as a blocking function; the blocking entry is ignored`,
  tryWithoutTryAcquire: () => '"trySuccess" only applies together with "tryAcquire"',
} as const;

export type MessageCode = keyof typeof MESSAGES;

/** Which problem code a message belongs to (several messages share a code). */
export const CODE_OF: Record<MessageCode, ConfigProblemCode> = {
  syntax: 'syntax',
  duplicateKey: 'duplicate-key',
  unknownKey: 'unknown-key',
  unknownCheck: 'unknown-check',
  wrongType: 'wrong-type',
  badEnum: 'bad-enum',
  missingKey: 'missing-key',
  emptyName: 'bad-value',
  negatedGlob: 'bad-value',
  emptyGlob: 'bad-value',
  duplicateFunction: 'duplicate-function',
  lockAndBlocking: 'lock-and-blocking',
  tryWithoutTryAcquire: 'bad-value',
};
