/**
 * The built package (npm ci runs `prepare`, which builds dist/) loads both ways from the repo root:
 * `require('./')` and an ESM import by the package's own name. (`import('./')` itself is a
 * directory import, which Node's ESM resolver refuses for every package.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const run = (args: string[]) =>
  execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 20_000 }).trim();

const built = existsSync(resolve(ROOT, 'dist/index.js')) && existsSync(resolve(ROOT, 'dist/index.mjs'));
const maybe = built || process.env.CI ? it : it.skip;

describe('the built package', () => {
  maybe('loads with require() and import, root and simulator subpath alike', () => {
    const probe = (m: string) =>
      `[typeof ${m}.createEventStream, typeof ${m}.streamMachine, ${m}.EventStreamStatus && ${m}.EventStreamStatus.CONNECTED, typeof ${m}.LocalAuth, typeof ${m}.parseEventFrame].join(',')`;
    const expected = 'function,object,CONNECTED,function,function';
    expect(run(['-e', `const m = require('./'); console.log(${probe('m')})`])).toBe(expected);
    expect(
      run(['--input-type=module', '-e', `const m = await import('iox-event-stream'); console.log(${probe('m')})`]),
    ).toBe(expected);
    expect(run(['-e', "console.log(typeof require('iox-event-stream/simulator').startSimulator)"])).toBe('function');
    expect(
      run([
        '--input-type=module',
        '-e',
        "const s = await import('iox-event-stream/simulator'); console.log(typeof s.startSimulator)",
      ]),
    ).toBe('function');
  });

  maybe('ships type declarations for both module systems', () => {
    for (const file of ['dist/index.d.ts', 'dist/index.d.mts', 'dist/simulator.d.ts', 'dist/simulator.d.mts']) {
      expect(existsSync(resolve(ROOT, file))).toBe(true);
    }
  });
});
