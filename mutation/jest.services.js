// The suites Stryker runs against each mutant of the actors and the transport (src/services): the
// model-based suite, then the integration tests that drive them on real loopback sockets (ownership,
// stop, failures, TLS, token verdicts, the DOM WebSocket transport, duration bounds), and the unit
// tests of each actor and of the slot and transports (test/services). Stryker's
// per-test coverage runs only the tests that reach a mutant. Left out: the dispatcher, simulator,
// CLI, MQTT, browser and package suites, which reach src/services only through these paths.
const mutationJestConfig = require('./jest.base.js');

module.exports = mutationJestConfig([
  '<rootDir>/test/services/**/*.test.ts',
  '<rootDir>/test/model/**/*.test.ts',
  '<rootDir>/test/core/restart-policy.test.ts',
  '<rootDir>/test/core/ownership.test.ts',
  '<rootDir>/test/core/stop.test.ts',
  '<rootDir>/test/core/failures.test.ts',
  '<rootDir>/test/core/browserTransport.test.ts',
  '<rootDir>/test/auth/tls.test.ts',
  '<rootDir>/test/hardening/verdicts.test.ts',
  '<rootDir>/test/hardening/durations.test.ts',
]);
