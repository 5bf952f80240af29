// The locklint language server. Speaks LSP over stdio (`--stdio`), Node IPC (`--node-ipc`) or a
// socket (`--socket=N`), as chosen by the client: createConnection reads those from argv.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { describeError } from './guard';
import { LocklintSession, readVersion } from './session';

let running: LocklintSession | undefined;

/** Idempotent: in the bundle both entry checks below and in ../server.ts see one module as main. */
export function startServer(): LocklintSession {
  if (running) return running;
  const connection = createConnection(ProposedFeatures.all);
  // A bug in a timer or a promise nobody awaits must not kill the editor's server: log it and go on.
  process.on('uncaughtException', (err) => connection.console.error(`locklint: uncaught: ${describeError(err)}`));
  process.on('unhandledRejection', (err) => connection.console.error(`locklint: unhandled rejection: ${describeError(err)}`));
  const session = new LocklintSession(connection, readVersion());
  session.listen();
  running = session;
  return session;
}

if (require.main === module) startServer();
