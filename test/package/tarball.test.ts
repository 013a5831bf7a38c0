/**
 * The tarball: what `npm pack` ships, how big it is, and that its binary runs where nothing but
 * the tarball was installed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packed, ROOT, type Packed } from './packed';

const run = promisify(execFile);

/**
 * Budget for the unpacked package: 1080 KiB. Today's build is about 1048 KiB: the library in three
 * builds (ESM, CommonJS, browser ESM, ~140 KB each), the simulator, the MQTT bridge and the testing
 * harness in two each (`iox-event-stream/testing` adds ~140 KB: 57 KB per module format, its
 * declarations 27 KB; it loads the library from `./index.*` instead of carrying a copy), the
 * `.d.ts`/`.d.mts` pairs (~270 KB), the binary (41 KB) and the README (57 KB). The largest lever
 * left is the library's three copies (one shared ESM core would save ~280 KB).
 */
const UNPACKED_BUDGET_BYTES = 1080 * 1024;
/** Budget for the tarball itself (what `npm install` downloads); today about 299 KB (the testing subpath added 27 KB). */
const PACKED_BUDGET_BYTES = 310 * 1024;

/** Every file the package ships: what a user runs and reads, nothing else. */
const SHIPPED = [
  'LICENSE',
  'README.md',
  'dist/browser.mjs',
  'dist/cli.js',
  'dist/index.d.mts',
  'dist/index.d.ts',
  'dist/index.js',
  'dist/index.mjs',
  'dist/mqtt.d.mts',
  'dist/mqtt.d.ts',
  'dist/mqtt.js',
  'dist/mqtt.mjs',
  'dist/shared-[hash].d.mts',
  'dist/shared-[hash].d.mts',
  'dist/shared-[hash].d.ts',
  'dist/shared-[hash].d.ts',
  'dist/simulator.d.mts',
  'dist/simulator.d.ts',
  'dist/simulator.js',
  'dist/simulator.mjs',
  'dist/testing.d.mts',
  'dist/testing.d.ts',
  'dist/testing.js',
  'dist/testing.mjs',
  'package.json',
];

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let pack: Packed;
beforeAll(async () => {
  pack = await packed();
  if (pack.seconds.pack > 0) console.log(`npm pack ${pack.seconds.pack} s, npm install ${pack.seconds.install} s`);
}, 600_000);

describe('npm pack', () => {
  it('prints only JSON with --json (the build it runs prints nothing on stdout)', () => {
    expect(pack.stdout.trimStart().startsWith('[')).toBe(true);
    expect(() => JSON.parse(pack.stdout) as unknown).not.toThrow();
  });

  it('ships exactly what a user runs and reads: no sources, no source maps, no demo', () => {
    // The declarations that the root and a subpath share go to one chunk with a content-hashed name.
    const shared = (path: string) => path.replace(/^dist\/[\w-]+-[\w-]{8}\.d\.(m?)ts$/, 'dist/shared-[hash].d.$1ts');
    expect(pack.report.files.map((f) => shared(f.path)).sort()).toEqual(SHIPPED);
  });

  it(`stays within its size budget (${UNPACKED_BUDGET_BYTES / 1024} KiB unpacked, ${PACKED_BUDGET_BYTES / 1024} KiB packed)`, () => {
    expect(pack.report.unpackedSize).toBeLessThan(UNPACKED_BUDGET_BYTES);
    expect(pack.report.size).toBeLessThan(PACKED_BUDGET_BYTES);
  });

  it('ships the MIT license its package.json names', () => {
    const license = readFileSync(join(pack.app, 'node_modules/iox-event-stream/LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License/);
    const manifest = JSON.parse(readFileSync(join(pack.app, 'node_modules/iox-event-stream/package.json'), 'utf8')) as {
      license: string;
    };
    expect(manifest.license).toBe('MIT');
  });
});

describe('the binary', () => {
  it('is executable with a node shebang', () => {
    const cli = pack.report.files.find((f) => f.path === 'dist/cli.js');
    expect(cli && cli.mode & 0o111).toBeTruthy();
    expect(readFileSync(join(pack.app, 'node_modules/iox-event-stream/dist/cli.js'), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    );
  });

  it('runs from an installed tarball: --simulate end to end, mirror equal to the truth', async () => {
    const { stdout } = await run(join(pack.app, 'node_modules/.bin/iox-events'), ['--simulate', '--duration', '2'], {
      cwd: pack.app,
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(stdout).toContain('CONNECTED');
    expect(stdout).toMatch(/truth\s+mirror == simulator truth/);
  }, 90_000);

  it('runs with `npx -p <tarball> iox-events` from an empty folder, and under the package name', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'iox-npx-'));
    try {
      for (const bin of ['iox-events', 'iox-event-stream']) {
        const { stdout } = await run('npx', ['--yes', '--prefer-offline', '-p', pack.tarball, bin, '--version'], {
          cwd: empty,
          timeout: 120_000,
        });
        expect(stdout.trim()).toContain(version);
      }
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 240_000);
});
