// The suites Stryker runs against each mutant of src/machine and src/services: the model-based suite
// (generated from the chart, with its spec oracle) and the stream and transport integration tests.
// Dispatcher, CLI, benchmark-style and soak tests cover no mutated file and only slow each run.
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/model/**/*.test.ts'],
};
