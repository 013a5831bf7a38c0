/**
 * The browser as a first-class target, for real: a small app on the installed tarball is bundled
 * by esbuild for the browser (through the package's `browser` export condition), loaded into
 * headless Chromium (Debian's `chromium`, driven by puppeteer-core) and run against the simulator's
 * `/api/events/subscribe` with TokenAuth on 127.0.0.1. The controller side is counted at the TCP
 * level by a loopback proxy in front of the simulator.
 *
 * Without chromium the suite is skipped locally and fails under CI (`.ci/run` installs it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { compareWithTruth, startSimulator, type MirrorEntryLike, type Simulator } from '../../src/simulator';
import { packed, type Packed } from '../package/packed';
import { bundleApp, closeBrowser, openPage, servePage } from './chromium';
import { CountingProxy } from './countingProxy';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AUTH = { username: 'admin', password: 's3cret' };
/** Budget for the minified, gzipped bundle of the test app (library, XState, fast-xml-parser). */
const GZIP_BUDGET_BYTES = 80 * 1024;

interface PageState {
  status: string;
  statuses: string[];
  counts: { replay: number; live: number; liveProperties: number };
  dispatcher: { framesFed: number; eventsParsed: number; dropped: Record<string, number> };
  lastError: { code?: string; message: string } | null;
  logs: string[];
  mirror: Array<[string, Array<[string, MirrorEntryLike]>]>;
}

async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const chromiumPresent = existsSync(CHROMIUM);
const suite = chromiumPresent || process.env.CI ? describe : describe.skip;

