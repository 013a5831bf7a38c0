import { TlsError, AuthTransientError } from '../../src/errors';
import { PortalAuth } from '../../src/auth/portal';
import { assertTlsOptions, formatFingerprint, normalizeFingerprint } from '../../src/auth/fingerprint';
import { asTlsError, openSocket } from '../../src/services/tls';
import { silentLogger } from '../../src/logger';
import { CertFactory, type TestCert } from './helpers/certs';
import { FakePortal } from './helpers/portal';
import { SpyLogger, connectOnce } from './helpers/spy';

const EMAIL = 'owner@example.com';
const PASSWORD = 'pw-Correct-Horse-42';

describe('TLS: pinning, CA and default verification against a real HTTPS + WSS server', () => {
  const certs = new CertFactory();
  let served: TestCert;
  let other: TestCert;
  let wrongHost: TestCert;
  let portal: FakePortal;

  beforeAll(async () => {
    served = certs.make();
    other = certs.make();
    wrongHost = certs.make('DNS:elsewhere.example');
    portal = await new FakePortal(EMAIL, PASSWORD, served).start();
  });
  afterAll(async () => {
    await portal.close();
    certs.cleanup();
  });

  /** A valid bearer straight from the fake portal, for WebSocket upgrades. */
  async function bearer(): Promise<Record<string, string>> {
    const auth = new PortalAuth({
      email: EMAIL,
      password: PASSWORD,
      url: portal.url,
      tls: { fingerprint256: served.fingerprint256 },
    });
    return auth.headers();
  }

  describe('WebSocket via the Node transport', () => {
    it('rejects the self-signed certificate by default, before sending the request, with a fingerprint and pinning advice', async () => {
      const before = portal.upgrades.length;
      const error = await connectOnce(portal.wsUrl('/rest/subscribe'), undefined, silentLogger, {
        Authorization: 'Bearer secret-bearer-value',
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TlsError);
      const tls = error as TlsError;
      expect(tls.message).toContain(served.fingerprint256);
      expect(tls.message).toContain(served.hex);
      expect(tls.message).toContain(`tls: { fingerprint256: '${served.fingerprint256}' }`);
      expect(tls.message).toMatch(/self-signed/);
      expect(tls.fingerprint256).toBe(served.fingerprint256);
      expect(asTlsError(error)).toBe(error);
      // The upgrade (and its Authorization header) never reached the untrusted server.
      expect(portal.upgrades.length).toBe(before);
    });

    it('accepts a self-signed certificate whose pin matches, in colon form and in plain lower-case hex', async () => {
      const headers = await bearer();
      await expect(
        connectOnce(portal.wsUrl('/rest/subscribe'), { fingerprint256: served.fingerprint256 }, silentLogger, headers),
      ).resolves.toContain('<Event');
      await expect(
        connectOnce(portal.wsUrl('/rest/subscribe'), { fingerprint256: served.hex }, silentLogger, headers),
      ).resolves.toContain('<Event');
      await expect(
        connectOnce(
          portal.wsUrl('/rest/subscribe'),
          { fingerprint256: served.fingerprint256.toLowerCase() },
          silentLogger,
          headers,
        ),
      ).resolves.toContain('<Event');
    });

    it('rejects any other certificate when pinned, on every connection', async () => {
      const before = portal.upgrades.length;
      for (let i = 0; i < 2; i++) {
        const error = await connectOnce(
          portal.wsUrl('/rest/subscribe'),
          { fingerprint256: other.fingerprint256 },
          silentLogger,
        ).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TlsError);
        expect((error as Error).message).toContain(served.fingerprint256);
        expect((error as Error).message).toContain(served.hex);
        expect((error as Error).message).toContain('does not match');
      }
      expect(portal.upgrades.length).toBe(before);
      // Pinning wins over rejectUnauthorized: false.
      const error = await connectOnce(
        portal.wsUrl('/rest/subscribe'),
        { fingerprint256: other.hex, rejectUnauthorized: false },
        silentLogger,
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TlsError);
    });

    it('accepts the certificate given as tls.ca (chain and host name verified)', async () => {
      const headers = await bearer();
      await expect(
        connectOnce(portal.wsUrl('/rest/subscribe'), { ca: served.cert }, silentLogger, headers),
      ).resolves.toContain('<Event');
    });

    it('rejects with tls.ca set to another certificate', async () => {
      const error = await connectOnce(portal.wsUrl('/rest/subscribe'), { ca: other.cert }, silentLogger).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TlsError);
      expect((error as Error).message).toContain(served.fingerprint256);
    });

    it('rejects a CA-trusted certificate issued for another host name', async () => {
      const elsewhere = await new FakePortal(EMAIL, PASSWORD, wrongHost).start();
      try {
        const error = await connectOnce(elsewhere.wsUrl('/rest/subscribe'), { ca: wrongHost.cert }, silentLogger).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(TlsError);
        expect((error as Error).message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
        expect((error as Error).message).toContain(wrongHost.fingerprint256);
      } finally {
        await elsewhere.close();
      }
    });

    it('rejectUnauthorized: false connects and warns once per options object', async () => {
      const logger = new SpyLogger();
      const tls = { rejectUnauthorized: false };
      const headers = await bearer();
      await connectOnce(portal.wsUrl('/rest/subscribe'), tls, logger, headers);
      await connectOnce(portal.wsUrl('/rest/subscribe'), tls, logger, headers);
      expect(logger.count('warn')).toBe(1);
      expect(logger.text()).toMatch(/verification is OFF/);
      expect(logger.text()).toContain('fingerprint256');
    });

    it('leaves ws:// connections alone (plain socket)', async () => {
      const plain = await new FakePortal(EMAIL, PASSWORD).start();
      try {
        const auth = new PortalAuth({ email: EMAIL, password: PASSWORD, url: plain.url });
        await expect(
          connectOnce(
            plain.wsUrl('/rest/subscribe'),
            { fingerprint256: other.hex },
            silentLogger,
            await auth.headers(),
          ),
        ).resolves.toContain('<Event');
      } finally {
        await plain.close();
      }
    });
  });

  describe("PortalAuth's HTTP calls", () => {
    it('reject the self-signed certificate by default: AuthTransientError carrying the TlsError', async () => {
      const auth = new PortalAuth({ email: EMAIL, password: PASSWORD, url: portal.url });
      const logins = portal.count('/api/login');
      const error = await auth.headers().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthTransientError);
      expect((error as Error).message).toContain(served.fingerprint256);
      expect((error as Error).message).toContain(served.hex);
      expect((error as Error).message).toContain('fingerprint256');
      expect(asTlsError(error)).toBeInstanceOf(TlsError);
      expect((error as Error).message).not.toContain(PASSWORD);
      expect(portal.count('/api/login')).toBe(logins);
    });

    it('log in when the pin matches (both forms), and refuse a mismatching pin', async () => {
      for (const fingerprint256 of [served.fingerprint256, served.hex.toUpperCase()]) {
        const auth = new PortalAuth({ email: EMAIL, password: PASSWORD, url: portal.url, tls: { fingerprint256 } });
        await expect(auth.headers()).resolves.toEqual({ Authorization: expect.stringMatching(/^Bearer eyJ/) });
      }
      const pinnedOther = new PortalAuth({
        email: EMAIL,
        password: PASSWORD,
        url: portal.url,
        tls: { fingerprint256: other.fingerprint256 },
      });
      const error = await pinnedOther.headers().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthTransientError);
      expect(asTlsError(error)?.message).toContain('does not match');
    });

    it('log in with tls.ca, and with the stream-supplied TLS options via attach()', async () => {
      const withCa = new PortalAuth({ email: EMAIL, password: PASSWORD, url: portal.url, tls: { ca: served.cert } });
      await expect(withCa.headers()).resolves.toHaveProperty('Authorization');
      const attached = new PortalAuth({ email: EMAIL, password: PASSWORD });
      attached.attach({ baseUrl: portal.url, tls: { fingerprint256: served.hex }, logger: silentLogger });
      await expect(attached.headers()).resolves.toHaveProperty('Authorization');
    });
  });

  describe('fingerprint helpers', () => {
    it('normalise both forms and reject garbage', () => {
      expect(normalizeFingerprint(served.fingerprint256)).toBe(served.hex);
      expect(normalizeFingerprint(served.hex.toUpperCase())).toBe(served.hex);
      expect(formatFingerprint(served.hex)).toBe(served.fingerprint256);
      expect(() => normalizeFingerprint('AA:BB')).toThrow(TypeError);
      expect(() => assertTlsOptions({ fingerprint256: 'zz' })).toThrow(/64 hex digits/);
      expect(() =>
        openSocket({ host: '127.0.0.1', port: 1, secure: true }, { fingerprint256: 'nope' }, silentLogger),
      ).toThrow(TypeError);
      expect(() => new PortalAuth({ email: EMAIL, password: PASSWORD, tls: { fingerprint256: 'nope' } })).toThrow(
        TypeError,
      );
    });

    it('asTlsError maps raw Node TLS codes and ignores other errors', () => {
      const raw = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      expect(asTlsError(raw)).toBeInstanceOf(TlsError);
      expect(asTlsError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    });
  });
});
