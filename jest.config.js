// One jest run for unit tests (*.spec.ts beside the code) and e2e tests (test/**/*.e2e-spec.ts).
// test/setup/global-setup.ts picks PostgreSQL: TEST_DATABASE_URL, else testcontainers, else embedded.
const swc = JSON.parse(require('node:fs').readFileSync(`${__dirname}/.swcrc`, 'utf8'));

module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test', '<rootDir>/migrations'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  // Browser tests (test/browser/*.browser-spec.ts) need Chromium: `npm run test:browser` (jest.browser.config.js).
  testPathIgnorePatterns: ['/node_modules/', '\\.(browser|reliability)-spec\\.ts$'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleNameMapper: {
    '^@app/(config|common|persistence|migration)$': '<rootDir>/libs/$1/src',
    '^@app/(config|common|persistence|migration)/(.*)$': '<rootDir>/libs/$1/src/$2',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 60_000,
  slowTestThreshold: 20,
};
