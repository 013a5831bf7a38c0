/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type-checking happens once, up front, in `npm test` (tsc --noEmit): ts-jest only transpiles.
    '^.+\\.ts$': [
      'ts-jest',
      { tsconfig: { module: 'commonjs', isolatedModules: true, types: ['node', 'jest'] }, diagnostics: false },
    ],
  },
  testTimeout: 30000,
};
