/**
 * The MQTT bridge's public shapes: its options, counters and handle, and the last will a
 * caller-owned client must carry. The behaviour lives in `bridge.ts`.
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from '../logger';
import type { EventStream } from '../stream';
import { normalizeBaseTopic, OFFLINE, topicsFor } from './topics';

/** MQTT quality of service. */
export type MqttQos = 0 | 1 | 2;

/** The parts of an {@link EventStream} the bridge reads. An `EventStream` is one. */
export type BridgeStream = Pick<
  EventStream,
  'status' | 'mirror' | 'onStatus' | 'onEvent' | 'onProgramStatus' | 'onVariable'
>;

/** Options of {@link createMqttBridge}. Give `url` (the bridge owns its client) or `client` (yours). */
export interface MqttBridgeOptions {
  /** The stream to bridge. The bridge only listens: starting and stopping the stream stay yours. */
  stream: BridgeStream;
  /**
   * Broker URL: `mqtt://HOST:1883`, `mqtts://HOST:8883`, `ws://…`, `wss://…`. The bridge creates
   * the MQTT.js client with the last will set, and closes it on `stop()`.
   */
  url?: string;
  /**
   * Extra MQTT.js client options for `url` (`username`, `password`, `ca`, `clientId`,
   * `reconnectPeriod`, `keepalive`, ...). `will` and `queueQoSZero` are set by the bridge.
   */
  clientOptions?: IClientOptions;
  /**
   * An MQTT.js client you created and own instead of `url`. Create it with
   * `will: availabilityWill(baseTopic)` so the broker publishes `offline` if the process dies; the
   * bridge cannot add a will to a connection that exists. `stop()` leaves this client open.
   */
  client?: MqttClient;
  /** Topic prefix, e.g. `iox/00:21:b9:02:5a:1c` (see `defaultBaseTopic`). No `+`, `#` or empty level. */
  baseTopic: string;
  /** QoS of every publish and of the last will. Default 1. */
  qos?: MqttQos;
  /** Retain availability, status and state topics (the contract). Default true; events are never retained. */
  retain?: boolean;
  /** Live events kept while the broker is unreachable; past it the oldest are dropped and counted. Default 1000. */
  maxQueuedEvents?: number;
  /**
   * Live events handed to MQTT.js and not yet written (QoS 0) or acknowledged (QoS 1, 2); more wait
   * in the queue. Bounds the client's own buffers when the broker is slower than the controller.
   * Default 1000.
   */
  maxInflightEvents?: number;
  /** Longest `stop()` waits for the broker to acknowledge `offline` and close, in ms. Default 2000. */
  stopTimeoutMs?: number;
  /** Connection problems (warn) and publish failures (debug). Defaults to warnings and errors on the console. */
  logger?: Logger;
}

/** Counters of a bridge, read through `bridge.stats` (a snapshot). */
export interface MqttBridgeStats {
  /** True while the MQTT client is connected to the broker. */
  brokerConnected: boolean;
  /** Successful connections to the broker (the first and every reconnect). */
  brokerConnects: number;
  /** State topics known (node properties, programs, variables). */
  stateTopics: number;
  /** State publishes caused by a mirror change. */
  statePublished: number;
  /** Mirror writes whose content the broker already held: not published. */
  stateUnchanged: number;
  /** State publishes caused by a (re)connect to the broker (every state topic, each time). */
  stateRepublished: number;
  /** Retained state topics cleared with an empty payload (node removed by the replay sweep or `_3`/`NR`). */
  cleared: number;
  /** Live events published on `<base>/event`. */
  eventsPublished: number;
  /** Live events waiting for the broker now. */
  eventsQueued: number;
  /** Live events dropped (the oldest first) because the queue was full: broker unreachable or too slow. */
  eventsDropped: number;
  /** Topics skipped because they exceed MQTT's 65535-byte topic limit. */
  topicsSkipped: number;
  /** Publishes the client reported as failed. */
  publishErrors: number;
}

/** A running bridge. */
export interface MqttBridge {
  /** Connect to the broker (when created with `url`) and start mirroring the stream. Idempotent. */
  start(): void;
  /**
   * Publish `offline` on `<base>/availability` (when connected), stop listening to the stream and,
   * for a client the bridge created, close it: nothing stays open. Resolves within about
   * `stopTimeoutMs` even if the broker never answers. Idempotent.
   */
  stop(): Promise<void>;
  /** Counters (a snapshot). */
  readonly stats: Readonly<MqttBridgeStats>;
  /** The normalised base topic. */
  readonly baseTopic: string;
}

/**
 * The last will for `<base>/availability`: retained `offline`. Pass it as `will` when you create
 * your own client for {@link MqttBridgeOptions.client}.
 */
export function availabilityWill(baseTopic: string, qos: MqttQos = 1): NonNullable<IClientOptions['will']> {
  return {
    topic: topicsFor(normalizeBaseTopic(baseTopic)).availability,
    payload: Buffer.from(OFFLINE),
    qos,
    retain: true,
  };
}
