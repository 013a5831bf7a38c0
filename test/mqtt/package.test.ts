/**
 * The `./mqtt` subpath of the package as installed from its tarball (see test/package/packed.ts), and the
 * promise that the root entry never loads `mqtt` (nor `aedes`): apps that do not bridge do not pay
 * for MQTT.js at load time, and browser bundles of the root never see it.
 *
 * MQTT.js and Aedes are CommonJS packages, so Node loads them through the CommonJS loader even from
 * an ESM `import`: `require.cache` lists them either way.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { packed } from '../package/packed';

let app: string;
beforeAll(async () => {
  app = (await packed()).app;
}, 600_000);
const run = (args: string[]): string =>
  execFileSync(process.execPath, args, { cwd: app, encoding: 'utf8', timeout: 20_000 }).trim();

/** Prints which of mqtt / aedes the CommonJS loader has loaded. */
const LOADED = `Object.keys(require.cache).filter((f) => /[\\\\/]node_modules[\\\\/](mqtt|aedes)[\\\\/]/.test(f)).map((f) => f.match(/node_modules[\\\\/](mqtt|aedes)[\\\\/]/)[1]).filter((v, i, a) => a.indexOf(v) === i).sort().join(',') || 'none'`;

describe('the mqtt subpath of the built package', () => {
  it('the root entry loads neither mqtt nor aedes, with require() or import', () => {
    expect(run(['-e', `require('iox-event-stream'); console.log(${LOADED})`])).toBe('none');
    expect(
      run([
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module'; const require = createRequire(process.cwd() + '/'); await import('iox-event-stream'); await import('iox-event-stream/simulator'); console.log(${LOADED})`,
      ]),
    ).toBe('none');
  });

  it('iox-event-stream/mqtt loads mqtt (so the check above can fail) and aedes only on demand', () => {
    expect(
      run(['-e', `const m = require('iox-event-stream/mqtt'); console.log(typeof m.createMqttBridge, ${LOADED})`]),
    ).toBe('function mqtt');
    expect(
      run([
        '--input-type=module',
        '-e',
        `import { createRequire } from 'node:module'; const require = createRequire(process.cwd() + '/'); const m = await import('iox-event-stream/mqtt'); const b = await m.startEmbeddedBroker(); await b.close(); console.log(typeof m.createMqttBridge, ${LOADED})`,
      ]),
    ).toBe('function aedes,mqtt');
    for (const file of ['dist/mqtt.d.ts', 'dist/mqtt.d.mts'])
      expect(existsSync(resolve(app, 'node_modules/iox-event-stream', file))).toBe(true);
  });

  it('the iox-events binary loads mqtt only with --mqtt', () => {
    // The binary run in this process (as `bin` runs it); what it loaded is printed on exit.
    const cli = resolve(app, 'node_modules/iox-event-stream/dist/cli.js');
    const probe = (args: string[]): string => {
      const script = `process.on('exit', () => console.log(${LOADED})); process.argv = [process.argv[0], 'iox-events', ...${JSON.stringify(args)}]; require(${JSON.stringify(cli)})`;
      const child = spawnSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8', timeout: 30_000 });
      return child.stdout.trim().split('\n').at(-1)!;
    };
    expect(probe(['--version'])).toBe('none');
    expect(probe(['--simulate', '--mqtt-base', 'x'])).toBe('none'); // a usage error, parsed without MQTT.js
    expect(probe(['--simulate', '--mqtt', '--mqtt-base', 'pkg/test', '--duration', '1', '--json'])).toBe('aedes,mqtt');
  });
});
