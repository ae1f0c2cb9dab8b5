// The reliability suite (test/reliability/*.reliability-spec.ts): generated bad input, hostile payloads,
// concurrency, several API processes, database faults, PgBouncer. `npm run test:reliability`; CI runs it
// after installing Debian's pgbouncer. Same transform, module mapping and PostgreSQL global setup as jest.config.js.
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.reliability-spec\\.ts$',
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 300_000,
  maxWorkers: 1,
};
