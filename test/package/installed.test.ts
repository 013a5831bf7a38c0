/**
 * The package as installed from its tarball into a fresh app: it runs under `import` and
 * `require`, and its declarations type-check under `--strict` with nothing else installed (no
 * `@types/*`, no `skipLibCheck`), with TypeScript 5.x and the current major, for `nodenext` and
 * `bundler` resolution (and the simulator subpath under the old `node` resolution).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packed, type Packed } from './packed';

const run = promisify(execFile);

let pack: Packed;
let dir: string;
beforeAll(async () => {
  pack = await packed();
  dir = mkdtempSync(join(pack.app, 'run-'));
}, 600_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The same program in both module systems: simulator, stream, waitFor, mirror against truth. */
const program = (load: string) => `${load}
const sim = await startSimulator({ auth: { username: 'u', password: 'p' }, speed: 50, liveEvents: false });
const stream = createEventStream({ url: sim.url, auth: new LocalAuth('u', 'p'), quietMs: 100, logger: silentLogger });
stream.start();
await stream.waitFor(EventStreamStatus.CONNECTED, { timeoutMs: 20000 });
const comparison = compareWithTruth(stream.mirror.nodes, sim.truth());
await stream.stop();
await sim.close();
console.log(JSON.stringify({ status: stream.status, mismatches: comparison.mismatches, nodes: stream.mirror.nodes.size,
  waitForError: new WaitForError('WAIT_TIMEOUT', 'CONNECTED', 'LOST', null, 1).code }));
`;

const ESM =
  program(`import { createEventStream, EventStreamStatus, LocalAuth, silentLogger, WaitForError } from 'iox-event-stream';
import { compareWithTruth, startSimulator } from 'iox-event-stream/simulator';`);

const CJS = `const { createEventStream, EventStreamStatus, LocalAuth, silentLogger, WaitForError } = require('iox-event-stream');
const { compareWithTruth, startSimulator } = require('iox-event-stream/simulator');
(async () => {
${program('')}
})().catch((error) => { console.error(error); process.exit(1); });`;

/** A TypeScript user's file: typed options (inspect, clock), waitFor's error, the simulator. */
const TYPED = `import { createEventStream, EventStreamStatus, TokenAuth, WaitForError, type EventStreamOptions } from 'iox-event-stream';
import { startSimulator, type Simulator } from 'iox-event-stream/simulator';

export async function main(): Promise<number> {
  const sim: Simulator = await startSimulator({ speed: 10 });
  const truth: Map<string, Map<string, unknown>> = sim.truth();
  const options: EventStreamOptions = {
    url: sim.url,
    path: '/api/events/subscribe',
    auth: new TokenAuth({ token: async () => 'token' }),
    random: Math.random,
    // The inspector's events are typed (an untyped parameter would fail under --strict).
    inspect: (event) => {
      if (event.type === '@xstate.snapshot') console.log(event.snapshot.status);
    },
  };
  // @ts-expect-error clock is XState's Clock, not anything
  const bad: EventStreamOptions = { url: sim.url, clock: 42 };
  const stream = createEventStream(options);
  stream.start();
  try {
    await stream.waitFor(EventStreamStatus.CONNECTED, { timeoutMs: 5000 });
  } catch (error) {
    if (error instanceof WaitForError) {
      const code: 'WAIT_TIMEOUT' | 'STREAM_FAILED' | 'STREAM_STOPPED' = error.code;
      console.log(code, error.status, error.lastError?.message);
    }
  }
  await stream.stop();
  await sim.close();
  return truth.size + (bad ? 0 : 1);
}
`;

/** Only the subpath, for the resolution that ignores `exports`. */
const NODE10 = `import { startSimulator, type Simulator } from 'iox-event-stream/simulator';
import { createEventStream } from 'iox-event-stream';
export const start: () => Promise<Simulator> = () => startSimulator({ speed: 10 });
export const make = createEventStream;
`;

const node = (file: string) =>
  run(process.execPath, [file], { cwd: dir, timeout: 60_000 }).then(({ stdout }) => JSON.parse(stdout) as unknown);

describe('the installed package runs', () => {
  const expected = { status: 'STOPPED', mismatches: 0, waitForError: 'WAIT_TIMEOUT' };

  it('under import (ESM)', async () => {
    writeFileSync(join(dir, 'smoke.mjs'), ESM);
    const result = (await node('smoke.mjs')) as { nodes: number };
    expect(result).toMatchObject(expected);
    expect(result.nodes).toBeGreaterThan(100);
  }, 90_000);

  it('under require (CommonJS)', async () => {
    writeFileSync(join(dir, 'smoke.cjs'), CJS);
    const result = (await node('smoke.cjs')) as { nodes: number };
    expect(result).toMatchObject(expected);
    expect(result.nodes).toBeGreaterThan(100);
  }, 90_000);
});

describe('the installed declarations type-check under --strict', () => {
  const tsc = (version: 'typescript5' | 'typescript7', args: string[]) =>
    run(process.execPath, [join(pack.app, 'node_modules', version, 'bin', 'tsc'), ...args], {
      cwd: dir,
      timeout: 120_000,
    }).then(
      () => '',
      (error: { stdout?: string; message: string }) => error.stdout || error.message,
    );
  const strict = ['--noEmit', '--strict', '--target', 'es2022', '--skipLibCheck', 'false'];

  beforeAll(() => {
    // The same file as a CommonJS-mode `.ts`, an ES-module `.mts`, and a `.cts`.
    for (const ext of ['ts', 'mts', 'cts']) writeFileSync(join(dir, `typed.${ext}`), TYPED);
    writeFileSync(join(dir, 'node10.ts'), NODE10);
  });

  it('declare no dependency on ws types or on Node types (Buffer)', () => {
    for (const file of ['index.d.ts', 'index.d.mts', 'simulator.d.ts', 'simulator.d.mts']) {
      const text = readFileSync(join(pack.app, 'node_modules/iox-event-stream/dist', file), 'utf8');
      expect(text).not.toMatch(/from ['"](ws|isomorphic-ws|node:[a-z]+)['"]/);
      expect(text).not.toMatch(/\bBuffer\b(?!` is)/);
      expect(text).not.toMatch(/reference types=/);
    }
  });

  for (const version of ['typescript5', 'typescript7'] as const) {
    it(`${version}: --module nodenext (.ts, .mts, .cts)`, async () => {
      expect(await tsc(version, [...strict, '--module', 'nodenext', 'typed.ts', 'typed.mts', 'typed.cts'])).toBe('');
    }, 120_000);

    it(`${version}: --moduleResolution bundler`, async () => {
      expect(await tsc(version, [...strict, '--module', 'esnext', '--moduleResolution', 'bundler', 'typed.ts'])).toBe(
        '',
      );
    }, 120_000);
  }

  // `node` (node10) resolution ignores `exports`; TypeScript 7 no longer offers it.
  it('typescript5: the simulator subpath resolves under --moduleResolution node', async () => {
    expect(
      await tsc('typescript5', [...strict, '--module', 'commonjs', '--moduleResolution', 'node', 'node10.ts']),
    ).toBe('');
  }, 120_000);
});
