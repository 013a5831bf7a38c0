// The suites Stryker runs against each mutant of the chart (src/machine): the model-based suite
// (paths generated from the chart and scenarios named from the spec, each step checked by the spec
// oracle), the restart-policy test, and the pure-chart tests of test/machine (drift of the two
// connect attempts, lastError, policy arithmetic, verdicts). Issue 17 asks what the model suite proves; the slower
// integration suites would multiply the run time of every static mutant (the chart's config is
// built once at load, so each of its mutants runs the whole list) without changing that question.
const mutationJestConfig = require('./jest.base.js');

module.exports = mutationJestConfig([
  '<rootDir>/test/model/**/*.test.ts',
  '<rootDir>/test/core/restart-policy.test.ts',
  '<rootDir>/test/machine/attempts.test.ts',
  '<rootDir>/test/machine/lastError.test.ts',
  '<rootDir>/test/machine/policy.test.ts',
  '<rootDir>/test/machine/verdicts.test.ts',
]);
