// Mutation testing (issue 17), shared by the two runs: the chart (stryker.machine.mjs) and the actors
// with their transport (stryker.services.mjs). `npm run mutate` runs both, then the verdict
// (scripts/mutationVerdict.ts). Incremental: each run's result file is committed next to this one,
// so a run only tests mutants whose code or covering tests changed.
/** @param {'machine' | 'services'} part */
export function strykerConfig(part) {
  /** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
  const config = {
    mutate: [`src/${part}/**/*.ts`],
    testRunner: 'jest',
    jest: { configFile: `mutation/jest.${part}.js`, enableFindRelatedTests: false },
    checkers: ['typescript'],
    tsconfigFile: 'tsconfig.json',
    // Each mutant runs only the tests that reach it; the chart's config is built at load, so its
    // mutants (static) run the whole list, stopping at the first failure (stopAtFirstFailure.js).
    coverageAnalysis: 'perTest',
    incremental: true,
    incrementalFile: `mutation/${part}.incremental.json`,
    reporters: ['clear-text', 'progress', 'json'],
    jsonReporter: { fileName: `reports/mutation/${part}.json` },
    // The suites wait on loopback I/O more than they compute: three runners keep two cores busy.
    concurrency: 3,
    timeoutMS: 10000,
    thresholds: { high: 95, low: 90, break: null },
    // One sandbox directory per run, so the two runs can go side by side.
    tempDirName: `.stryker-tmp/${part}`,
    cleanTempDir: 'always',
  };
  return config;
}
