// Stops a command run with a Node older than package.json's `engines.node` (the machine's own `node` may be
// v20) with a message saying which Node is needed and how to get it, instead of a TypeError deep in a
// dependency. Entry points load it first: `require('./require-node.cjs')` or `import '../scripts/require-node.cjs'`.
const { engines } = require('../package.json');
const need = /(\d+)\.(\d+)\.(\d+)/.exec(engines.node).slice(1).map(Number);
const have = process.versions.node.split('.').map(Number);
const at = need.findIndex((v, i) => have[i] !== v);
if (at >= 0 && have[at] < need[at]) {
  process.stderr.write(
    `This command needs Node ${engines.node} (this is Node ${process.versions.node}, ${process.execPath}).\n` +
      'The project installs its own Node 24 with `npm ci`: run the command through `npm run …` (npm puts\n' +
      'node_modules/.bin first on PATH), or as `node_modules/.bin/node <script>`, or switch with `nvm use` (.nvmrc).\n',
  );
  process.exit(1);
}
