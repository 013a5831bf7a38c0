/**
 * A controller reached through the portal or a reverse proxy has a path prefix
 * (`http://HOST/isy/<id>`): the stream and PortalAuth's endpoints live under it, with or without a
 * trailing `/`. Before the fix the prefix was dropped (`/rest/subscribe`, then 404s forever).
 */
import { createEventStream, PortalAuth, type EventStream } from '../../src';
import type { FetchLike } from '../../src/auth/http';
import { resolveEndpoint } from '../../src/options';
import { heartbeatFrame, ScriptedServer, until } from '../helpers/scriptedServer';
import { makeJwt } from '../auth/helpers/portal';

describe('resolveEndpoint keeps a base URL path prefix', () => {
  test.each(['http://h/isy/abc', 'http://h/isy/abc/', 'http://h/isy/abc//'])('%s', (url) => {
    expect(resolveEndpoint(url, undefined)).toEqual({
      streamUrl: 'ws://h/isy/abc/rest/subscribe',
      baseUrl: 'http://h/isy/abc',
    });
    expect(resolveEndpoint(url, '/api/events/subscribe').streamUrl).toBe('ws://h/isy/abc/api/events/subscribe');
  });

  test('no prefix, a stream URL given whole, and a ws URL used as is', () => {
    expect(resolveEndpoint('https://eisy.local:8443/', undefined)).toEqual({
      streamUrl: 'wss://eisy.local:8443/rest/subscribe',
      baseUrl: 'https://eisy.local:8443',
    });
    expect(resolveEndpoint('https://h/isy/abc/api/events/subscribe', undefined)).toEqual({
      streamUrl: 'wss://h/isy/abc/api/events/subscribe',
      baseUrl: 'https://h/isy/abc',
    });
    expect(resolveEndpoint('wss://h/isy/abc/rest/subscribe', undefined)).toEqual({
      streamUrl: 'wss://h/isy/abc/rest/subscribe',
      baseUrl: 'https://h/isy/abc',
    });
    expect(resolveEndpoint('ws://h/custom/feed', undefined)).toEqual({
      streamUrl: 'ws://h/custom/feed',
      baseUrl: 'http://h',
    });
  });
});

describe('the stream subscribes under the prefix', () => {
  let server: ScriptedServer;
  let stream: EventStream | undefined;
  beforeEach(async () => {
    server = await ScriptedServer.start();
  });
  afterEach(async () => {
    await stream?.stop();
    stream = undefined;
    await server.close();
  });

  test.each(['/isy/abc', '/isy/abc/'])('base URL with %s', async (prefix) => {
    server.verdict = (info) =>
      info.url === '/isy/abc/rest/subscribe' ? { kind: 'accept' } : { kind: 'reject', status: 404 };
    server.onConnection = (ws) => ws.send(heartbeatFrame(90, 0));
    stream = createEventStream({ url: `${server.url}${prefix}`, quietMs: 20, logger: silent });
    stream.start();
    await until(() => stream!.status === 'CONNECTED', 5000, 'CONNECTED');
    expect(server.upgrades.map((u) => u.url)).toEqual(['/isy/abc/rest/subscribe']);
  });
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A fetch that records URLs and answers like the portal's /api/login. */
function recordingFetch(urls: string[]): FetchLike {
  return (url) => {
    urls.push(url);
    const body = { successful: true, data: { accessToken: makeJwt({ exp: Date.now() / 1000 + 3600 }) } };
    return Promise.resolve({ status: 200, text: () => Promise.resolve(JSON.stringify(body)) });
  };
}

describe("PortalAuth's endpoints under the prefix", () => {
  test.each(['http://127.0.0.1:9/isy/abc', 'http://127.0.0.1:9/isy/abc/', 'ws://127.0.0.1:9/isy/abc/rest/subscribe'])(
    'own url %s',
    async (url) => {
      const urls: string[] = [];
      const auth = new PortalAuth({ email: 'a@b.c', password: 'pw', url, fetch: recordingFetch(urls) });
      await auth.headers();
      expect(urls).toEqual(['http://127.0.0.1:9/isy/abc/api/login']);
    },
  );

  test('the base URL a stream hands over', async () => {
    const urls: string[] = [];
    const auth = new PortalAuth({ email: 'a@b.c', password: 'pw', fetch: recordingFetch(urls) });
    createEventStream({ url: 'https://127.0.0.1:9/isy/abc/', auth, logger: silent });
    await auth.headers();
    expect(urls).toEqual(['https://127.0.0.1:9/isy/abc/api/login']);
  });
});
