// Jest test environment for mutation runs only: once a test fails while Stryker runs a mutant, the
// tests after it are skipped, in this file and the next. The first failure is the verdict (the
// mutant is killed); Stryker's jest runner turns jest's own `bail` off, and without this a killed
// mutant of the chart would still run all ~360 model-suite paths. Outside a mutant run (the dry run,
// `npm test`) it changes nothing: Stryker sets __STRYKER_ACTIVE_MUTANT__ only while a mutant is active.
const { TestEnvironment } = require('jest-environment-node');

/** Shared by every test file of one jest run in this process (each file gets a new environment). */
const FLAG = Symbol.for('iox-event-stream.mutation.failed');

class StopAtFirstFailure extends TestEnvironment {
  async handleTestEvent(event, state) {
    if (super.handleTestEvent) await super.handleTestEvent(event, state);
    const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
    if (mutant === undefined) return;
    if (event.name === 'run_start' && process[FLAG] !== mutant) process[FLAG] = undefined;
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') process[FLAG] = mutant;
    if (event.name === 'test_start' && process[FLAG] === mutant) event.test.mode = 'skip';
  }
}

module.exports = StopAtFirstFailure;
