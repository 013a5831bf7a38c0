import { createEventStream, EventStreamStatus, LocalAuth, silentLogger, type EventStreamOptions } from '../../src';
import { until } from '../helpers/scriptedServer';
import { useScriptedServer } from './harness';

/** Options: validation, endpoint, upgrade headers, listener isolation. */
const world = useScriptedServer();

describe('options', () => {
  it.each([
    [{ url: 'not a url' }, /valid URL/],
    [{ url: 'ftp://eisy.local' }, /scheme/],
    [{ url: 'https://admin:secret@eisy.local:8443' }, /credentials in `auth`/],
    [{ url: 'https://eisy.local', quietMs: -1 }, /quietMs/],
    [{ url: 'https://eisy.local', backoffMs: [] }, /backoffMs/],
    [{ url: 'https://eisy.local', maxAttempts: 0 }, /maxAttempts/],
    [{ url: 'https://eisy.local', path: 'rest/subscribe' }, /path/],
  ])('rejects %p with a clear TypeError', (options, message) => {
    expect(() => createEventStream(options as EventStreamOptions)).toThrow(TypeError);
    expect(() => createEventStream(options as EventStreamOptions)).toThrow(message);
  });

  it('never echoes a password from the URL', () => {
    try {
      createEventStream({ url: 'https://admin:hunter2@eisy.local:8443' });
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });

  it('maps https to wss on /rest/subscribe, and honours path', async () => {
    world.server.onConnection = () => {};
    const a = world.open({ path: '/api/events/subscribe' });
    a.start();
    await until(() => world.server.upgrades.length === 1);
    expect(world.server.upgrades[0].url).toBe('/api/events/subscribe');
    await a.stop();
    const b = world.open();
    b.start();
    await until(() => world.server.upgrades.length === 2);
    expect(world.server.upgrades[1].url).toBe('/rest/subscribe');
  });

  it('sends extra headers, and the legacy ISY994 subprotocol and Origin when asked', async () => {
    const stream = world.open({
      headers: { 'User-Agent': 'my-bridge/1.0' },
      legacyIsy: true,
      auth: new LocalAuth('u', 'p'),
    });
    stream.start();
    await until(() => stream.status === 'SYNCING');
    const headers = world.server.upgrades[0].headers;
    expect(headers['user-agent']).toBe('my-bridge/1.0');
    expect(headers['sec-websocket-protocol']).toBe('ISYSUB');
    expect(headers.origin).toBe('com.universal-devices.websockets.isy');
    expect(headers.authorization).toMatch(/^Basic /);
  });

  it('isolates a throwing status listener', async () => {
    const logged: string[] = [];
    const stream = world.open({ logger: { ...silentLogger, error: (m: string) => logged.push(m) } });
    stream.onStatus(() => {
      throw new Error('listener bug');
    });
    const seen: string[] = [];
    stream.onStatus((s) => seen.push(s));
    stream.start();
    await until(() => stream.status === 'CONNECTED', 3000);
    expect(seen).toContain('CONNECTED');
    expect(logged.some((m) => m.includes('status listener'))).toBe(true);
  });

  it('exposes the eight statuses', () => {
    expect(Object.values(EventStreamStatus).sort()).toEqual([
      'CONNECTED',
      'FAILED',
      'INITIALIZING',
      'LOST',
      'NOT_STARTED',
      'RECONNECTING',
      'STOPPED',
      'SYNCING',
    ]);
  });
});
