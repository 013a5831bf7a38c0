/**
 * The bridge against a real broker (Aedes, in process, on a loopback TCP port) and the simulator:
 * the topic contract, replay as state, no republish on an unchanged reconnect, sweep clears,
 * broker outage and return, stop.
 */
import { createMqttBridge, startEmbeddedBroker, type EmbeddedBroker, type MqttBridge } from '../../src/mqtt';
import { connectAsync } from 'mqtt';
import type { Simulator } from '../../src/simulator';
import type { EventStream } from '../../src/stream';
import { retainedSnapshot, simulatedStream, Subscriber, until } from './helpers';

const BASE = 'test/house';
const STATE = /^test\/house\/(node|program|variable)\//;

const address = (node: string): string => node.replace(/ /g, '_');

describe('MQTT bridge on Aedes', () => {
  let sim: Simulator;
  let stream: EventStream;
  let broker: EmbeddedBroker;
  let bridge: MqttBridge;
  let sub: Subscriber;

  beforeEach(async () => {
    ({ sim, stream } = await simulatedStream());
    broker = await startEmbeddedBroker();
    sub = await Subscriber.open(broker.url, `${BASE}/#`);
    bridge = createMqttBridge({ stream, url: broker.url, baseTopic: BASE, clientOptions: { reconnectPeriod: 100 } });
  });

  afterEach(async () => {
    await bridge.stop();
    await stream.stop();
    await sub.close();
    await broker.close();
    await sim.close();
  });

  const online = (): Promise<void> =>
    until(() => sub.last(`${BASE}/availability`) === 'online', 8000, 'availability online');

  it('publishes the mirror as retained state topics: the replay is state, never an event', async () => {
    const replayed = new Set<string>();
    const live = new Set<string>();
    stream.onEvent((e, info) => (info.replay ? replayed : live).add(`${e.sid}/${e.seqnum}`));
    bridge.start();
    stream.start();
    await online();
    await until(() => sub.last(`${BASE}/status`) === 'CONNECTED', 2000, 'status CONNECTED');

    const snapshot = await retainedSnapshot(broker.url, `${BASE}/#`);
    const truth = sim.truth();
    let checked = 0;
    for (const [node, controls] of truth) {
      for (const [control, want] of controls) {
        const payload = snapshot.get(`${BASE}/node/${address(node)}/${control}`);
        expect(payload).toBeDefined();
        const got = JSON.parse(payload!) as Record<string, unknown>;
        expect(got.value).toBe(want.value);
        if (want.formatted !== undefined) expect(got.formatted).toBe(want.formatted);
        if (want.uom !== undefined) expect(got.uom).toBe(want.uom);
        expect(typeof got.time).toBe('string');
        expect(Number.isNaN(Date.parse(got.time as string))).toBe(false);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    // Programs and variables of the house, with the decoded shapes.
    for (const program of sim.house.programs.values()) {
      const got = JSON.parse(snapshot.get(`${BASE}/program/${program.id}`) ?? 'null') as Record<string, unknown>;
      expect(got).toMatchObject({ id: program.id, enabled: program.enabled, runAtReboot: program.runAtReboot });
    }
    for (const v of sim.house.variables.values()) {
      const got = JSON.parse(snapshot.get(`${BASE}/variable/${v.type}/${v.id}`) ?? 'null') as Record<string, unknown>;
      expect(got).toMatchObject({ value: v.value, prec: v.prec });
    }
    expect(snapshot.get(`${BASE}/availability`)).toBe('online');
    expect(snapshot.get(`${BASE}/status`)).toBe('CONNECTED');
    // Not one replayed frame went out as an event; every live one did.
    expect(replayed.size).toBeGreaterThan(100);
    const events = sub.seen
      .filter((m) => m.topic === `${BASE}/event`)
      .map((m) => JSON.parse(m.payload) as { sid: string; seqnum: number })
      .map((e) => `${e.sid}/${e.seqnum}`);
    for (const e of events) expect(replayed.has(e)).toBe(false);
    await until(() => sub.seen.filter((m) => m.topic === `${BASE}/event`).length === live.size, 2000, 'live events');

    // A live change: one event (not retained) and the state topic.
    const node = [...truth.keys()].find((n) => truth.get(n)!.has('ST'))!;
    const before = sub.seen.length;
    const value = truth.get(node)!.get('ST')!.value === '0' ? '255' : '0';
    sim.emitChange(node, 'ST', value);
    const topic = `${BASE}/node/${address(node)}/ST`;
    await until(() => sub.since(before).some((m) => m.topic === `${BASE}/event`), 3000, 'live event');
    await until(() => (JSON.parse(sub.last(topic) ?? '{}') as { value?: string }).value === value, 3000, 'state');
    const event = sub.since(before).find((m) => m.topic === `${BASE}/event`)!;
    expect(event.retain).toBe(false);
    expect(JSON.parse(event.payload)).toMatchObject({ node, control: 'ST', action: value });
  });

  it('republishes no state topic after a controller reconnect whose replay changes nothing', async () => {
    bridge.start();
    stream.start();
    await online();
    const published = bridge.stats.statePublished;
    expect(published).toBeGreaterThan(100);
    const before = sub.seen.length;

    sim.faults.drop();
    await until(() => sub.since(before).some((m) => m.payload === 'offline'), 3000, 'offline on drop');
    await until(() => stream.stats.connectedCount === 2, 8000, 'second CONNECTED');
    await online();

    expect(sub.since(before).filter((m) => STATE.test(m.topic))).toEqual([]);
    expect(bridge.stats.statePublished).toBe(published);
    expect(bridge.stats.stateUnchanged).toBeGreaterThan(100);
    // Status walked the reconnect; availability followed it.
    const statuses = sub.since(before, `${BASE}/status`).map((m) => m.payload);
    expect(statuses).toEqual(expect.arrayContaining(['LOST', 'SYNCING', 'CONNECTED']));
  });

  it('publishes exactly what a reconnect replay changed', async () => {
    bridge.start();
    stream.start();
    await online();
    // Change one value while no socket is open: only the replay can tell.
    sim.faults.reject(503, 1);
    sim.faults.drop();
    const node = [...sim.house.nodes.values()].find((n) => n.properties.has('ST'))!;
    const current = node.properties.get('ST')!.value;
    await until(() => stream.status !== 'CONNECTED', 3000, 'link lost');
    const before = sub.seen.length;
    sim.emitChange(node.address, 'ST', current === '0' ? '255' : '0');
    await until(() => stream.stats.connectedCount === 2, 8000, 'second CONNECTED');
    await online();
    const state = sub.since(before).filter((m) => STATE.test(m.topic));
    expect(state.map((m) => m.topic)).toEqual([`${BASE}/node/${address(node.address)}/ST`]);
    // The change arrived in a replay: state, not an event (live heartbeats may be there).
    const events = sub.since(before).filter((m) => m.topic === `${BASE}/event`);
    expect(events.filter((m) => !m.payload.includes('"control":"_0"'))).toEqual([]);
  });

  it('clears the retained topics of a node removed by the end-of-replay sweep', async () => {
    bridge.start();
    stream.start();
    await online();
    const gone = [...sim.house.nodes.values()].find((n) => n.properties.size >= 2)!;
    const topics = [...gone.properties.keys()].map((c) => `${BASE}/node/${address(gone.address)}/${c}`);
    const before = sub.seen.length;
    sim.house.nodes.delete(gone.address);
    sim.faults.drop();
    await until(() => stream.stats.connectedCount === 2, 8000, 'second CONNECTED');
    await until(() => topics.every((t) => sub.last(t) === ''), 3000, 'cleared topics');
    const clears = sub.since(before).filter((m) => m.payload === '');
    expect(clears.map((m) => m.topic).sort()).toEqual([...topics].sort());
    expect(bridge.stats.cleared).toBe(topics.length);
    // A newcomer gets none of them.
    const snapshot = await retainedSnapshot(broker.url, `${BASE}/#`);
    for (const t of topics) expect(snapshot.has(t)).toBe(false);
    expect(snapshot.size).toBeGreaterThan(100);
  });

  it('clears the retained topics of a node removed live (_3 NR)', async () => {
    bridge.start();
    stream.start();
    await online();
    const gone = [...sim.house.nodes.values()].find((n) => n.properties.size >= 1)!;
    const topics = [...gone.properties.keys()].map((c) => `${BASE}/node/${address(gone.address)}/${c}`);
    sim.emitEvent({ control: '_3', action: 'NR', node: gone.address });
    await until(() => topics.every((t) => sub.last(t) === ''), 3000, 'cleared topics');
    const nr = sub.seen.find((m) => m.topic === `${BASE}/event` && m.payload.includes('"NR"'));
    expect(nr).toBeDefined();
  });

  it('clears retained topics an earlier run left for nodes removed while no bridge was running', async () => {
    // What an earlier run left on the broker: a node the controller has since removed, a node it
    // still has (stale content), and another bridge's node under another base topic.
    const ghost = `${BASE}/node/AA_BB_CC_1/ST`;
    const [kept] = sim.house.nodes.keys();
    const keptTopic = `${BASE}/node/${address(kept)}/ST`;
    const elsewhere = 'other/house/node/AA_BB_CC_1/ST';
    const earlier = await connectAsync(broker.url);
    for (const topic of [ghost, keptTopic, elsewhere])
      await earlier.publishAsync(topic, '{"value":"1","time":"2026-01-01T00:00:00.000Z"}', { qos: 1, retain: true });
    await earlier.endAsync();

    bridge.start();
    stream.start();
    await online();
    await until(() => sub.last(ghost) === '', 3000, 'the removed node cleared');
    expect(bridge.stats.cleared).toBe(1);
    const snapshot = await retainedSnapshot(broker.url, '#');
    expect(snapshot.has(ghost)).toBe(false);
    expect(JSON.parse(snapshot.get(keptTopic)!)).toEqual(expect.objectContaining({ value: expect.any(String) }));
    expect(snapshot.get(keptTopic)).not.toContain('2026-01-01');
    expect(snapshot.has(elsewhere)).toBe(true);
  });

  it('publishes an event with its eventInfo and the decoded eventInfoText', async () => {
    bridge.start();
    stream.start();
    await online();
    sim.emitEvent({ control: '_7', action: '1', node: '', eventInfo: '<![CDATA[U7 Rest: a&b]]> x &lt; y' });
    await until(() => sub.seen.some((m) => m.topic === `${BASE}/event` && m.payload.includes('"_7"')), 3000, '_7');
    const event = sub.seen.find((m) => m.topic === `${BASE}/event` && m.payload.includes('"_7"'))!;
    expect(JSON.parse(event.payload)).toMatchObject({
      control: '_7',
      eventInfo: '<![CDATA[U7 Rest: a&b]]> x &lt; y',
      eventInfoText: 'U7 Rest: a&b x < y',
    });
  });

  it('stop() publishes offline and closes its connection to the broker', async () => {
    bridge.start();
    stream.start();
    await online();
    expect(broker.connectedClients).toBe(2);
    await bridge.stop();
    expect(sub.last(`${BASE}/availability`)).toBe('offline');
    await until(() => broker.connectedClients === 1, 2000, 'bridge client gone');
    // Listening stopped too: a live change reaches no topic.
    const before = sub.seen.length;
    const node = [...sim.house.nodes.values()].find((n) => n.properties.has('ST'))!;
    sim.emitChange(node.address, 'ST', node.properties.get('ST')!.value === '0' ? '255' : '0');
    await new Promise((r) => setTimeout(r, 200));
    expect(sub.since(before)).toEqual([]);
    const snapshot = await retainedSnapshot(broker.url, `${BASE}/availability`);
    expect(snapshot.get(`${BASE}/availability`)).toBe('offline');
  });
});
