// The fast tiers: unit tests next to the code and the workflow tier (test/workflow: the whole service
// on in-memory SQLite with the strict FakeDirectory). No sandbox DC, no PostgreSQL. `npm run test:unit`.
const base = require('./jest.config');
module.exports = { ...base, testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/workflow/**/*.spec.ts'], globalSetup: undefined };
