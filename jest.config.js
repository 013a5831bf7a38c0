/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // examples/: the example apps' own tests (their generated path tests) run with the suite.
  roots: ['<rootDir>/test', '<rootDir>/examples'],
  // Examples import the package by its name, as an app would; here that is the source.
  moduleNameMapper: {
    '^iox-event-stream$': '<rootDir>/src/index.ts',
    '^iox-event-stream/(simulator|mqtt|testing)$': '<rootDir>/src/$1/index.ts',
  },
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
