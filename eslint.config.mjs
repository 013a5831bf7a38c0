// Type-aware lint for the library, its tests, benchmarks and scripts.
// Why type-aware: in this code base a floating promise is usually a socket or a stop() nobody waits for.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'coverage/',
      'docs/',
      'reports/',
      '.stryker-tmp/',
      'node_modules/',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Off: here `async` on a method without `await` is how a Promise-returning interface
      // (Auth.handleUnauthorized, actor bodies, test doubles) is implemented; it also turns a synchronous
      // throw into a rejection, which is what callers of those interfaces handle. The bugs this rule
      // hunts (a forgotten await) are caught by no-floating-promises and await-thenable, which stay on.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Off in tests only: jest's asymmetric matchers (expect.any, expect.objectContaining, ...) are
      // typed `any` by @types/jest, so every `toEqual({ x: expect.any(String) })` would be a finding.
      // Reading a member of an `any` value stays an error (no-unsafe-member-access).
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
