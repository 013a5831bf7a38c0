/**
 * The package as an npm user gets it: `npm pack` run on a copy of the repository (so its
 * `prepack` build never touches the working tree's `dist/`), then the tarball installed into a
 * fresh app with `npm install`, next to the TypeScript versions the type checks use.
 *
 * Packing and installing cost tens of seconds, so the result is cached in the temp folder under a
 * hash of every input (sources, package.json, build config): test files that need it share one
 * build, across jest workers (a lock folder) and across runs with unchanged inputs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ROOT = resolve(__dirname, '../..');

/** What the type checks install next to the package: TypeScript 5.x and the current major. */
export const TYPESCRIPT_VERSIONS = { typescript5: '^5.9.3', typescript7: '^7.0.2' } as const;

/** What the repository gives `npm pack` (the `files` in package.json pick from these). */
const PACK_INPUTS = ['package.json', 'tsup.config.ts', 'tsconfig.json', 'LICENSE', 'README.md', 'src'];

/** One file `npm pack --json` lists. */
export interface PackedFile {
  path: string;
  size: number;
  mode: number;
}

/** What `npm pack --json` reports, and where the result went. */
export interface Packed {
  /** The tarball. */
  tarball: string;
  /** `npm pack --json`'s stdout, exactly as printed. */
  stdout: string;
  /** Its first (only) entry, parsed. */
  report: { size: number; unpackedSize: number; entryCount: number; files: PackedFile[] };
  /** An app with the tarball and both TypeScript versions installed. */
  app: string;
  /** Seconds the pack and the install took when they ran (0 when cached). */
  seconds: { pack: number; install: number };
}

function inputsHash(): string {
  const hash = createHash('sha256');
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) walk(join(path, name));
    } else {
      hash.update(relative(ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const input of PACK_INPUTS) walk(join(ROOT, input));
  hash.update(JSON.stringify(TYPESCRIPT_VERSIONS));
  return hash.digest('hex').slice(0, 16);
}

async function build(dir: string): Promise<void> {
  const pkg = join(dir, 'pkg');
  const app = join(dir, 'app');
  mkdirSync(pkg, { recursive: true });
  mkdirSync(app, { recursive: true });
  for (const input of PACK_INPUTS) cpSync(join(ROOT, input), join(pkg, input), { recursive: true });
  // The build tools come from the repository's own install.
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');

  let started = Date.now();
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: pkg,
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const pack = (Date.now() - started) / 1000;
  writeFileSync(join(dir, 'pack.stdout'), stdout);
  const report = (JSON.parse(stdout) as Array<{ filename: string }>)[0];

  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }, null, 2));
  started = Date.now();
  await run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      join(dir, report.filename),
      ...Object.entries(TYPESCRIPT_VERSIONS).map(([alias, range]) => `${alias}@npm:typescript@${range}`),
    ],
    { cwd: app, timeout: 300_000 },
  );
  const install = (Date.now() - started) / 1000;
  writeFileSync(join(dir, 'seconds.json'), JSON.stringify({ pack, install }));
}

function load(dir: string, fresh: boolean): Packed {
  const stdout = readFileSync(join(dir, 'pack.stdout'), 'utf8');
  const report = (JSON.parse(stdout) as Array<Packed['report'] & { filename: string }>)[0];
  const seconds = fresh
    ? (JSON.parse(readFileSync(join(dir, 'seconds.json'), 'utf8')) as Packed['seconds'])
    : { pack: 0, install: 0 };
  return { tarball: join(dir, report.filename), stdout, report, app: join(dir, 'app'), seconds };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pack and install once per set of inputs; concurrent callers wait for the first. */
export async function packed(): Promise<Packed> {
  const dir = join(tmpdir(), `iox-event-stream-packed-${inputsHash()}`);
  const done = join(dir, 'done');
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (existsSync(done)) return load(dir, false);
    try {
      mkdirSync(lock);
    } catch {
      // Another worker is building: wait for it (or take over when its process is gone).
      if (!ownerAlive(lock)) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await sleep(500);
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      rmSync(dir, { recursive: true, force: true });
      await build(dir);
      writeFileSync(done, '');
      return load(dir, true);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** False only when the lock names a process that no longer runs (a crashed run left it behind). */
function ownerAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return true; // just created, pid not written yet (or already gone)
  }
  if (!(pid > 0)) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
