/**
 * Access to the captured eisy frames in `../shared/fixtures/eisy6/` (next to the repo, never
 * copied into it). Suites that need them fail under CI when they are missing, and are skipped
 * with a message otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The repository root: the nearest ancestor holding this project's package.json. */
function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = resolve(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"iox-event-stream"/.test(readFileSync(pkg, 'utf8'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the iox-event-stream package.json above ${__dirname}`);
    dir = parent;
  }
}

/** Directory of the eisy captures. */
export const FIXTURE_DIR = resolve(repoRoot(), '../shared/fixtures/eisy6');
const JSONL = resolve(FIXTURE_DIR, 'ws-frames.jsonl');
const PYISY = resolve(FIXTURE_DIR, 'ws-frames-pyisy.log');

/** The captures, as the stream would receive them. */
export interface Fixtures {
  /** `data` of every `receive` record of ws-frames.jsonl, in order. */
  jsonl: string[];
  /** Every non-empty line of ws-frames-pyisy.log (raw XML frames). */
  pyisy: string[];
  /** Both, jsonl first. */
  all: string[];
}

let cached: Fixtures | null | undefined;

/** Loads the captures, or `null` when they are not there. */
export function loadFixtures(): Fixtures | null {
  if (cached !== undefined) return cached;
  if (!existsSync(JSONL) || !existsSync(PYISY)) return (cached = null);
  const jsonl: string[] = [];
  for (const line of readFileSync(JSONL, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { direction?: string; data?: unknown };
    if (record.direction === 'receive' && typeof record.data === 'string') jsonl.push(record.data);
  }
  const pyisy = readFileSync(PYISY, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  return (cached = { jsonl, pyisy, all: [...jsonl, ...pyisy] });
}

/**
 * `describe` for suites that need the captures: runs when they exist; fails under CI when they
 * do not; otherwise skips with a message.
 */
export function describeWithFixtures(name: string, body: (fixtures: Fixtures) => void): void {
  const fixtures = loadFixtures();
  if (fixtures !== null) {
    describe(name, () => body(fixtures));
  } else if (process.env.CI) {
    describe(name, () => {
      test('fixtures are present', () => {
        throw new Error(`fixtures missing: expected ${JSONL} and ${PYISY}`);
      });
    });
  } else {
    console.warn(`skipping "${name}": fixtures not found in ${FIXTURE_DIR}`);
    describe.skip(name, () => {
      test('needs the eisy captures', () => undefined);
    });
  }
}

/** The XML inside a frame, computed independently of the code under test (plain JSON.parse). */
export function xmlOf(frame: string): string | null {
  if (!frame.startsWith('{')) return frame;
  const envelope = JSON.parse(frame) as { type?: unknown; data?: unknown };
  return envelope.type === 'event' && typeof envelope.data === 'string' ? envelope.data : null;
}

/** First capture of `pattern` in `text`, or `undefined`. */
export function grab(text: string, pattern: RegExp): string | undefined {
  return pattern.exec(text)?.[1];
}