suite('in headless Chromium', () => {
  let pack: Packed;
  let work: string;
  let bundle: string;
  let sizes: { minified: number; gzipped: number };
  let sim: Simulator;
  let proxy: CountingProxy;
  let pageServer: HttpServer;
  let browser: Browser;
  let page: Page;
  let streamUrl: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!chromiumPresent) throw new Error(`chromium is missing at ${CHROMIUM} (.ci/run installs Debian's chromium)`);
    pack = await packed();
    work = mkdtempSync(join(pack.app, 'browser-'));
    const app = await bundleApp(work);
    bundle = app.bundle;
    sizes = app.sizes;
    console.log(`browser bundle: ${sizes.minified} bytes minified, ${sizes.gzipped} bytes gzipped`);
    expect(app.inputs).toContain('../node_modules/iox-event-stream/dist/browser.mjs');
    expect(app.inputs.filter((i) => /node_modules\/(ws|isomorphic-ws)\//.test(i))).toEqual([]);

    sim = await startSimulator({ auth: AUTH, speed: 10, heartbeatSec: 600, liveEvents: false });
    proxy = new CountingProxy(sim.port);
    streamUrl = `http://127.0.0.1:${await proxy.listen()}`;

    pageServer = await servePage(bundle);
    const pagePort = (pageServer.address() as { port: number }).port;
    ({ browser, page } = await openPage(CHROMIUM, `http://127.0.0.1:${pagePort}/`, consoleErrors));
  }, 600_000);

  afterAll(async () => {
    await closeBrowser(browser);
    await proxy?.close();
    await sim?.close();
    await new Promise<void>((r) => (pageServer ? pageServer.close(() => r()) : r()));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const state = () => page.evaluate(() => (window as unknown as { iox: { state(): PageState } }).iox.state());
  const call = <T>(name: string, ...args: unknown[]) =>
    page.evaluate(
      (n, a) => (window as unknown as Record<string, Record<string, (...x: unknown[]) => unknown>>).iox[n](...a),
      name,
      args,
    ) as Promise<T>;

  it('bundles for the browser within budget, with no Node built-in on its path', () => {
    expect(sizes.gzipped).toBeLessThan(GZIP_BUDGET_BYTES);
    const built = readFileSync(join(pack.app, 'node_modules/iox-event-stream/dist/browser.mjs'), 'utf8');
    expect(built).not.toMatch(/from\s*['"](node:|ws['"]|isomorphic-ws)/);
    expect(built).not.toMatch(/\brequire\(/);
    expect(built).not.toMatch(/\bBuffer\b/);
  });

  it('connects with TokenAuth: replay flagged, then CONNECTED, the mirror equal to the truth', async () => {
    const token = await login(sim.url);
    await call('start', streamUrl, token);
    expect(await call('waitFor', 'CONNECTED', 20_000)).toBe('ok');
    const s = await state();
    expect(s.statuses).toEqual(['INITIALIZING', 'SYNCING', 'CONNECTED']);
    expect(s.counts.replay).toBeGreaterThan(100);
    expect(s.counts.live).toBe(0);
    expect(s.dispatcher.framesFed).toBe(sim.stats.framesSent);
    expect(mismatches(s)).toBe(0);
  }, 60_000);

  it('delivers live changes as live, and skips bad frames (binary, broken XML) without a reconnect', async () => {
    const nodes = [...sim.house.nodes.keys()].slice(0, 5);
    for (const [i, node] of nodes.entries()) sim.emitChange(node, 'ST', i % 2 ? 255 : 0);
    const s = await until(state, (x) => x.counts.liveProperties >= nodes.length, 10_000, 'live changes');
    expect(s.counts.liveProperties).toBe(nodes.length);
    expect(mismatches(s)).toBe(0);

    const before = s.dispatcher.framesFed;
    expect(sim.faults.garbage(['binary', 'xml'])).toBeGreaterThan(0);
    const after = await until(state, (x) => x.dispatcher.framesFed >= before + 2, 10_000, 'bad frames');
    expect(after.status).toBe('CONNECTED');
    expect(after.statuses).toEqual(['INITIALIZING', 'SYNCING', 'CONNECTED']);
    expect(proxy.total).toBe(1);
  }, 60_000);

  it('loses the link on a text frame with invalid UTF-8 (a browser validates it), then recovers', async () => {
    sim.faults.garbage(['utf8']);
    const s = await until(
      state,
      // The mirror converges on the truth: under load a pause in the replay longer than quietMs (200
      // ms here) ends SYNCING before the replay's tail arrives, and the tail lands as it comes.
      (x) => x.statuses.length >= 7 && x.statuses.at(-1) === 'CONNECTED' && mismatches(x) === 0,
      20_000,
      'recovery',
    );
    expect(s.statuses.slice(3)).toEqual(['LOST', 'RECONNECTING', 'SYNCING', 'CONNECTED']);
    expect(mismatches(s)).toBe(0);
    expect(proxy.total).toBe(2);
    expect(proxy.peak).toBe(1);
    // The browser's own report of the bad frame, not ours.
    expect(consoleErrors.splice(0)).toEqual([expect.stringContaining('Could not decode a text frame as UTF-8')]);
  }, 60_000);

  it('survives a dropped connection: LOST, a new replay, CONNECTED, never two sockets', async () => {
    sim.faults.drop();
    const s = await until(
      state,
      (x) => x.statuses.length >= 11 && x.statuses.at(-1) === 'CONNECTED' && mismatches(x) === 0,
      20_000,
      'reconnect',
    );
    expect(s.statuses.slice(7)).toEqual(['LOST', 'RECONNECTING', 'SYNCING', 'CONNECTED']);
    expect(s.counts.replay).toBeGreaterThan(300); // three replays, all flagged
    expect(mismatches(s)).toBe(0);
    expect(proxy.total).toBe(3);
    expect(proxy.peak).toBe(1);
  }, 60_000);

  it('stop() resolves and leaves no socket at the controller', async () => {
    const ms = await call<number>('stop');
    expect(ms).toBeLessThan(3000);
    await until(
      async () => proxy.open,
      (open) => open === 0,
      3000,
      'the TCP connection to close',
    );
    const s = await state();
    expect(s.status).toBe('STOPPED');
    expect(proxy.peak).toBe(1);
    expect(s.logs.filter((l) => l.startsWith('error'))).toEqual([]);
  }, 30_000);

  it('fails LocalAuth at once with the reason, instead of connecting without its credentials', async () => {
    const { outcome, lastError } = await call<{ outcome: string; lastError: PageState['lastError'] }>(
      'tryLocalAuth',
      streamUrl,
    );
    expect(outcome).toBe('STREAM_FAILED');
    expect(lastError?.code).toBe('AUTH_REJECTED');
    expect(lastError?.message).toContain('cannot send request headers (Authorization)');
    expect(lastError?.message).not.toContain('secret');
    expect(proxy.total).toBe(3); // never reached the controller
  }, 30_000);

  it('logged no console error', () => {
    expect(consoleErrors).toEqual([]);
  });

  function mismatches(s: PageState): number {
    const mirror = new Map(s.mirror.map(([node, props]) => [node, new Map(props)]));
    return compareWithTruth(mirror, sim.truth()).mismatches;
  }
});

async function login(base: string): Promise<string> {
  const response = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: AUTH.username, password: AUTH.password }),
  });
  const body = (await response.json()) as { data?: { accessToken?: string } };
  if (!body.data?.accessToken) throw new Error(`login failed: HTTP ${response.status}`);
  return body.data.accessToken;
}
