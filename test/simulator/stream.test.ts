import { startSimulator, type Simulator } from '../../src/simulator';
import { FRAME_RE, TestClient, basic, fields, mirrorOf, wsUrl } from './helpers';

const AUTH = { username: 'admin', password: 's3cret' };

describe('simulator streams', () => {
  let sim: Simulator;
  const clients: TestClient[] = [];
  const client = (path: string, options?: ConstructorParameters<typeof TestClient>[1]): TestClient => {
    const c = new TestClient(wsUrl(sim.url, path), options);
    clients.push(c);
    return c;
  };
  const restClient = (): TestClient =>
    client('/rest/subscribe', { headers: { authorization: basic(AUTH.username, AUTH.password) } });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.shutdown()));
    await sim.close();
  });

  it('accepts Basic auth on /rest/subscribe and answers wrong or missing credentials with HTTP 401', async () => {
    sim = await startSimulator({ auth: AUTH, speed: 50, liveEvents: false });
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const good = restClient();
    await good.opened;
    await good.until(() => good.frames.length > 0);
    const wrong = client('/rest/subscribe', { headers: { authorization: basic('admin', 'nope') } });
    const none = client('/rest/subscribe');
    const [w, n] = await Promise.all([wrong.refused, none.refused]);
    expect(w.status).toBe(401);
    expect(w.headers['www-authenticate']).toMatch(/^Basic/);
    expect(n.status).toBe(401);
    expect(sim.stats).toMatchObject({ upgrades: 3, rejects: 2, authFailures: 2, subscriptions: 1 });
  });

  it('replays status in the real wire format, then sends heartbeats with the scaled promise', async () => {
    sim = await startSimulator({ auth: AUTH, speed: 40, heartbeatSec: 4, heartbeatPromise: 120, liveEvents: false });
    const c = restClient();
    const propertyCount = [...sim.house.nodes.values()].reduce((n, node) => n + node.properties.size, 0);
    // Replay (~1.7 s / 40) then two heartbeats 100 ms apart.
    await c.until(() => c.xml().filter((x) => x.includes('<control>_0</control>')).length >= 3, 3000, 'heartbeats');
    const xml = c.xml();
    for (const x of xml) expect(x).toMatch(FRAME_RE);
    const f = xml.map(fields);
    expect(f.map((x) => x.seqnum)).toEqual(f.map((_, i) => i));
    expect(new Set(f.map((x) => x.sid))).toEqual(new Set(['uuid:1']));
    // Starts like the real capture: Matter and system status first.
    expect(f.slice(0, 3).map((x) => `${x.control}/${x.action}`)).toEqual(['_28/1.3', '_5/0', '_5/1']);
    expect(f.some((x) => x.control === '_1' && x.action === '0')).toBe(true);
    expect(f.some((x) => x.control === '_1' && x.action === '6')).toBe(true);
    // Every property of every node was replayed, and the replay alone already gives the truth.
    expect(f.filter((x) => x.node !== '').length).toBe(propertyCount);
    expect(mirrorOf(xml)).toEqual(sim.truth());
    // Heartbeats: `_0` with action 120 / 40 = 3, about 100 ms apart.
    const beats = c.frames.filter((fr) => fr.text.includes('<control>_0</control>'));
    expect(fields(beats[1].text).action).toBe('3');
    expect(beats[2].at - beats[1].at).toBeGreaterThan(60);
  });

  it('gives each subscription a new sid and restarts seqnum at 0', async () => {
    sim = await startSimulator({ speed: 50, liveEvents: false });
    const first = client('/rest/subscribe');
    await first.until(() => first.frames.length >= 5);
    await first.shutdown();
    const second = client('/rest/subscribe');
    await second.until(() => second.frames.length >= 5);
    const a = fields(first.xml()[0]);
    const b = fields(second.xml()[0]);
    expect([a.sid, a.seqnum]).toEqual(['uuid:1', 0]);
    expect([b.sid, b.seqnum]).toEqual(['uuid:2', 0]);
  });

  it('waits for a token frame on /api/events/subscribe (both shapes) and sends JSON envelopes', async () => {
    sim = await startSimulator({ auth: AUTH, speed: 50, liveEvents: false });
    const login = await fetch(`${sim.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(AUTH),
    });
    const token = ((await login.json()) as { data: { accessToken: string } }).data.accessToken;

    for (const frame of [{ auth: { token } }, { type: 'auth', creds: { token } }]) {
      const c = client('/api/events/subscribe');
      await c.opened;
      await new Promise((r) => setTimeout(r, 80));
      expect(c.frames).toHaveLength(0); // nothing before the token frame
      c.ws.send(JSON.stringify(frame));
      await c.until(() => c.frames.length >= 3);
      const env = JSON.parse(c.frames[0].text) as { type: string; data: string };
      expect(env.type).toBe('event');
      expect(env.data).toMatch(FRAME_RE);
      expect(fields(env.data).seqnum).toBe(0);
    }

    const bad = client('/api/events/subscribe');
    await bad.opened;
    bad.ws.send(JSON.stringify({ auth: { token: `${token}x` } }));
    expect((await bad.closed).code).toBe(1008);
    expect(bad.frames).toHaveLength(0);
    expect(sim.stats.tokenFrameFailures).toBe(1);
  });

  it('accepts only the configured token-frame shapes and closes on a missing frame', async () => {
    sim = await startSimulator({ auth: AUTH, speed: 50, liveEvents: false, tokenFrames: ['auth'], authTimeoutMs: 100 });
    const login = await fetch(`${sim.url}/api/login`, { method: 'POST', body: JSON.stringify(AUTH) });
    const token = ((await login.json()) as { data: { accessToken: string } }).data.accessToken;
    const other = client('/api/events/subscribe');
    await other.opened;
    other.ws.send(JSON.stringify({ type: 'auth', creds: { token } }));
    expect((await other.closed).code).toBe(1008);
    const silent = client('/api/events/subscribe');
    expect((await silent.closed).code).toBe(1008);
  });

  it('accepts a bearer JWT on the /rest/subscribe upgrade', async () => {
    sim = await startSimulator({ auth: AUTH, speed: 50, liveEvents: false });
    const login = await fetch(`${sim.url}/api/login`, { method: 'POST', body: JSON.stringify(AUTH) });
    const token = ((await login.json()) as { data: { accessToken: string } }).data.accessToken;
    const c = client('/rest/subscribe', { headers: { authorization: `Bearer ${token}` } });
    await c.until(() => c.frames.length > 0);
    const forged = client('/rest/subscribe', { headers: { authorization: `Bearer ${token.slice(0, -2)}xx` } });
    expect((await forged.refused).status).toBe(401);
  });

  it('applies live changes to its truth before sending them, so a mirror converges on truth()', async () => {
    // Live changes every ~15 ms, also during the ~0.85 s replay: a replayed frame must never undo one.
    sim = await startSimulator({ speed: 2, liveEvents: { intervalMs: 30, commands: true }, seed: 42 });
    const before = sim.truth();
    const c = client('/rest/subscribe');
    await c.until(() => sim.sessions()[0]?.state === 'live', 3000, 'end of replay');
    const atLive = c.frames.length;
    await c.until(() => c.frames.length > atLive + 10, 3000, 'live events');
    sim.setLiveEvents(false);
    expect(await c.roundTrip()).toBe(true); // the pong comes after every frame sent before it
    expect(mirrorOf(c.xml())).toEqual(sim.truth());
    expect(sim.truth()).not.toEqual(before);
    expect(c.xml().some((x) => /<control>D(ON|OF)<\/control>/.test(x))).toBe(true);
  });

  it('emitChange() updates truth and reaches every subscriber', async () => {
    sim = await startSimulator({ speed: 100, liveEvents: false });
    const c = client('/rest/subscribe');
    await c.until(() => sim.sessions()[0]?.state === 'live', 3000);
    const dimmer = [...sim.house.nodes.values()].find((n) => n.kind === 'dimmer')!;
    const applied = sim.emitChange(dimmer.address, 'ST', 102);
    expect(applied).toEqual({ value: '102', uom: '100', prec: '0', formatted: '40%' });
    expect(sim.truth().get(dimmer.address)?.get('ST')).toEqual(applied);
    await c.until(() =>
      c.xml().some((x) => x.includes(`<action uom="100" prec="0">102</action><node>${dimmer.address}</node>`)),
    );
    expect(c.xml().at(-1)).toContain('<fmtAct>40%</fmtAct><fmtName>Status</fmtName>');
    expect(() => sim.emitChange('00 00 00 9', 'ST', 1)).toThrow(/unknown node/);
    sim.emitEvent({ control: '_3', action: 'NR', node: dimmer.address, eventInfo: '' });
    await c.until(() => c.xml().some((x) => x.includes('<control>_3</control><action>NR</action>')));
  });

  it('counts open sockets and the peak per client', async () => {
    sim = await startSimulator({ speed: 100, liveEvents: false });
    const leaky = [
      client('/rest/subscribe', { headers: { 'x-client-id': 'leaky' } }),
      client('/rest/subscribe', { headers: { 'x-client-id': 'leaky' } }),
    ];
    const tidy = client('/rest/subscribe', { headers: { 'x-client-id': 'tidy' } });
    await Promise.all([...leaky, tidy].map((c) => c.opened));
    await Promise.all([...leaky, tidy].map((c) => c.until(() => c.frames.length > 0)));
    expect(sim.stats.openSockets).toBe(3);
    await leaky[0].shutdown();
    await tidy.until(() => sim.stats.openSockets === 2);
    expect(sim.stats.peakOpenSockets).toBe(3);
    expect(sim.stats.peakOpenPerClient.get('leaky')).toBe(2);
    expect(sim.stats.peakOpenPerClient.get('tidy')).toBe(1);
    expect(sim.stats.openPerClient.get('leaky')).toBe(1);
    expect(sim.stats.framesSent).toBeGreaterThan(0);
    expect(
      sim
        .sessions()
        .map((s) => s.client)
        .sort(),
    ).toEqual(['leaky', 'tidy']);
  });
});
