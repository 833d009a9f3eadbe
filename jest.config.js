/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: { '^.+\\.ts$': '<rootDir>/tools/jest-strip-types.cjs' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/tools/summary-reporter.cjs'],
  // `npm run test:floor` (part of `npm test`): a coverage floor on the pure core and the drivers (STYLE.md).
  coverageProvider: 'v8',
  collectCoverageFrom: [
    'src/core/**/*.ts',
    'src/drivers/**/*.ts',
    '!**/index.ts',
    // Interfaces only: nothing to run.
    '!src/drivers/node-access-driver.ts',
    '!src/drivers/tool-module.ts',
    '!src/core/tool-rules.ts',
  ],
  coverageReporters: ['text-summary'],
  coverageThreshold: {
    './src/core/': { lines: 85, branches: 80, functions: 80 },
    './src/drivers/': { lines: 85, branches: 80, functions: 85 },
  },
};
