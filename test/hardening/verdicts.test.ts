/**
 * Verdicts that arrive after the upgrade. A token the controller refuses (it closes with 1008
 * `unauthorized` after the token frame) takes the 401 path: one repair, one retry, then FAILED,
 * and the socket is never SYNCING before the token was accepted. A certificate that fails
 * verification is FAILED at once (with the presented fingerprint), not retried forever.
 * Before the fix: SYNCING → LOST → RECONNECTING in a loop, and TLS failures retried forever.
 */
import { createEventStream, TokenAuth, type EventStream } from '../../src';
import { startSimulator, type Simulator } from '../../src/simulator';
import { CertFactory, type TestCert } from '../auth/helpers/certs';
import { FakePortal } from '../auth/helpers/portal';
import { ndjson, runCli } from '../cli/spawn';
import { until } from '../helpers/scriptedServer';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('a token refused after the upgrade (/api/events/subscribe, 1008 unauthorized)', () => {
  let simulator: Simulator;
  let stream: EventStream | undefined;
  beforeEach(async () => {
    simulator = await startSimulator({ auth: { username: 'admin', password: 'pw' }, speed: 10 });
  });
  afterEach(async () => {
    await stream?.stop();
    stream = undefined;
    await simulator.close();
  });

  test('one repair, one retry, then FAILED; never SYNCING', async () => {
    let repairs = 0;
    const provider = {
      accessToken: () => Promise.resolve('not-a-token-the-controller-issued'),
      handleUnauthorized: () => {
        repairs++;
        return Promise.resolve(true);
      },
    };
    stream = createEventStream({
      url: simulator.url,
      path: '/api/events/subscribe',
      auth: new TokenAuth({ token: provider }),
      backoffMs: [20],
      logger: silent,
    });
    const statuses: string[] = [];
    stream.onStatus((s) => statuses.push(s));
    stream.start();
    await until(() => stream!.status === 'FAILED', 5000, 'FAILED');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(statuses).toEqual(['INITIALIZING', 'FAILED']);
    expect(repairs).toBe(1);
    expect(simulator.stats.tokenFrameFailures).toBe(2);
    expect(stream.lastError).toEqual(expect.objectContaining({ code: 'TOKEN_REJECTED', status: 401 }));
  });

  test('an accepted token: SYNCING only after acceptance, and no replayed frame is lost', async () => {
    const login = await fetch(`${simulator.url}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'pw' }),
    });
    const { data } = (await login.json()) as { data: { accessToken: string } };
    stream = createEventStream({
      url: simulator.url,
      path: '/api/events/subscribe',
      auth: new TokenAuth(data.accessToken),
      quietMs: 200,
      logger: silent,
    });
    const seqnums: number[] = [];
    stream.onEvent((e) => seqnums.push(e.seqnum));
    stream.start();
    await until(() => stream!.status === 'CONNECTED', 10_000, 'CONNECTED');
    expect(seqnums[0]).toBe(0);
    expect(seqnums.slice(0, 20)).toEqual([...Array(20).keys()]);
  });
});

describe('a certificate that fails verification', () => {
  const certs = new CertFactory();
  let served: TestCert;
  let portal: FakePortal;
  beforeAll(async () => {
    served = certs.make();
    portal = await new FakePortal('a@b.c', 'pw', served).start();
  });
  afterAll(async () => {
    await portal.close();
    certs.cleanup();
  });

  test('the stream goes FAILED once, with the presented fingerprint; no retry', async () => {
    const stream = createEventStream({ url: portal.url, backoffMs: [20], logger: silent });
    const statuses: string[] = [];
    stream.onStatus((s) => statuses.push(s));
    stream.start();
    try {
      await until(() => stream.status === 'FAILED', 5000, 'FAILED');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(statuses).toEqual(['INITIALIZING', 'FAILED']);
      expect(stream.lastError).toEqual(
        expect.objectContaining({ code: 'TLS_FAILED', fingerprint256: served.fingerprint256 }),
      );
    } finally {
      await stream.stop();
    }
  });

  test('the CLI names --fingerprint (with the fingerprint) and --ca, once, and exits 3', async () => {
    const run = await runCli([portal.url]);
    expect(run.code).toBe(3);
    const mentions = run.stdout.split(served.fingerprint256).length - 1;
    expect(mentions).toBe(1);
    expect(run.stdout).toContain(`--fingerprint ${served.fingerprint256}`);
    expect(run.stdout).toContain('--ca FILE');
    expect(run.stdout).not.toContain('fingerprint256:');
    const json = await runCli([portal.url, '--json']);
    expect(json.code).toBe(3);
    const failed = ndjson(json.stdout).find((l) => l.type === 'status' && l.status === 'FAILED')!;
    expect(failed.error).toEqual(
      expect.objectContaining({ code: 'TLS_FAILED', fingerprint256: served.fingerprint256 }),
    );
  });

  test('pinned to that fingerprint, it connects as far as the upgrade', async () => {
    const pinned = createEventStream({
      url: portal.url,
      tls: { fingerprint256: served.fingerprint256 },
      backoffMs: [20],
      maxAttempts: 1,
      logger: silent,
    });
    pinned.start();
    try {
      await until(() => portal.upgrades.length > 0 || pinned.status === 'FAILED', 5000, 'an upgrade');
      expect(pinned.lastError?.code).not.toBe('TLS_FAILED');
    } finally {
      await pinned.stop();
    }
  });
});
