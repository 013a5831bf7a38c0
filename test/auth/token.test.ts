import { AuthRejectedError, AuthTransientError } from '../../src/errors';
import { PortalAuth } from '../../src/auth/portal';
import { TokenAuth, tokenFrame } from '../../src/auth/token';
import { ISY994_ORIGIN, ISY994_SUBPROTOCOL, legacyIsyUpgrade } from '../../src/auth/legacy';
import { silentLogger } from '../../src/logger';
import { FakePortal, type OpeningFrame } from './helpers/portal';
import { connectOnce } from './helpers/spy';

const EMAIL = 'owner@example.com';
const PASSWORD = 'pw-token-tests-77';

describe('TokenAuth: the access token in the first frame on /api/events/subscribe', () => {
  let portal: FakePortal;
  beforeEach(async () => {
    portal = await new FakePortal(EMAIL, PASSWORD).start();
  });
  afterEach(() => portal.close());

  it('builds both captured frame shapes', () => {
    expect(JSON.parse(tokenFrame('T'))).toEqual({ auth: { token: 'T' } });
    expect(JSON.parse(tokenFrame('T', 'creds'))).toEqual({ type: 'auth', creds: { token: 'T' } });
  });

  it.each([
    ['auth', (t: string) => ({ auth: { token: t } })],
    ['creds', (t: string) => ({ type: 'auth', creds: { token: t } })],
  ] as const)('authenticates a real socket with the %s shape, token from a PortalAuth', async (frame, shape) => {
    const portalAuth = new PortalAuth({ email: EMAIL, password: PASSWORD });
    const auth = new TokenAuth({ token: portalAuth, frame });
    auth.attach({ baseUrl: portal.url, logger: silentLogger });
    expect(auth.headers()).toEqual({});
    const opening = await auth.openingFrame();
    const reply = await connectOnce(
      portal.wsUrl('/api/events/subscribe'),
      undefined,
      silentLogger,
      auth.headers(),
      opening,
    );
    expect(JSON.parse(reply)).toMatchObject({ type: 'event' });
    const sent = JSON.parse(portal.frames.at(-1)!) as OpeningFrame;
    const token = (frame === 'auth' ? sent.auth?.token : sent.creds?.token) ?? '';
    expect(sent).toEqual(shape(token));
    expect(portal.valid(token, 'access')).toBe(true);
    // No upgrade header carried the token: a browser could do exactly this.
    expect(portal.upgrades.at(-1)!.headers.authorization).toBeUndefined();
    await auth.stop();
    expect(portal.count('/api/jwt/logout')).toBe(1);
  });

  it('a bad token gets the socket closed by the controller', async () => {
    const auth = new TokenAuth('not-a-token');
    const error = await connectOnce(
      portal.wsUrl('/api/events/subscribe'),
      undefined,
      silentLogger,
      {},
      await auth.openingFrame(),
    ).catch((e: unknown) => e);
    expect((error as { closeCode?: number }).closeCode).toBe(4001);
  });

  it('takes a token from a string or a (sync/async) function; only a provider can repair a 401', async () => {
    await expect(new TokenAuth('abc').openingFrame()).resolves.toBe('{"auth":{"token":"abc"}}');
    await expect(new TokenAuth(() => 'def').openingFrame()).resolves.toBe('{"auth":{"token":"def"}}');
    await expect(new TokenAuth({ token: async () => 'ghi', frame: 'creds' }).openingFrame()).resolves.toBe(
      '{"type":"auth","creds":{"token":"ghi"}}',
    );
    await expect(new TokenAuth('abc').handleUnauthorized()).resolves.toBe(false);
    await expect(new TokenAuth(() => 'x').handleUnauthorized()).resolves.toBe(false);
    const provider = new PortalAuth({ email: EMAIL, password: PASSWORD, url: portal.url });
    await provider.accessToken();
    await expect(new TokenAuth(provider).handleUnauthorized()).resolves.toBe(true);
    expect(portal.count('/api/jwt/refresh')).toBe(1);
  });

  it('maps token source failures to typed errors', async () => {
    await expect(new TokenAuth(() => '').openingFrame()).rejects.toBeInstanceOf(AuthRejectedError);
    await expect(
      new TokenAuth(() => {
        throw new Error('boom');
      }).openingFrame(),
    ).rejects.toBeInstanceOf(AuthTransientError);
    portal.behaviour.loginStatus = 503;
    const provider = new PortalAuth({ email: EMAIL, password: PASSWORD, url: portal.url });
    await expect(new TokenAuth(provider).openingFrame()).rejects.toBeInstanceOf(AuthTransientError);
    expect(() => new TokenAuth({ token: 'x', frame: 'nope' as never })).toThrow(TypeError);
    expect(() => new TokenAuth(42 as never)).toThrow(TypeError);
  });

  it('exposes the legacy ISY994 upgrade options', () => {
    expect(ISY994_SUBPROTOCOL).toBe('ISYSUB');
    expect(ISY994_ORIGIN).toBe('com.universal-devices.websockets.isy');
    const a = legacyIsyUpgrade();
    a.protocols.push('x');
    expect(legacyIsyUpgrade()).toEqual({
      protocols: ['ISYSUB'],
      headers: { Origin: 'com.universal-devices.websockets.isy' },
    });
  });
});
