import { defineConfig } from 'tsup';

// One build, two module formats: apps on `require` and on `import` get the same code,
// and the `.d.ts` / `.d.mts` pair keeps TypeScript happy under both resolutions.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    simulator: 'src/simulator/index.ts',
    mqtt: 'src/mqtt/index.ts',
    cli: 'src/cli/main.ts',
    demo: 'src/demo.ts',
  },
  format: ['esm', 'cjs'],
  // tsup's declaration build sets `baseUrl`, which TypeScript 6 deprecates: acknowledge it.
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
});
