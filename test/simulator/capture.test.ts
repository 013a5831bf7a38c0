import { readFileSync } from 'node:fs';
import { startSimulator, type Simulator } from '../../src/simulator';
import { CAPTURE, TestClient, captureAvailable, fields, mirrorOf, wsUrl } from './helpers';

/**
 * Replays the real eisy capture from ../shared (never copied into the repo). Locally the tests are
 * skipped when it is absent; under CI its absence is a failure.
 */
const describeCapture = captureAvailable || process.env.CI ? describe : describe.skip;

describeCapture('replaying the real capture (ws-frames.jsonl)', () => {
  let sim: Simulator;
  const clients: TestClient[] = [];
  const received = (): Array<{ time: number; data: string }> =>
    readFileSync(CAPTURE, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { direction: string; time: number; data: string })
      .filter((l) => l.direction === 'receive');

  beforeAll(() => {
    if (!captureAvailable) throw new Error(`capture missing: ${CAPTURE} (required when CI is set)`);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.shutdown()));
    await sim?.close();
  });

  it('sends every event raw on /rest/subscribe, renumbered for this subscription, then heartbeats', async () => {
    // 409 s of capture at speed 2000: ~0.2 s.
    sim = await startSimulator({ replay: CAPTURE, speed: 2000, heartbeatSec: 100, liveEvents: false });
    const events = received().filter((l) => (JSON.parse(l.data) as { type: string }).type === 'event');
    const c = new TestClient(wsUrl(sim.url, '/rest/subscribe'));
    clients.push(c);
    await c.until(() => c.frames.length >= events.length + 2, 4000, 'capture plus heartbeats');
    const xml = c.xml();
    expect(c.frames.every((f) => f.text.startsWith('<?xml'))).toBe(true); // unwrapped, no spolisy
    // Identical to the capture except seqnum/sid.
    for (let i = 0; i < events.length; i++) {
      const original = (JSON.parse(events[i].data) as { data: string }).data;
      expect(xml[i].replace(/seqnum="\d+" sid="[^"]*"/, '')).toBe(original.replace(/seqnum="\d+" sid="[^"]*"/, ''));
    }
    expect(xml.map((x) => fields(x).seqnum)).toEqual(xml.map((_, i) => i));
    const tail = xml.slice(events.length).map(fields);
    expect(tail.every((f) => f.control === '_0' && f.action === '0.045')).toBe(true); // 90 / 2000
    // The truth is what the capture's property frames say, and a mirror of the replay matches it.
    const truth = sim.truth();
    expect(truth.get('42 92 8C 1')?.get('OL')).toEqual({ value: '153', uom: '100', prec: '0', formatted: '60%' });
    expect(truth.get('42 92 8C 1')?.has('DON')).toBe(false);
    expect(mirrorOf(xml)).toEqual(truth);
  });

  it('keeps the JSON envelope (and non-event frames) on /api/events/subscribe, with the real timing', async () => {
    sim = await startSimulator({ replay: CAPTURE, speed: 20, liveEvents: false });
    const c = new TestClient(wsUrl(sim.url, '/api/events/subscribe'));
    clients.push(c);
    // The first 425 frames arrive within ~1.67 s / 20 of each other, then the capture goes quiet for 17.6 s / 20.
    await c.until(() => c.frames.length >= 426, 4000, 'replay burst and the spolisy frame');
    const first = c.frames[0];
    const burstEnd = c.frames[423];
    expect(burstEnd.at - first.at).toBeLessThan(400);
    expect(c.frames[424].at - burstEnd.at).toBeGreaterThan(500);
    expect(JSON.parse(first.text)).toEqual({ type: 'event', data: expect.stringContaining('<control>_28</control>') });
    expect(c.frames.map((f) => f.text)).toContain('{"type":"spolisy","data":"{\\"status\\":\\"inactive\\"}"}');
  });

  it('sends live changes made during the file after it, so the mirror still converges', async () => {
    sim = await startSimulator({ replay: CAPTURE, speed: 2000, liveEvents: false });
    const c = new TestClient(wsUrl(sim.url, '/rest/subscribe'));
    clients.push(c);
    await c.until(() => c.frames.length > 10);
    sim.emitChange('42 92 8C 1', 'ST', 255);
    await c.until(() => sim.sessions()[0]?.state === 'live', 4000);
    expect(await c.roundTrip()).toBe(true);
    expect(sim.truth().get('42 92 8C 1')?.get('ST')).toEqual({
      value: '255',
      uom: '100',
      prec: '0',
      formatted: '100%',
    });
    expect(mirrorOf(c.xml())).toEqual(sim.truth());
  });
});
