import { AuthRejectedError, AuthTransientError } from '../../src/errors';
import { PortalAuth } from '../../src/auth/portal';
import { readJwtTimes } from '../../src/auth/jwt';
import { FakePortal } from './helpers/portal';
import { SpyLogger } from './helpers/spy';

const EMAIL = 'owner@example.com';
const PASSWORD = 'pw-Tr0ub4dor-&3';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function bearerOf(headers: Record<string, string>): string {
  const match = /^Bearer (.+)$/.exec(headers.Authorization ?? '');
  if (!match?.[1]) throw new Error('no bearer');
  return match[1];
}

describe('PortalAuth against a fake portal on 127.0.0.1', () => {
  let portal: FakePortal;
  let logger: SpyLogger;
  const make = (extra: Partial<ConstructorParameters<typeof PortalAuth>[0]> = {}) =>
    new PortalAuth({ email: EMAIL, password: PASSWORD, url: portal.url, logger, ...extra });

  beforeEach(async () => {
    portal = await new FakePortal(EMAIL, PASSWORD).start();
    logger = new SpyLogger();
  });
  afterEach(async () => {
    await portal.close();
    // Nothing any test logged may carry a secret.
    const text = logger.text();
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
    expect(text).not.toContain(portal.sslKey.split('\n')[1]);
  });

  it('logs in once and puts the access token on the upgrade as a bearer', async () => {
    const auth = make();
    const first = await auth.headers();
    const second = await auth.headers();
    expect(bearerOf(first)).toBe(bearerOf(second));
    expect(portal.valid(bearerOf(first), 'access')).toBe(true);
    expect(portal.count('/api/login')).toBe(1);
    const login = portal.requests.find((r) => r.path === '/api/login');
    expect(JSON.parse(login!.body)).toEqual({ username: EMAIL, password: PASSWORD });
  });

  it('refreshes proactively once the access token has less than 60 s left (61 s tokens, real time)', async () => {
    portal.behaviour.accessLifetimeS = 61;
    const auth = make();
    const first = bearerOf(await auth.headers());
    expect(portal.count('/api/jwt/refresh')).toBe(0);
    await sleep(1300);
    const second = bearerOf(await auth.headers());
    expect(second).not.toBe(first);
    expect(portal.count('/api/jwt/refresh')).toBe(1);
    expect(portal.count('/api/login')).toBe(1);
    // The fresh token is good for another 61 s: no further refresh.
    await auth.headers();
    expect(portal.count('/api/jwt/refresh')).toBe(1);
    const refresh = portal.requests.find((r) => r.path === '/api/jwt/refresh');
    expect(JSON.parse(refresh!.body)).toHaveProperty('refreshToken');
  });

  it('renews short-lived tokens at half their life instead of on every call, and survives real expiry', async () => {
    portal.behaviour.accessLifetimeS = 2;
    const auth = make();
    const first = bearerOf(await auth.headers());
    expect(readJwtTimes(first).exp! - readJwtTimes(first).iat!).toBe(2);
    await auth.headers();
    expect(portal.count('/api/jwt/refresh')).toBe(0);
    await sleep(2200); // the first token has now really expired on the server
    expect(portal.valid(first, 'access')).toBe(false);
    const second = bearerOf(await auth.headers());
    expect(portal.valid(second, 'access')).toBe(true);
    expect(portal.count('/api/jwt/refresh')).toBe(1);
  });

  it('collapses concurrent callers onto one login and then one refresh', async () => {
    portal.behaviour.delayMs = 100;
    portal.behaviour.accessLifetimeS = 61;
    const auth = make();
    const tokens = await Promise.all(Array.from({ length: 8 }, () => auth.headers()));
    expect(new Set(tokens.map(bearerOf)).size).toBe(1);
    expect(portal.count('/api/login')).toBe(1);
    await sleep(1100);
    const renewed = await Promise.all(Array.from({ length: 8 }, () => auth.headers()));
    expect(new Set(renewed.map(bearerOf)).size).toBe(1);
    expect(portal.count('/api/jwt/refresh')).toBe(1);
  });

  it('concurrent 401s → exactly one refresh request, and all retry with the new token', async () => {
    portal.behaviour.delayMs = 50;
    const auth = make();
    const old = bearerOf(await auth.headers());
    const results = await Promise.all(Array.from({ length: 5 }, () => auth.handleUnauthorized()));
    expect(results).toEqual([true, true, true, true, true]);
    expect(portal.count('/api/jwt/refresh')).toBe(1);
    // A late 401 for the token handed out before the refresh does not refresh again.
    await expect(auth.handleUnauthorized()).resolves.toBe(true);
    expect(portal.count('/api/jwt/refresh')).toBe(1);
    const fresh = bearerOf(await auth.headers());
    expect(fresh).not.toBe(old);
    // A 401 for the new token does refresh again.
    await expect(auth.handleUnauthorized()).resolves.toBe(true);
    expect(portal.count('/api/jwt/refresh')).toBe(2);
  });

  it('refresh 503 → AuthTransientError (not a rejection), then recovers when the portal is back', async () => {
    const auth = make();
    await auth.headers();
    portal.behaviour.refreshStatus = 503;
    const error = await auth.handleUnauthorized().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthTransientError);
    expect((error as AuthTransientError).status).toBe(503);
    expect(portal.count('/api/login')).toBe(1); // a transient refresh failure does not fall back to login
    portal.behaviour.refreshStatus = undefined;
    await expect(auth.handleUnauthorized()).resolves.toBe(true);
    expect(portal.count('/api/jwt/refresh')).toBe(2);
  });

  it('refresh 401 + login 401 → AuthRejectedError', async () => {
    const auth = make();
    await auth.headers();
    portal.behaviour.refreshStatus = 401;
    portal.behaviour.loginStatus = 401;
    const error = await auth.handleUnauthorized().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthRejectedError);
    expect((error as AuthRejectedError).status).toBe(401);
    expect(portal.count('/api/jwt/refresh')).toBe(1);
    expect(portal.count('/api/login')).toBe(2);
    expect((error as Error).message).not.toContain(PASSWORD);
  });

  it('refresh refused but login fine → logs in again and retries', async () => {
    const auth = make();
    const old = bearerOf(await auth.headers());
    portal.behaviour.refreshStatus = 401;
    await expect(auth.handleUnauthorized()).resolves.toBe(true);
    expect(portal.count('/api/login')).toBe(2);
    expect(bearerOf(await auth.headers())).not.toBe(old);
  });

  it('goes straight to login when the refresh token itself has expired', async () => {
    portal.behaviour.accessLifetimeS = 2;
    portal.behaviour.refreshLifetimeS = 2;
    const auth = make();
    await auth.headers();
    await sleep(1500);
    await auth.headers();
    expect(portal.count('/api/jwt/refresh')).toBe(0);
    expect(portal.count('/api/login')).toBe(2);
  });

  it('wrong password (successful: false) → AuthRejectedError; 5xx or network error → AuthTransientError', async () => {
    const wrong = new PortalAuth({ email: EMAIL, password: 'not-the-password', url: portal.url, logger });
    await expect(wrong.headers()).rejects.toBeInstanceOf(AuthRejectedError);
    portal.behaviour.loginStatus = 403;
    await expect(make().headers()).rejects.toBeInstanceOf(AuthRejectedError);
    portal.behaviour.loginStatus = 502;
    await expect(make().headers()).rejects.toBeInstanceOf(AuthTransientError);
    portal.behaviour.loginStatus = 404;
    await expect(make().headers()).rejects.toBeInstanceOf(AuthRejectedError);
    const url = portal.url;
    await portal.close();
    const error = await new PortalAuth({ email: EMAIL, password: PASSWORD, url, logger })
      .headers()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthTransientError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    portal = await new FakePortal(EMAIL, PASSWORD).start(); // for afterEach
  });

  it('times out a portal that never answers → AuthTransientError', async () => {
    portal.behaviour.delayMs = 2000;
    const error = await make({ requestTimeoutMs: 200 })
      .headers()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthTransientError);
    expect((error as Error).message).toMatch(/timed out/);
  });

  it('stop() logs out with the live bearer (best effort, never throws)', async () => {
    const auth = make();
    const token = bearerOf(await auth.headers());
    await auth.stop();
    expect(portal.count('/api/jwt/logout')).toBe(1);
    const logout = portal.requests.find((r) => r.path === '/api/jwt/logout');
    expect(logout!.headers.authorization).toBe(`Bearer ${token}`);
    expect(portal.revoked.has(token)).toBe(true);
    // Nothing to log out of: no request.
    await auth.stop();
    expect(portal.count('/api/jwt/logout')).toBe(1);
    // A portal that fails the logout does not make stop() throw.
    await auth.headers();
    portal.behaviour.logoutStatus = 500;
    await expect(auth.stop()).resolves.toBeUndefined();
    // Nor does an unreachable one.
    await auth.headers();
    await portal.close();
    await expect(auth.stop()).resolves.toBeUndefined();
    portal = await new FakePortal(EMAIL, PASSWORD).start();
  });

  it('without a URL of its own it uses the one attach() gives (wss:// accepted too)', async () => {
    const auth = new PortalAuth({ email: EMAIL, password: PASSWORD });
    await expect(auth.headers()).rejects.toBeInstanceOf(AuthRejectedError);
    auth.attach({ baseUrl: portal.wsUrl('/rest/subscribe'), logger });
    await expect(auth.headers()).resolves.toHaveProperty('Authorization');
  });

  it('accepts a custom fetch (here the platform fetch)', async () => {
    const auth = make({ fetch: (url, init) => fetch(url, init) });
    await expect(auth.headers()).resolves.toHaveProperty('Authorization');
  });
});
