import { existsSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

/**
 * The binary uses the library as it is published: every import from `src/cli/` into the rest of
 * `src/` becomes a `require` of the built `./index.js` (or the subpath's `./simulator.js`, `./mqtt.js`) next to it, instead of a
 * second copy of the library inside `cli.js`. The CLI only uses public exports, so this holds, and
 * a test runs the packed binary.
 */
const SUBPATHS = ['simulator', 'mqtt'];
const cliUsesBuiltLibrary: Plugin = {
  name: 'cli-uses-built-library',
  setup(build) {
    const src = resolve('src');
    build.onResolve({ filter: /^\.\.\// }, (args) => {
      const from = relative(src, args.importer);
      const to = relative(src, resolve(args.resolveDir, args.path));
      if (!from.startsWith(`cli${sep}`) || to.startsWith('..')) return undefined; // package.json stays bundled
      const entry = SUBPATHS.find((name) => to === name || to.startsWith(`${name}${sep}`)) ?? 'index';
      return { path: `./${entry}.js`, external: true };
    });
  },
};

/**
 * `iox-event-stream/testing` drives the library as the app under test loads it: its imports of the
 * root barrel (`src/testing/*` → `../index`) become a `require` of `./index.js` (or an `import` of
 * `./index.mjs`) next to it, so the harness's stream is the very `EventStream` class, status enum
 * and error classes the app imports, and the testing files carry no second copy of the library.
 */
const testingUsesBuiltLibrary: Plugin = {
  name: 'testing-uses-built-library',
  setup(build) {
    const root = resolve('src/index.ts');
    const testing = resolve('src/testing');
    const library = build.initialOptions.format === 'esm' ? './index.mjs' : './index.js';
    build.onResolve({ filter: /^\.\.\/index$/ }, (args) => {
      if (!args.importer.startsWith(testing + sep)) return undefined;
      return `${resolve(args.resolveDir, args.path)}.ts` === root ? { path: library, external: true } : undefined;
    });
  },
};

/**
 * The browser build: wherever `X.browser.ts` sits next to `X.ts`, it replaces it. Two modules have
 * one: the default transport (the DOM WebSocket instead of `ws`) and Node's HTTP client (never
 * called in a browser). Nothing else differs, so the browser runs the same chart, dispatcher and
 * auth as Node, and no Node built-in is on its path (a test bundles it for the browser).
 */
const browserFiles: Plugin = {
  name: 'browser-files',
  setup(build) {
    build.onResolve({ filter: /^\./ }, (args) => {
      const browserFile = `${resolve(args.resolveDir, args.path)}.browser.ts`;
      return existsSync(browserFile) ? { path: browserFile } : undefined;
    });
  },
};

// What npm users run: the library and its subpaths in both module formats (with `.d.ts` /
// `.d.mts` for either resolution), and the `iox-events` binary once, as CommonJS (what `bin`
// runs). No source maps: they would have to embed the sources to be of use, and would triple
// the tarball. `npm start` runs the demo from source with tsx, so it is not built.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      simulator: 'src/simulator/index.ts',
      mqtt: 'src/mqtt/index.ts',
      testing: 'src/testing/index.ts',
    },
    format: ['esm', 'cjs'],
    esbuildPlugins: [testingUsesBuiltLibrary],
    // tsup's declaration build sets `baseUrl`, which TypeScript 6 deprecates: acknowledge it.
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    // Everything but what the other builds write at the same time.
    clean: ['!cli.js', '!browser.mjs'],
    target: 'node20',
    splitting: false,
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['cjs'],
    target: 'node20',
    splitting: false,
    esbuildPlugins: [cliUsesBuiltLibrary],
  },
  {
    // What bundlers pick through the `browser` export condition (ESM: every current bundler reads it).
    entry: { browser: 'src/index.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    splitting: false,
    esbuildPlugins: [browserFiles],
  },
]);
