// Runs a TypeScript entry point from source for process-level tests (no build step): swc compiles on
// the fly, and `./x.js` specifiers (as nodenext output and the generated OpenAPI metadata write them)
// resolve to `./x.ts` like in the jest moduleNameMapper.
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
