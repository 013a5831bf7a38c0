/**
 * The MQTT benchmark's rig: a broker it can stop and start again (mosquitto in its own process
 * when installed, else Aedes here), and a simulator + CONNECTED stream with, optionally, a bridge
 * and a subscriber on `<base>/#`. The scenarios are in `mqtt.ts`.
 */
import { silentLogger } from '../src/logger';
import { createMqttBridge, startEmbeddedBroker, type MqttBridge } from '../src/mqtt';
import type { Simulator } from '../src/simulator';
import type { EventStream } from '../src/stream';
import { freePort, Mosquitto, mosquittoAvailable, simulatedStream, Subscriber } from '../test/mqtt/helpers';
import { until } from './util';

/** The bridge's base topic in every scenario. */
export const BASE = 'bench/house';

/** A broker we can stop and start again on the same port. */
export interface Broker {
  kind: string;
  url: string;
  start(): Promise<void>;
  /** Stop it; `start()` again brings it back on the same port. */
  stop(): Promise<void>;
  /** Stop it for good (temp files too). */
  dispose(): Promise<void>;
}

export async function makeBroker(): Promise<Broker> {
  if (mosquittoAvailable) {
    // No per-subscriber queue limit (default 1000 QoS 1 messages): the benchmark's subscriber shares
    // this busy process, and the figure should be the bridge's, not mosquitto's drop policy.
    const m = new Mosquitto(await freePort(), ['max_queued_messages 0']);
    return {
      kind: 'mosquitto (own process)',
      url: m.url,
      start: () => m.start(),
      stop: () => m.kill(),
      dispose: () => m.dispose(),
    };
  }
  const port = await freePort();
  let broker: Awaited<ReturnType<typeof startEmbeddedBroker>> | undefined;
  return {
    kind: 'Aedes (in this process)',
    url: `mqtt://127.0.0.1:${port}`,
    start: async () => {
      broker = await startEmbeddedBroker({ port });
    },
    stop: async () => {
      await broker?.close();
    },
    dispose: async () => {
      await broker?.close();
    },
  };
}

export interface Rig {
  sim: Simulator;
  stream: EventStream;
  bridge?: MqttBridge;
  sub?: Subscriber;
  close(): Promise<void>;
}

/** Simulator + CONNECTED stream, optionally a bridge and a subscriber on `<base>/#`. */
export async function rig(
  broker: Broker | undefined,
  simOptions: Parameters<typeof simulatedStream>[0] = {},
): Promise<Rig> {
  const { sim, stream } = await simulatedStream({ speed: 20, ...simOptions });
  let bridge: MqttBridge | undefined;
  let sub: Subscriber | undefined;
  if (broker) {
    sub = await Subscriber.open(broker.url, `${BASE}/#`);
    bridge = createMqttBridge({
      stream,
      url: broker.url,
      baseTopic: BASE,
      maxQueuedEvents: 100_000,
      logger: silentLogger,
      clientOptions: { reconnectPeriod: 200 },
    });
    bridge.start();
  }
  stream.start();
  await until(() => stream.status === 'CONNECTED', 15_000, 'CONNECTED');
  if (sub) await until(() => sub.last(`${BASE}/availability`) === 'online', 10_000, 'online');
  return {
    sim,
    stream,
    bridge,
    sub,
    close: async () => {
      await bridge?.stop();
      await stream.stop();
      await sub?.close();
      await sim.close();
    },
  };
}

/** (node, value) pairs that change a status property each time. */
export function changes(sim: Simulator, count: number): Array<[string, string]> {
  const nodes = [...sim.house.nodes.values()].filter((n) => n.properties.has('ST')).map((n) => n.address);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < count; i++) out.push([nodes[i % nodes.length], String((i * 7) % 256)]);
  return out;
}
