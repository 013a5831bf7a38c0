// What both mutation runs' jest configs share: the project's jest config, run from the repository
// root, in the mutation-only environment that stops a mutant's run at its first failure.
const path = require('node:path');
const base = require('../jest.config.js');

/** @param {string[]} testMatch @returns {import('jest').Config} */
module.exports = (testMatch) => ({
  ...base,
  rootDir: path.resolve(__dirname, '..'),
  // An absolute path: Stryker wraps the environment and resolves it itself, without <rootDir>.
  testEnvironment: path.join(__dirname, 'stopAtFirstFailure.js'),
  testMatch,
});
