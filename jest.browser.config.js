// Browser tests (test/browser/*.browser-spec.ts) in headless Chromium from Debian's `chromium` package:
// `npm run test:browser`. Same transform, module mapping and PostgreSQL global setup as jest.config.js;
// kept out of `npm test` so a machine without Chromium still passes it.
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.browser-spec\\.ts$',
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
};
