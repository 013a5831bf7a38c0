/**
 * A refresh answer without a new refresh token must not move the kept token's expiry: before the
 * fix it was recomputed from each answer's receive time, so refreshes went out with 4.5 s, 4 s, …
 * left and then with an expired token.
 */
import type { FetchLike } from '../../src/auth/http';
import { PortalAuth } from '../../src/auth/portal';
import { makeJwt } from './helpers/portal';

const REFRESH_LIFETIME_S = 20;
const ACCESS_LIFETIME_S = 2;
/** PortalAuth logs in instead of refreshing with less than this left (REFRESH_TOKEN_MARGIN_MS). */
const MARGIN_MS = 5000;

describe('PortalAuth refresh token expiry', () => {
  let now = 0;
  beforeEach(() => {
    now = 1_800_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  test('counts from when the refresh token was issued, across refresh answers without one', async () => {
    const start = now;
    const refreshTokens = new Map<string, number>(); // token -> real expiry (ms)
    const sent: { path: string; at: number; refreshLeftMs?: number }[] = [];
    const token = (lifetimeS: number) => makeJwt({ iat: now / 1000, exp: now / 1000 + lifetimeS });
    const fetch: FetchLike = (url, init) => {
      const path = new URL(url).pathname;
      let data: Record<string, string>;
      if (path === '/api/login') {
        const refreshToken = token(REFRESH_LIFETIME_S);
        refreshTokens.set(refreshToken, now + REFRESH_LIFETIME_S * 1000);
        data = { accessToken: token(ACCESS_LIFETIME_S), refreshToken };
        sent.push({ path, at: now - start });
      } else {
        const rt = (JSON.parse(init.body ?? '{}') as { refreshToken: string }).refreshToken;
        const expiry = refreshTokens.get(rt) ?? 0;
        sent.push({ path, at: now - start, refreshLeftMs: expiry - now });
        if (expiry <= now) return Promise.resolve({ status: 401, text: () => Promise.resolve('{}') });
        // Like the portal: a new access token, no new refresh token.
        data = { accessToken: token(ACCESS_LIFETIME_S) };
      }
      return Promise.resolve({ status: 200, text: () => Promise.resolve(JSON.stringify({ successful: true, data })) });
    };
    const auth = new PortalAuth({ email: 'a@b.c', password: 'pw', url: 'http://127.0.0.1:9', fetch });
    for (let t = 0; t <= 30_000; t += 1500) {
      now = start + t;
      await auth.headers();
    }
    const refreshes = sent.filter((s) => s.path === '/api/jwt/refresh');
    expect(refreshes.length).toBeGreaterThan(5);
    // Every refresh went out with more than the margin left on the refresh token, never expired.
    for (const r of refreshes) expect(r.refreshLeftMs).toBeGreaterThan(MARGIN_MS);
    // Once the first refresh token came within the margin, PortalAuth logged in again.
    const logins = sent.filter((s) => s.path === '/api/login').map((s) => s.at);
    expect(logins[0]).toBe(0);
    expect(logins[1]).toBe(REFRESH_LIFETIME_S * 1000 - MARGIN_MS);
  });
});
