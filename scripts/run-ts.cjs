// Runs a TypeScript entry point from source, no build step: `npm start` and `npm run migrate` use it
// (docs/operations.md, "Start-up"), and so do the process-level tests. swc compiles each file as it is
// loaded (cached in the temp folder by @swc-node/register); `./x.js` specifiers (as nodenext output and the
// generated OpenAPI metadata write them) resolve to `./x.ts` like in the jest moduleNameMapper.
require('./require-node.cjs');
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  try {
    return resolve.call(this, request, ...rest);
  } catch (err) {
    if (request.startsWith('.') && request.endsWith('.js')) return resolve.call(this, request.slice(0, -3), ...rest);
    throw err;
  }
};
require('@swc-node/register');
const entry = require('node:path').resolve(process.argv[2]);
// the entry point sees the arguments it would see when run directly: [node, entry, ...args]
process.argv.splice(1, 1);
require(entry);
