import { inspect } from 'node:util';
import { LocalAuth } from '../../src/auth/local';
import { PortalAuth } from '../../src/auth/portal';
import { REDACTED, redact, redactingLogger } from '../../src/auth/redact';
import { TokenAuth } from '../../src/auth/token';
import { FakePortal, makeJwt } from './helpers/portal';
import { SpyLogger } from './helpers/spy';

const JWT = makeJwt({ sub: 'x', iat: 1, exp: 2 });
const PASSWORD = 'pw-Redact-Me-99';

describe('redact()', () => {
  it.each([
    ['Authorization: Bearer abc.def-ghi', 'abc.def-ghi'],
    ['authorization=Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz'],
    ['{"Authorization":"Basic dXNlcjpwYXNz"}', 'dXNlcjpwYXNz'],
    [`token is ${JWT} ok`, JWT.split('.')[1]],
    ['sent Bearer opaque-token-123456 upstream', 'opaque-token-123456'],
    ['{"username":"me","password":"s3cr3t\\"x"}', 's3cr3t'],
    ['password=hunter22&user=me', 'hunter22'],
    ['refresh_token: rt-0123456789', 'rt-0123456789'],
    ['{"data":{"ssl":{"cert":"C","key":"K-material"},"x":1}}', 'K-material'],
    ['-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBase64Body\n-----END EC PRIVATE KEY-----', 'MHcCAQEEIBase64Body'],
    ['https://admin:adminpw@eisy.local:8443/rest', 'adminpw'],
  ])('scrubs %j', (input, secret) => {
    const out = redact(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it('leaves ordinary text alone', () => {
    const text = 'connected to wss://eisy.local:8443/rest/subscribe (status 101), 425 frames in 1.67 s';
    expect(redact(text)).toBe(text);
  });

  it('removes known exact secrets wherever they are', () => {
    expect(redact(`login with ${PASSWORD} failed`, [PASSWORD])).toBe(`login with ${REDACTED} failed`);
  });

  it('copies objects with secret keys masked, errors flattened, cycles kept, input untouched', () => {
    const input: Record<string, unknown> = {
      username: 'me',
      password: PASSWORD,
      headers: { Authorization: 'Basic abc', 'X-Other': 'fine' },
      data: { accessToken: JWT, refresh_token: 'r', ssl: { key: 'k', cert: 'c' }, note: `see ${JWT}` },
      error: Object.assign(new Error(`failed with Bearer ${JWT}`), { code: 'E1', status: 401 }),
      list: [{ token: 't' }, 'Bearer abcdefghij'],
      bytes: Buffer.from('secret'),
    };
    input.self = input;
    const out = redact(input) as {
      username: unknown;
      headers: Record<string, unknown>;
      data: Record<string, unknown>;
      error: unknown;
      self: unknown;
    };
    const text = JSON.stringify(out, (_k, v: unknown) => (v === out ? '[cycle]' : v));
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(JWT.split('.')[1]);
    expect(text).not.toContain('abcdefghij');
    expect(out.username).toBe('me');
    expect(out.headers['X-Other']).toBe('fine');
    expect(out.headers.Authorization).toBe(REDACTED);
    expect(out.data.ssl).toBe(REDACTED);
    expect(out.error).toMatchObject({ name: 'Error', code: 'E1', status: 401 });
    expect(out.self).toBe(out);
    expect(input.password).toBe(PASSWORD);
    const headers = new Headers({ authorization: 'Bearer zzz', accept: 'json' });
    expect(redact(headers)).toEqual({ authorization: REDACTED, accept: 'json' });
  });

  it('redactingLogger scrubs messages and details before the real logger sees them', () => {
    const spy = new SpyLogger();
    const logger = redactingLogger(spy, () => [PASSWORD]);
    logger.info(`using ${PASSWORD}`, { password: 'other', auth: `Bearer ${JWT}` });
    logger.error('boom', new Error(`Authorization: Bearer ${JWT}`));
    expect(spy.text()).not.toContain(PASSWORD);
    expect(spy.text()).not.toContain(JWT.split('.')[1]);
    expect(spy.lines).toHaveLength(2);
  });
});

describe('no strategy shows a secret through inspect or JSON', () => {
  let portal: FakePortal;
  beforeAll(async () => {
    portal = await new FakePortal('me@example.com', PASSWORD).start();
  });
  afterAll(() => portal.close());

  it('LocalAuth, PortalAuth (logged in) and TokenAuth', async () => {
    const spy = new SpyLogger();
    const local = new LocalAuth('admin', PASSWORD);
    const portalAuth = new PortalAuth({ email: 'me@example.com', password: PASSWORD, url: portal.url, logger: spy });
    const token = await portalAuth.accessToken();
    const tokenAuth = new TokenAuth({ token: portalAuth, frame: 'creds' });
    const fixed = new TokenAuth(token);
    const basic = local.headers().Authorization.split(' ')[1];
    for (const auth of [local, portalAuth, tokenAuth, fixed]) {
      // String(auth) on purpose: what a careless `${auth}` in a log line would show.
      // eslint-disable-next-line @typescript-eslint/no-base-to-string
      for (const shown of [inspect(auth, { depth: 10, showHidden: true }), JSON.stringify(auth), String(auth)]) {
        expect(shown).not.toContain(PASSWORD);
        expect(shown).not.toContain(basic);
        expect(shown).not.toContain(token.split('.')[1]);
      }
    }
    expect(JSON.stringify(portalAuth)).toContain('me@example.com');
    expect(inspect(tokenAuth)).toContain('creds');
    await portalAuth.stop();
    expect(spy.text()).not.toContain(PASSWORD);
    expect(spy.text()).not.toContain(token.split('.')[1]);
  });
});
