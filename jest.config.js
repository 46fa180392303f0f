// One Jest run for everything: unit tests next to the code (src/**/*.spec.ts), integration tests
// against the sandbox AD DC and the real databases (test/integration), HTTP tests (test/e2e).
// The global set-up starts the sandbox DC through scripts/sandbox-dc.sh (idempotent).
const fs = require('node:fs');
const swcrc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));

/** Dependencies (under @fastify/static) that ship as ES modules only. */
const ESM_ONLY_PACKAGES = ['content-disposition'];
const ESM_ONLY_JS = `/node_modules/(${ESM_ONLY_PACKAGES.join('|')})/.+\\.js$`;

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }],
    // ES-module-only packages that Node 20 loads with require(esm) but Jest cannot: compiled to CommonJS.
    [ESM_ONLY_JS]: ['@swc/jest', { swcrc: false, jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`^(?!.*/node_modules/(${ESM_ONLY_PACKAGES.join('|')})/).*/node_modules/`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
