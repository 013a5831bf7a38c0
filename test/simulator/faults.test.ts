import { startSimulator, type Simulator } from '../../src/simulator';
import { TestClient, fields, sleep, wsUrl } from './helpers';

describe('fault injection, seen from a bare client', () => {
  let sim: Simulator;
  const clients: TestClient[] = [];
  const client = (options?: ConstructorParameters<typeof TestClient>[1], path = '/rest/subscribe'): TestClient => {
    const c = new TestClient(wsUrl(sim.url, path), options);
    clients.push(c);
    return c;
  };
  /** A client whose replay is over. */
  const liveClient = async (options?: ConstructorParameters<typeof TestClient>[1]): Promise<TestClient> => {
    const c = client(options);
    await c.opened;
    const id = sim.sessions().at(-1)!.id;
    await c.until(() => sim.sessions().find((s) => s.id === id)?.state === 'live', 3000, 'end of replay');
    expect(await c.roundTrip()).toBe(true); // every frame sent so far has arrived
    return c;
  };

  beforeEach(async () => {
    sim = await startSimulator({ speed: 100, heartbeatSec: 3, liveEvents: false }); // heartbeats every 30 ms
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.shutdown()));
    await sim.close();
  });

  it('drop() closes every socket abruptly (1006), or cleanly with a code', async () => {
    const [a, b] = await Promise.all([liveClient(), liveClient()]);
    expect(sim.faults.drop()).toBe(2);
    expect((await a.closed).code).toBe(1006);
    expect((await b.closed).code).toBe(1006);
    const c = await liveClient();
    sim.faults.drop({ code: 1012, reason: 'restart' });
    expect(await c.closed).toEqual({ code: 1012, reason: 'restart' });
  });

  it('stall() goes silent (no frames, no pongs) with the socket open; resume() delivers what was held', async () => {
    const c = await liveClient();
    expect(sim.faults.stall()).toBe(1);
    const stalledAt = c.frames.length;
    expect(await c.roundTrip(150)).toBe(false);
    expect(c.frames.length).toBe(stalledAt);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    expect(sim.stats.openSockets).toBe(1);
    // A new subscription during the stall is not affected by default.
    const fresh = client();
    await fresh.until(() => fresh.frames.length > 0);
    sim.faults.resume();
    await c.until(() => c.frames.length > stalledAt + 2);
    const seqs = c.xml().map((x) => fields(x).seqnum);
    expect(seqs).toEqual(seqs.map((_, i) => i)); // nothing lost, nothing reordered
    expect(await c.roundTrip()).toBe(true);
  });

  it('stall({ newSockets: true }) also silences subscriptions made during the stall', async () => {
    sim.faults.stall({ newSockets: true });
    const c = client();
    await c.opened;
    await sleep(80);
    expect(c.frames).toHaveLength(0);
    sim.faults.resume();
    await c.until(() => c.frames.length > 0);
  });

  it('reject(status, times) answers the next upgrades with that status, then accepts again', async () => {
    sim.faults.reject(503, 2);
    sim.faults.reject(401);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await client().refused).status);
    expect(statuses).toEqual([503, 503, 401]);
    const ok = client();
    await ok.until(() => ok.frames.length > 0);
    expect(sim.stats.rejects).toBe(3);
    expect(sim.stats.authFailures).toBe(0);
  });

  it('acceptThenClose(times) completes the handshake and closes at once, without a replay', async () => {
    sim.faults.acceptThenClose(1);
    sim.faults.acceptThenClose(1, 'terminate');
    const a = client();
    await a.opened;
    expect((await a.closed).code).toBe(1011);
    const b = client();
    await b.opened;
    expect((await b.closed).code).toBe(1006);
    expect([...a.frames, ...b.frames]).toHaveLength(0);
    const ok = client();
    await ok.until(() => ok.frames.length > 0);
    expect(fields(ok.xml()[0]).sid).toBe('uuid:1'); // the closed ones never subscribed
  });

  it('garbage() sends malformed XML, a binary frame and invalid UTF-8 (a strict client closes 1007)', async () => {
    const strict = await liveClient();
    const lenient = await liveClient({ skipUTF8Validation: true });
    const before = [strict.frames.length, lenient.frames.length] as const;
    expect(sim.faults.garbage()).toBe(2);
    await strict.closed;
    // ws fails the connection with 1007 and stops reading, so its own close event says 1006.
    expect(strict.errors.map((e) => e.code)).toEqual(['WS_ERR_INVALID_UTF8']);
    const got = strict.frames.slice(before[0]);
    expect(got[0].text).toMatch(/<node>$/); // truncated XML
    expect(got.some((f) => f.isBinary)).toBe(true);
    await lenient.until(() => lenient.frames.length >= before[1] + 3);
    const bad = lenient.frames.slice(before[1]).find((f) => !f.isBinary && f.data.includes(Buffer.from([0xc3, 0x28])));
    expect(bad).toBeDefined();
  });

  it('garbage(["ampersand"]) sends the real-world unescaped & log frame, in the JSON envelope on /api', async () => {
    const c = client(undefined, '/api/events/subscribe');
    await c.until(() => sim.sessions()[0]?.state === 'live', 3000);
    sim.faults.garbage(['ampersand']);
    await c.until(() => c.frames.some((f) => f.text.includes('NUM.107=24&VAL.111=1')));
    const env = JSON.parse(c.frames.find((f) => f.text.includes('&VAL'))!.text) as { type: string; data: string };
    expect(env.type).toBe('event');
  });

  it('slowReplay(ms, times) delays the start of the replay of the next subscriptions', async () => {
    sim.faults.slowReplay(150, 1);
    const slow = client();
    await slow.opened;
    const opened = performance.now();
    await slow.until(() => slow.frames.length > 0);
    expect(slow.frames[0].at - opened).toBeGreaterThanOrEqual(140);
    expect(sim.sessions()[0]?.sid).toBe('uuid:1');
    const quick = client();
    await quick.opened;
    const quickOpened = performance.now();
    await quick.until(() => quick.frames.length > 0);
    expect(quick.frames[0].at - quickOpened).toBeLessThan(100);
  });

  it('rejectLogin(status, times) fails the next login/refresh requests', async () => {
    sim.faults.rejectLogin(503, 1);
    const post = (): Promise<Response> =>
      fetch(`${sim.url}/api/login`, { method: 'POST', body: JSON.stringify({ username: 'u', password: 'p' }) });
    expect((await post()).status).toBe(503);
    expect((await post()).status).toBe(200);
  });

  it('reset() forgets pending faults', async () => {
    sim.faults.reject(500, 5);
    sim.faults.slowReplay(10_000);
    sim.faults.reset();
    const c = client();
    await c.until(() => c.frames.length > 0);
  });
});
