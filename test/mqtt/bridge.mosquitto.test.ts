/**
 * The bridge against Debian's Mosquitto, started by the test on a free loopback port with its own
 * config (no persistence) and killed by it: a broker restart that loses every retained message,
 * and the last will when the bridge's process is SIGKILLed. Under CI a missing `mosquitto` fails
 * (`.ci/run` installs it); locally these tests are skipped without it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { silentLogger } from '../../src/logger';
import { connect, type MqttClient } from 'mqtt';
import { availabilityWill, createMqttBridge, type MqttBridge } from '../../src/mqtt';
import type { Simulator } from '../../src/simulator';
import type { EventStream } from '../../src/stream';
import { freePort, Mosquitto, mosquittoAvailable, retainedSnapshot, quietHouse, Subscriber, until } from './helpers';

const BASE = 'iox/restart-test';
const address = (node: string): string => node.replace(/ /g, '_');
const maybe = mosquittoAvailable || process.env.CI ? describe : describe.skip;

maybe('MQTT bridge on Mosquitto', () => {
  let mosquitto: Mosquitto;

  beforeAll(() => {
    if (!mosquittoAvailable)
      throw new Error('mosquitto is not installed (apt-get install -y mosquitto; .ci/run does it)');
  });

  beforeEach(async () => {
    mosquitto = new Mosquitto(await freePort());
    await mosquitto.start();
  });

  afterEach(async () => {
    await mosquitto.dispose();
  });

  describe('broker restart', () => {
    let sim: Simulator;
    let stream: EventStream;
    let bridge: MqttBridge;
    let sub: Subscriber;
    let client: MqttClient;

    afterEach(async () => {
      await bridge.stop();
      await client.endAsync(true); // the caller's client: stop() leaves it open
      await stream.stop();
      await sub.close();
      await sim.close();
    });

    it('republishes availability and every state topic after the broker restarts empty; memory stays bounded meanwhile', async () => {
      ({ sim, stream } = await quietHouse());
      // The caller's own client, reconnected by the test: the subscriber is surely listening again
      // before the bridge is back (events are not retained; a subscriber that came later would miss them).
      client = connect(mosquitto.url, { reconnectPeriod: 0, will: availabilityWill(BASE) });
      client.on('error', () => {});
      bridge = createMqttBridge({ stream, client, baseTopic: BASE, maxQueuedEvents: 5, logger: silentLogger });
      sub = await Subscriber.open(mosquitto.url, `${BASE}/#`);
      bridge.start();
      stream.start();
      await until(() => sub.last(`${BASE}/availability`) === 'online', 8000, 'online');
      const stateTopics = bridge.stats.stateTopics;
      expect(stateTopics).toBeGreaterThan(100);

      await mosquitto.kill();
      await until(() => !bridge.stats.brokerConnected, 3000, 'bridge to notice the broker is gone');
      // While the broker is down: 20 live changes to one node. State keeps the latest value per
      // topic; events keep the newest 5 and count the rest.
      const node = [...sim.house.nodes.values()].find((n) => n.properties.has('ST'))!;
      let value = '';
      const seen = stream.dispatcher.stats.eventsParsed;
      for (let i = 0; i < 20; i++) {
        value = String(i * 10);
        sim.emitChange(node.address, 'ST', value);
      }
      await until(() => stream.dispatcher.stats.eventsParsed >= seen + 20, 3000, 'changes to reach the stream');
      expect(bridge.stats).toMatchObject({ eventsQueued: 5, eventsDropped: 15, stateTopics });

      const republishedBefore = bridge.stats.stateRepublished;
      await mosquitto.start(); // same port, no persistence: every retained message is gone
      await sub.close();
      sub = await Subscriber.open(mosquitto.url, `${BASE}/#`);
      const mark = sub.seen.length;
      expect(bridge.stats.brokerConnected).toBe(false);
      client.reconnect();
      await until(() => bridge.stats.brokerConnected, 8000, 'the bridge back');
      await until(() => sub.since(mark).some((m) => m.topic === `${BASE}/availability`), 5000, 'availability again');

      const snapshot = await retainedSnapshot(mosquitto.url, `${BASE}/#`);
      expect(snapshot.get(`${BASE}/availability`)).toBe('online');
      expect(snapshot.get(`${BASE}/status`)).toBe('CONNECTED');
      for (const [addr, controls] of sim.truth()) {
        for (const [control, want] of controls) {
          const got = snapshot.get(`${BASE}/node/${address(addr)}/${control}`);
          expect(got && (JSON.parse(got) as { value: string }).value).toBe(want.value);
        }
      }
      expect(JSON.parse(snapshot.get(`${BASE}/node/${address(node.address)}/ST`)!)).toMatchObject({ value });
      expect(bridge.stats.stateRepublished - republishedBefore).toBe(stateTopics);
      // The five newest events went out once the broker was back.
      await until(() => sub.since(mark).filter((m) => m.topic === `${BASE}/event`).length >= 5, 3000, 'queued events');
      const events = sub.since(mark).filter((m) => m.topic === `${BASE}/event`);
      expect(events.map((m) => (JSON.parse(m.payload) as { action: string }).action).slice(0, 5)).toEqual([
        '150',
        '160',
        '170',
        '180',
        '190',
      ]);
      expect(bridge.stats.eventsQueued).toBe(0);
    });
  });

  describe('slow broker', () => {
    let sim: Simulator;
    let stream: EventStream;
    let bridge: MqttBridge;
    let sub: Subscriber;

    afterEach(async () => {
      mosquitto.resume();
      await bridge.stop();
      await stream.stop();
      await sub.close();
      await sim.close();
    });

    it('hands MQTT.js at most maxInflightEvents unacknowledged events; the rest wait in the bounded queue', async () => {
      ({ sim, stream } = await quietHouse());
      bridge = createMqttBridge({
        stream,
        url: mosquitto.url,
        baseTopic: BASE,
        maxInflightEvents: 2,
        maxQueuedEvents: 3,
        logger: silentLogger,
      });
      sub = await Subscriber.open(mosquitto.url, `${BASE}/event`);
      bridge.start();
      stream.start();
      await until(() => bridge.stats.brokerConnected && stream.status === 'CONNECTED', 8000, 'bridged');
      await new Promise((r) => setTimeout(r, 200));
      const published = bridge.stats.eventsPublished;

      mosquitto.pause(); // still connected, but no PUBACK comes back
      const node = [...sim.house.nodes.values()].find((n) => n.properties.has('ST'))!;
      const seen = stream.dispatcher.stats.eventsParsed;
      for (let i = 0; i < 20; i++) sim.emitChange(node.address, 'ST', String(i * 10));
      await until(() => stream.dispatcher.stats.eventsParsed >= seen + 20, 3000, 'changes to reach the stream');
      expect(bridge.stats.brokerConnected).toBe(true);
      expect(bridge.stats.eventsPublished - published).toBe(2);
      expect(bridge.stats).toMatchObject({ eventsQueued: 3, eventsDropped: 15 });

      const mark = sub.seen.length;
      mosquitto.resume();
      await until(() => sub.since(mark).length >= 5, 5000, 'the held events');
      await new Promise((r) => setTimeout(r, 200));
      const actions = sub.since(mark).map((m) => (JSON.parse(m.payload) as { action: string }).action);
      expect(actions).toEqual(['0', '10', '170', '180', '190']);
      expect(bridge.stats.eventsQueued).toBe(0);
    });
  });

  describe('last will', () => {
    let child: ChildProcess | undefined;

    afterEach(() => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    it('subscribers see offline from the broker when the bridge process is killed', async () => {
      const sub = await Subscriber.open(mosquitto.url, `${BASE}/availability`);
      try {
        child = spawn(
          process.execPath,
          ['--import', 'tsx', resolve(__dirname, 'bridgeChild.ts'), mosquitto.url, BASE],
          { cwd: resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let stderr = '';
        child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        await until(() => sub.last(`${BASE}/availability`) === 'online' || child?.exitCode !== null, 20_000, 'online');
        expect(stderr).toBe('');
        expect(sub.last(`${BASE}/availability`)).toBe('online');

        const exited = new Promise((r) => child!.once('exit', r));
        child.kill('SIGKILL');
        await exited;
        // Nobody published this but the broker, from the will.
        await until(() => sub.last(`${BASE}/availability`) === 'offline', 5000, 'offline from the last will');
        const snapshot = await retainedSnapshot(mosquitto.url, `${BASE}/availability`);
        expect(snapshot.get(`${BASE}/availability`)).toBe('offline');
      } finally {
        await sub.close();
      }
    });
  });
});
