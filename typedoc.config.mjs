// API reference for the published entry points. The entry points come from one list, package.json
// `exports`: `.` is src/index.ts and `./name` is src/name/index.ts (the same convention as
// tsup.config.ts), so a new subpath is documented, and held to having TSDoc, as soon as it is exported.
import { readFileSync } from 'node:fs';

const { exports: subpaths } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const entryPoints = Object.keys(subpaths)
  .filter((subpath) => subpath !== './package.json')
  .map((subpath) => (subpath === '.' ? 'src/index.ts' : `src/${subpath.slice(2)}/index.ts`));

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  entryPoints,
  out: 'docs/api',
  plugin: ['./scripts/typedocInferredMembers.mjs'],
  // Only the library's sources: the tests and benchmarks are not documented, and loading them is slow.
  tsconfig: 'tsconfig.docs.json',
  readme: 'none',
  // No source locations: the reference must build (and npm test pass) in a checkout whose
  // remote is not called origin, or in no git repository at all (a downloaded tarball), and this
  // package names no public repository to link to.
  disableSources: true,
  // Every exported name needs TSDoc: a missing comment is a warning, and warnings fail the build.
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  treatWarningsAsErrors: true,
  excludePrivate: true,
  excludeInternal: true,
  // Members of classes and interfaces are held to it too, except what TypeScript writes itself.
  requiredToBeDocumented: [
    'Enum',
    'EnumMember',
    'Variable',
    'Function',
    'Class',
    'Interface',
    'Property',
    'Method',
    'Accessor',
    'TypeAlias',
  ],
};
