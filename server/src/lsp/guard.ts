// A handler that throws must not take the server down or leave a request unanswered: the error is
// logged to the client's console and the request gets a harmless default answer.
import type { Connection } from 'vscode-languageserver';

export type Logger = Pick<Connection['console'], 'error' | 'warn' | 'info' | 'log'>;

export function describeError(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export function guard<A extends unknown[], R>(
  log: Logger, name: string, fallback: R, handler: (...args: A) => R | Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (err) {
      log.error(`locklint: ${name} failed: ${describeError(err)}`);
      return fallback;
    }
  };
}
