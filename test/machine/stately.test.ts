/**
 * Stately's own static extractor (`@xstate/machine-extractor`, what the VS Code visual editor and
 * the editor's import from code use) reads src/machine/streamMachine.ts and must find every state
 * and transition the running machine has: a user who opens the chart in Stately sees what runs.
 *
 * The check is ../shared/tools/stately-extract. It compares the source text with the machine that
 * `require('./')` yields in the checkout it runs in; this test gives it a scratch checkout whose
 * package loads today's src/ (not a possibly stale dist/). The extractor comes from
 * scripts/stately-extractor, which the root `npm ci` installs (it needs XState 4, kept apart).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');
const TOOL = resolve(REPO, '../shared/tools/stately-extract');
// Where npm installed it (the linked package's real directory), so that a checkout sharing another's
// node_modules does not make the tool install a second copy into its own scripts/ (npm init there
// overwrote the tracked package.json).
const EXTRACTOR = dirname(realpathSync(require.resolve('stately-extractor-env/package.json')));
const SOURCE = resolve(REPO, 'src/machine/streamMachine.ts');

/** Run the tool on `source` as the chart's text, against the machine built from today's src/. */
function extract(source: string): { status: number | null; out: string } {
  const checkout = mkdtempSync(join(tmpdir(), 'iox-stately-'));
  try {
    mkdirSync(join(checkout, 'src/machine'), { recursive: true });
    writeFileSync(join(checkout, 'src/machine/streamMachine.ts'), source);
    writeFileSync(join(checkout, 'package.json'), JSON.stringify({ name: 'chart-under-test', main: 'index.js' }));
    writeFileSync(
      join(checkout, 'index.js'),
      `module.exports = require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).require(${JSON.stringify(SOURCE)}, __filename);\n`,
    );
    const run = spawnSync('bash', [TOOL], {
      cwd: checkout,
      env: { ...process.env, STATELY_EXTRACTOR_DIR: EXTRACTOR },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: run.status, out: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
}

const available = existsSync(TOOL);
if (!available && process.env.CI) {
  throw new Error(`${TOOL} is missing: CI needs ../shared beside the checkout`);
}
const describeTool = available ? describe : describe.skip;

describeTool('Stately sees the whole chart', () => {
  it('the extractor finds every state and transition of the running machine', () => {
    const { status, out } = extract(readFileSync(SOURCE, 'utf8'));
    const counts = /stately extractor: states (\d+)\/(\d+), transitions (\d+)\/(\d+)/.exec(out);
    expect(counts).not.toBeNull();
    const [, states, allStates, transitions, allTransitions] = counts!;
    expect(out).not.toMatch(/missing/);
    expect(states).toBe(allStates);
    expect(transitions).toBe(allTransitions);
    expect(Number(allStates)).toBeGreaterThanOrEqual(20);
    expect(status).toBe(0);
  });

  it('a spread hides a state from the extractor, and the check says so', () => {
    // What the chart looked like before it was written out: RECONNECTING's inside behind a spread.
    const source = readFileSync(SOURCE, 'utf8');
    const start = source.indexOf('    RECONNECTING: {');
    const end = source.indexOf('\n    },\n', start) + '\n    },\n'.length;
    expect(start).toBeGreaterThan(0);
    const spread = `${source.slice(0, start)}    RECONNECTING: { tags: 'RECONNECTING', ...connectAttempt },\n${source.slice(end)}`;
    const { status, out } = extract(spread);
    expect(out).toMatch(/missing state: RECONNECTING\.connecting/);
    expect(status).toBe(1);
  });
});
