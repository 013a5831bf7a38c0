import { decodeJwtPayload, startSimulator, type Simulator } from '../../src/simulator';
import { TestClient, wsUrl } from './helpers';

const AUTH = { username: 'user@example.invalid', password: 'pw' };

interface TokenReply {
  successful: boolean;
  data: { accessToken: string; refreshToken: string; ssl: { privateKey: string; certificate: string } };
}

describe('portal-style HTTP endpoints', () => {
  let sim: Simulator;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeEach(async () => {
    sim = await startSimulator({ auth: AUTH, tokenTtlSec: 120, liveEvents: false });
  });
  afterEach(() => sim.close());

  it('POST /api/login issues HS256 JWTs with exp, and a fake ssl key pair', async () => {
    const res = await post('/api/login', AUTH);
    expect(res.status).toBe(200);
    const body = (await res.json()) as TokenReply;
    expect(body.successful).toBe(true);
    const access = decodeJwtPayload(body.data.accessToken) as { exp: number; iat: number; sub: string };
    expect(access.sub).toBe(AUTH.username);
    expect(access.exp - access.iat).toBe(120);
    expect(access.exp).toBeGreaterThan(Date.now() / 1000);
    expect(JSON.parse(Buffer.from(body.data.accessToken.split('.')[0], 'base64url').toString())).toEqual({
      alg: 'HS256',
      typ: 'JWT',
    });
    expect(body.data.ssl.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\nSIMULATED/);
    expect(sim.stats.logins).toBe(1);

    expect((await post('/api/login', { ...AUTH, password: 'wrong' })).status).toBe(401);
    expect((await post('/api/login', {})).status).toBe(400);
  });

  it('POST /api/jwt/refresh trades a refresh token for a new pair; an access token is refused', async () => {
    const login = (await (await post('/api/login', AUTH)).json()) as TokenReply;
    const res = await post('/api/jwt/refresh', { refreshToken: login.data.refreshToken });
    expect(res.status).toBe(200);
    const fresh = (await res.json()) as TokenReply;
    expect(fresh.successful).toBe(true);
    expect(fresh.data.accessToken).not.toBe(login.data.accessToken);
    expect(decodeJwtPayload(fresh.data.accessToken).exp).toEqual(expect.any(Number));
    expect((await post('/api/jwt/refresh', { refreshToken: login.data.accessToken })).status).toBe(401);
    expect(sim.stats.refreshes).toBe(1);
  });

  it('POST /api/jwt/logout revokes the login: its tokens no longer open a stream or refresh', async () => {
    const login = (await (await post('/api/login', AUTH)).json()) as TokenReply;
    const bearer = { authorization: `Bearer ${login.data.accessToken}` };
    expect((await post('/api/jwt/logout', {}, bearer)).status).toBe(200);
    expect((await post('/api/jwt/refresh', { refreshToken: login.data.refreshToken })).status).toBe(401);
    const c = new TestClient(wsUrl(sim.url, '/rest/subscribe'), { headers: bearer });
    expect((await c.refused).status).toBe(401);
    await c.shutdown();
  });

  it('expired tokens are refused', async () => {
    await sim.close();
    sim = await startSimulator({ auth: AUTH, tokenTtlSec: 0, liveEvents: false });
    const login = (await (await post('/api/login', AUTH)).json()) as TokenReply;
    const c = new TestClient(wsUrl(sim.url, '/rest/subscribe'), {
      headers: { authorization: `Bearer ${login.data.accessToken}` },
    });
    expect((await c.refused).status).toBe(401);
    await c.shutdown();
  });

  it('GET /api/config answers without auth; unknown paths are 404', async () => {
    const res = await fetch(`${sim.url}/api/config`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Record<string, string> };
    expect(Object.keys(body.data).sort()).toEqual(['portalHost', 'uuid', 'version']);
    expect(body.data.uuid).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect((await fetch(`${sim.url}/rest/nodes`)).status).toBe(404);
  });
});
