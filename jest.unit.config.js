// Unit tests only: no sandbox DC, no PostgreSQL. `npm run test:unit`.
const base = require('./jest.config');
module.exports = { ...base, testMatch: ['<rootDir>/src/**/*.spec.ts'], globalSetup: undefined };
