import { inspect } from 'node:util';
import { createEventStream, type EventStream, type EventStreamOptions } from '../../src';
import { LocalAuth, PortalAuth, TokenAuth } from '../../src/auth';
import { CertFactory, type TestCert } from './helpers/certs';
import { FakePortal, type OpeningFrame } from './helpers/portal';
import { SpyLogger } from './helpers/spy';

const EMAIL = 'owner@example.com';
const PASSWORD = 'pw-Stream-Session-314';
const FAST = {
  quietMs: 100,
  syncMaxMs: 3000,
  backoffMs: [100, 200],
  heartbeatGraceMs: 500,
  connectTimeoutMs: 3000,
} as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

interface Watched {
  stream: EventStream;
  statuses: string[];
  errors: unknown[];
  events: number;
}

const streams: EventStream[] = [];
function watch(options: EventStreamOptions): Watched {
  const stream = createEventStream(options);
  streams.push(stream);
  const watched: Watched = { stream, statuses: [], errors: [], events: 0 };
  stream.onStatus((status, change) => {
    watched.statuses.push(status);
    if (change.lastError) watched.errors.push(change.lastError);
  });
  stream.onEvent(() => {
    watched.events++;
  });
  return watched;
}

afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.stop()));
});

describe('auth through the stream (plain HTTP fake portal)', () => {
  let portal: FakePortal;
  let logger: SpyLogger;
  beforeEach(async () => {
    portal = await new FakePortal(EMAIL, PASSWORD).start();
    logger = new SpyLogger();
  });
  afterEach(() => portal.close());

  it('refresh 503 → LOST (not FAILED), then recovery once the portal answers again', async () => {
    portal.behaviour.accessLifetimeS = 2; // renewed after 1 s (half its life)
    const auth = new PortalAuth({ email: EMAIL, password: PASSWORD });
    const w = watch({ url: portal.url, auth, logger, ...FAST });
    w.stream.start();
    await until(() => w.stream.status === 'CONNECTED', 5000, 'CONNECTED');

    await sleep(1100);
    portal.behaviour.refreshStatus = 503;
    for (const client of portal.wss.clients) client.terminate();
    await until(() => portal.count('/api/jwt/refresh') >= 2, 5000, 'two refused refreshes');
    expect(w.stream.status).not.toBe('FAILED');
    expect(w.errors).toContainEqual(expect.objectContaining({ code: 'AUTH_TRANSIENT', status: 503 }));

    portal.behaviour.refreshStatus = undefined;
    const before = w.statuses.length;
    await until(() => w.statuses.slice(before).includes('CONNECTED'), 5000, 'recovery');
    expect(w.statuses).not.toContain('FAILED');
    expect(w.statuses.filter((s) => s === 'LOST').length).toBeGreaterThanOrEqual(2);
  });

  it('a 401 on the upgrade is repaired by one refresh and an immediate retry', async () => {
    const auth = new PortalAuth({ email: EMAIL, password: PASSWORD });
    portal.behaviour.reject401Upgrades = 1;
    const w = watch({ url: portal.url, auth, logger, ...FAST });
    w.stream.start();
    await until(() => w.stream.status === 'CONNECTED', 5000, 'CONNECTED');
    expect(portal.count('/api/jwt/refresh')).toBe(1);
    expect(w.statuses).not.toContain('FAILED');
  });

  it('refresh 401 + login 401 → FAILED', async () => {
    const auth = new PortalAuth({ email: EMAIL, password: PASSWORD });
    const w = watch({ url: portal.url, auth, logger, ...FAST });
    w.stream.start();
    await until(() => w.stream.status === 'CONNECTED', 5000, 'CONNECTED');
    portal.behaviour.reject401Upgrades = 1;
    portal.behaviour.refreshStatus = 401;
    portal.behaviour.loginStatus = 401;
    for (const client of portal.wss.clients) client.terminate();
    await until(() => w.stream.status === 'FAILED', 5000, 'FAILED');
    expect(w.errors).toContainEqual(expect.objectContaining({ code: 'AUTH_REJECTED' }));
  });

  it.each(['auth', 'creds'] as const)(
    'token frame (%s shape) on /api/events/subscribe reaches CONNECTED and delivers events',
    async (frame) => {
      const auth = new TokenAuth({ token: new PortalAuth({ email: EMAIL, password: PASSWORD }), frame });
      const w = watch({ url: portal.url, path: '/api/events/subscribe', auth, logger, ...FAST });
      w.stream.start();
      await until(() => w.stream.status === 'CONNECTED', 5000, 'CONNECTED');
      expect(w.events).toBeGreaterThanOrEqual(1);
      const sent = JSON.parse(portal.frames.at(-1)!) as OpeningFrame;
      expect(frame === 'auth' ? sent.auth?.token : sent.creds?.token).toMatch(/^eyJ/);
      expect(portal.upgrades.at(-1)!.headers.authorization).toBeUndefined();
      await w.stream.stop();
      expect(portal.count('/api/jwt/logout')).toBe(1);
    },
  );
});

