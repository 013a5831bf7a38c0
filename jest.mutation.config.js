// The suites Stryker runs against each mutant: the model-based suite (generated from the chart, with
// its spec oracle) and the restart-policy test. Issue 17 asks what the model suite proves; the slower
// integration suites would multiply every mutant's run time without changing that question.
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/model/**/*.test.ts', '<rootDir>/test/core/restart-policy.test.ts'],
};
