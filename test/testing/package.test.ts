/**
 * The `./testing` subpath of the package as installed from its tarball (see test/package/packed.ts):
 * it runs a generated path against the installed library, its stream is the root entry's own
 * `EventStream` (one copy of the library), and the root entry never loads it nor `xstate/graph`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { packed } from '../package/packed';

let app: string;
beforeAll(async () => {
  app = (await packed()).app;
}, 600_000);
const run = (args: string[]): string =>
  execFileSync(process.execPath, args, { cwd: app, encoding: 'utf8', timeout: 30_000 }).trim();

/** Prints whether xstate/graph and the testing build are loaded (CommonJS loader's cache). */
const LOADED = `['xstate/dist/xstate-graph', 'iox-event-stream/dist/testing'].filter((m) => Object.keys(require.cache).some((f) => f.replace(/\\\\/g, '/').includes(m))).join(',') || 'none'`;

/** The shortest generated path that ends CONNECTED, run with the installed harness; the statuses the stream went through. */
const PATH_RUN = `
const path = streamPaths().filter((p) => p.steps.at(-1).status === 'CONNECTED').sort((a, b) => a.steps.length - b.steps.length)[0];
const h = await createPathHarness();
const statuses = [];
await h.run(path, { afterStep: (step) => statuses.push(h.stream.status === step.status ? step.status : 'MISMATCH ' + h.stream.status) });
await h.close();
const chart = path.steps.map((step) => step.status);
console.log(JSON.stringify({ statuses, agree: JSON.stringify(statuses) === JSON.stringify(chart), sameClass: h.stream instanceof EventStream, open: h.controller.tcpCount }));
`;

describe('the testing subpath of the built package', () => {
  it('the root entry loads neither the testing build nor xstate/graph', () => {
    expect(
      run(['-e', `require('iox-event-stream'); require('iox-event-stream/simulator'); console.log(${LOADED})`]),
    ).toBe('none');
  });

  it('runs a generated path under require(), on the root entry’s EventStream (so the check above can fail)', () => {
    const script = `const { streamPaths, createPathHarness } = require('iox-event-stream/testing');
const { EventStream } = require('iox-event-stream');
(async () => {${PATH_RUN} console.log(${LOADED});
})().catch((e) => { console.error(e); process.exit(1); });`;
    const [result, loaded] = run(['-e', script]).split('\n');
    const outcome = JSON.parse(result) as { statuses: string[] };
    expect(outcome).toMatchObject({ agree: true, sameClass: true, open: 0 });
    expect(outcome.statuses).toEqual(expect.arrayContaining(['INITIALIZING', 'SYNCING', 'CONNECTED']));
    expect(loaded).toBe('xstate/dist/xstate-graph,iox-event-stream/dist/testing');
  });

  it('runs a generated path under import (ESM), with its declarations next to it', () => {
    const script = `import { streamPaths, createPathHarness } from 'iox-event-stream/testing';
import { EventStream } from 'iox-event-stream';
${PATH_RUN}`;
    expect(JSON.parse(run(['--input-type=module', '-e', script]))).toMatchObject({
      agree: true,
      sameClass: true,
      open: 0,
    });
    for (const file of ['dist/testing.d.ts', 'dist/testing.d.mts'])
      expect(existsSync(resolve(app, 'node_modules/iox-event-stream', file))).toBe(true);
  });
});