describe('a whole session over HTTPS with a spy logger: no secret is ever logged or thrown', () => {
  const certs = new CertFactory();
  let served: TestCert;
  let portal: FakePortal;
  beforeAll(async () => {
    served = certs.make();
    portal = await new FakePortal(EMAIL, PASSWORD, served).start();
  });
  afterAll(async () => {
    await portal.close();
    certs.cleanup();
  });

  it('TLS rejection, wrong Basic credentials, 401 + refresh, expiry, reconnect, token frame, stop + logout', async () => {
    const logger = new SpyLogger();
    const thrown: unknown[] = [];
    const seen: unknown[] = [];
    portal.behaviour.accessLifetimeS = 2;

    // 1. Default verification against the self-signed certificate: LOST with the fingerprint to pin.
    const unpinned = watch({
      url: portal.url,
      auth: new PortalAuth({ email: EMAIL, password: PASSWORD }),
      logger,
      ...FAST,
    });
    unpinned.stream.start();
    await until(() => unpinned.errors.length > 0, 5000, 'a TLS failure');
    await unpinned.stream.stop();
    expect(logger.text()).toContain(served.fingerprint256);
    seen.push(...unpinned.errors);

    // 2. Basic credentials the controller refuses: FAILED, nothing retried.
    const local = watch({
      url: portal.url,
      auth: new LocalAuth('admin', PASSWORD),
      tls: { fingerprint256: served.hex },
      logger,
      ...FAST,
    });
    local.stream.start();
    await until(() => local.stream.status === 'FAILED', 5000, 'FAILED');
    seen.push(...local.errors, local.stream.lastError);

    // 3. Portal session, pinned: a 401 on the upgrade, a refresh, expiry, a reconnect, then stop.
    const auth = new PortalAuth({ email: EMAIL, password: PASSWORD });
    portal.behaviour.reject401Upgrades = 1;
    const session = watch({ url: portal.url, auth, tls: { fingerprint256: served.fingerprint256 }, logger, ...FAST });
    session.stream.start();
    await until(() => session.stream.status === 'CONNECTED', 5000, 'CONNECTED');
    await sleep(1200);
    for (const client of portal.wss.clients) client.terminate();
    await until(() => session.statuses.filter((s) => s === 'CONNECTED').length >= 2, 5000, 'reconnected');
    seen.push(...session.errors, inspect(auth), JSON.stringify(auth), inspect(session.stream, { depth: 4 }));

    // 4. The browser path over the same TLS options.
    const token = watch({
      url: portal.url,
      path: '/api/events/subscribe',
      auth: new TokenAuth({ token: auth, frame: 'creds' }),
      tls: { fingerprint256: served.fingerprint256 },
      logger,
      ...FAST,
    });
    token.stream.start();
    await until(() => token.stream.status === 'CONNECTED', 5000, 'token CONNECTED');
    await token.stream.stop();
    await session.stream.stop().catch((e: unknown) => thrown.push(e));
    expect(portal.count('/api/jwt/logout')).toBeGreaterThanOrEqual(1);

    // Direct failures a caller may see.
    await new PortalAuth({
      email: EMAIL,
      password: 'wrong-' + PASSWORD,
      url: portal.url,
      tls: { fingerprint256: served.hex },
    })
      .headers()
      .catch((e: unknown) => thrown.push(e));
    await new PortalAuth({ email: EMAIL, password: PASSWORD, url: portal.url })
      .headers()
      .catch((e: unknown) => thrown.push(e));
    expect(thrown.length).toBe(2);

    const secrets = [
      PASSWORD,
      Buffer.from(`admin:${PASSWORD}`).toString('base64'),
      portal.sslKey.split('\n')[1],
      ...[...portal.issued.keys()].flatMap((jwt) => [jwt, jwt.split('.')[1], jwt.split('.')[2]]),
    ];
    expect(portal.issued.size).toBeGreaterThanOrEqual(4);
    const everything = [
      logger.text(),
      ...seen.map((s) => (typeof s === 'string' ? s : inspect(s, { depth: 10 }))),
      ...thrown.map((e) => `${inspect(e, { depth: 10 })} ${(e as Error).message} ${(e as Error).stack}`),
    ].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(logger.lines.length).toBeGreaterThan(5);
    if (process.env.SHOW_SESSION_LOG) console.log(everything);
  });
});
