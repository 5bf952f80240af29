// tsc writes files 0644; `npx locklint` runs the package's own bin directly when npm considers
// its install stale (after tests touched the workspace), so the CLI entry must be executable.
const fs = require('fs');
const path = require('path');

const bin = path.join(__dirname, '..', 'server', 'out', 'cli', 'main.js');
fs.chmodSync(bin, 0o755);
