// The documented entry point of the language server: `node server/out/server.js --stdio`.
// Also the entry of the bundled dist/server.js in the VSIX.
import { startServer } from './lsp/server';

startServer();
