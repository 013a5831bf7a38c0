/**
 * `createMqttBridge`: one stream to the controller, fanned out through an MQTT broker.
 *
 * State topics are published from the stream's mirror, never from events, so the connect-time
 * replay is state and never an event. The bridge keeps one entry per state topic (the payload the
 * broker holds or will hold); a mirror change whose content equals the entry publishes nothing,
 * which is why a controller reconnect that changes nothing costs no publish. While the broker is
 * unreachable nothing is handed to MQTT.js (its offline queue would grow without bound): state
 * entries simply keep their latest value, removals wait in a set, and live events wait in a
 * bounded queue (the oldest dropped and counted past `maxQueuedEvents`). The same queue absorbs a
 * broker that is reachable but slower than the controller: at most `maxInflightEvents` events are
 * handed to MQTT.js and not yet written (QoS 0) or acknowledged (QoS 1, 2). Each (re)connect to the
 * broker republishes availability, status and every state topic, because a restarted broker may
 * have lost its retained messages.
 */
import { connect, type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { ProgramStatus, VariableChange, IoxEvent, DeliveryInfo } from '../dispatcher/types';
import { variableKey } from '../dispatcher/mirror';
import { defaultLogger, type Logger } from '../logger';
import type { EventStream } from '../stream';
import {
  MAX_TOPIC_BYTES,
  OFFLINE,
  ONLINE,
  nodeContent,
  normalizeBaseTopic,
  programContent,
  statePayload,
  topicsFor,
  variableContent,
  type Topics,
} from './topics';

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

/** One state topic's entry: what the broker holds (or will hold after the next connect). */
interface StateEntry {
  content: string;
  payload: string;
  /** For node topics: the mirror key, to find entries the mirror dropped. */
  node?: string;
  control?: string;
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

const DEFAULT_MAX_QUEUED_EVENTS = 1000;

function checkQos(qos: unknown): MqttQos {
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new TypeError('mqtt bridge: qos must be 0, 1 or 2');
  return qos;
}

function checkCount(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new TypeError(`mqtt bridge: ${name} must be a whole number >= 0`);
  return value;
}

/** A fixed-size FIFO that overwrites its oldest element when full. */
class EventQueue {
  readonly #items: (string | undefined)[];
  #head = 0;
  #size = 0;
  constructor(readonly capacity: number) {
    this.#items = new Array<string | undefined>(capacity);
  }
  get size(): number {
    return this.#size;
  }
  /** Returns true when the oldest element was dropped to make room. */
  push(item: string): boolean {
    if (this.capacity === 0) return true;
    const full = this.#size === this.capacity;
    this.#items[(this.#head + this.#size) % this.capacity] = item;
    if (full) this.#head = (this.#head + 1) % this.capacity;
    else this.#size++;
    return full;
  }
  shift(): string | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    return item;
  }
}

/**
 * Bridge a stream into an MQTT broker: retained state topics from the mirror, `availability`,
 * `status`, and live events. See the README's MQTT section for the topic table.
 *
 * @throws TypeError on invalid options (neither or both of `url` and `client`, a bad base topic,
 * qos or count). Never throws later: broker trouble is retried by MQTT.js and counted in `stats`.
 *
 * @example
 * const stream = createEventStream({ url: 'https://eisy.local:8443', auth });
 * const bridge = createMqttBridge({ stream, url: 'mqtt://127.0.0.1:1883', baseTopic: await defaultBaseTopic('https://eisy.local:8443') });
 * bridge.start();
 * stream.start();
 * // …
 * await bridge.stop();
 * await stream.stop();
 */
export function createMqttBridge(options: MqttBridgeOptions): MqttBridge {
  if (options === null || typeof options !== 'object') throw new TypeError('createMqttBridge: options object required');
  const { stream } = options;
  if (stream === null || typeof stream !== 'object' || typeof stream.onEvent !== 'function')
    throw new TypeError('createMqttBridge: stream must be an EventStream');
  if ((options.url === undefined) === (options.client === undefined))
    throw new TypeError('createMqttBridge: give exactly one of url and client');
  if (options.url !== undefined && (typeof options.url !== 'string' || options.url === ''))
    throw new TypeError('createMqttBridge: url must be a broker URL such as mqtt://127.0.0.1:1883');
  const base = normalizeBaseTopic(options.baseTopic);
  const topics: Topics = topicsFor(base);
  const qos = checkQos(options.qos ?? 1);
  const retain = options.retain ?? true;
  const queue = new EventQueue(checkCount(options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS, 'maxQueuedEvents'));
  const maxInflight = Math.max(1, checkCount(options.maxInflightEvents ?? 1000, 'maxInflightEvents'));
  const stopTimeoutMs = checkCount(options.stopTimeoutMs ?? 2000, 'stopTimeoutMs');
  const logger = options.logger ?? defaultLogger;
  const stateOptions: IClientPublishOptions = { qos, retain };
  const eventOptions: IClientPublishOptions = { qos, retain: false };

  /** Every state topic's entry, in first-seen order. */
  const state = new Map<string, StateEntry>();
  /** Retained topics to clear once the broker is reachable again. */
  const pendingClears = new Set<string>();
  const stats: MqttBridgeStats = {
    brokerConnected: false,
    brokerConnects: 0,
    stateTopics: 0,
    statePublished: 0,
    stateUnchanged: 0,
    stateRepublished: 0,
    cleared: 0,
    eventsPublished: 0,
    eventsQueued: 0,
    eventsDropped: 0,
    topicsSkipped: 0,
    publishErrors: 0,
  };

  let client: MqttClient | undefined = options.client;
  const ownsClient = options.client === undefined;
  let running = false;
  let unsubscribers: Array<() => void> = [];
  let lastAvailability: string | undefined;

  const connected = (): boolean => running && client !== undefined && client.connected;

  const onPublished = (error?: Error): void => {
    if (error === undefined || error === null) return;
    stats.publishErrors++;
    logger.debug(`mqtt publish failed: ${error.message}`);
  };

  const publish = (topic: string, payload: string, publishOptions: IClientPublishOptions): void => {
    client!.publish(topic, payload, publishOptions, onPublished);
  };

  const availabilityOf = (): string => (stream.status === 'CONNECTED' ? ONLINE : OFFLINE);

  const publishPresence = (): void => {
    lastAvailability = availabilityOf();
    publish(topics.status, stream.status, stateOptions);
    publish(topics.availability, lastAvailability, stateOptions);
  };

  /** Sets one state topic; publishes only when the content differs from the entry. */
  const setState = (topic: string, content: string, node?: string, control?: string): void => {
    const before = state.get(topic);
    if (before !== undefined && before.content === content) {
      stats.stateUnchanged++;
      return;
    }
    if (Buffer.byteLength(topic) > MAX_TOPIC_BYTES) {
      stats.topicsSkipped++;
      return;
    }
    const { payload } = statePayload(content, Date.now());
    state.set(topic, { content, payload, node, control });
    pendingClears.delete(topic);
    if (connected()) {
      publish(topic, payload, stateOptions);
      stats.statePublished++;
    }
  };

  const clearState = (topic: string): void => {
    if (!state.delete(topic)) return;
    if (!retain) return;
    if (connected()) {
      publish(topic, '', stateOptions);
      stats.cleared++;
    } else pendingClears.add(topic);
  };

  const syncNode = (node: string, control: string): void => {
    const entry = stream.mirror.nodes.get(node)?.get(control);
    if (entry !== undefined) setState(topics.node(node, control), nodeContent(entry), node, control);
  };

  const syncProgram = (id: string): void => {
    const entry = stream.mirror.programs.get(id);
    if (entry !== undefined) setState(topics.program(id), programContent(entry));
  };

  const syncVariable = (type: number, id: number): void => {
    const entry = stream.mirror.variables.get(variableKey(type, id));
    if (entry !== undefined) setState(topics.variable(type, id), variableContent(entry));
  };

  /** Clears node topics whose mirror entry is gone (end-of-replay sweep, `_3`/`NR`). */
  const dropRemovedNodes = (): void => {
    for (const [topic, entry] of [...state]) {
      if (entry.node === undefined || entry.control === undefined) continue;
      if (stream.mirror.nodes.get(entry.node)?.has(entry.control) !== true) clearState(topic);
    }
  };

  /** Brings every state entry up to the mirror (on start: the stream may already be running). */
  const syncAll = (): void => {
    const mirror = stream.mirror;
    for (const [node, controls] of mirror.nodes) for (const control of controls.keys()) syncNode(node, control);
    for (const id of mirror.programs.keys()) syncProgram(id);
    for (const entry of mirror.variables.values()) syncVariable(entry.type, entry.id);
    dropRemovedNodes();
  };

  const onEvent = (event: IoxEvent, info: DeliveryInfo): void => {
    if (event.isProperty) syncNode(event.node, event.control);
    else if (event.control === '_3' && event.action === 'NR') dropRemovedNodes();
    if (info.replay) return;
    const payload = JSON.stringify(event);
    if (connected() && inflight < maxInflight && queue.size === 0) publishEvent(payload);
    else if (queue.push(payload)) stats.eventsDropped++;
  };

  /** Events handed to the client in this connection and not yet completed. */
  let inflight = 0;
  /** Bumped on each broker connect: completions from an older connection do not count. */
  let generation = 0;

  const publishEvent = (payload: string): void => {
    inflight++;
    stats.eventsPublished++;
    const mine = generation;
    client!.publish(topics.event, payload, eventOptions, (error?: Error) => {
      onPublished(error);
      if (mine !== generation) return;
      inflight--;
      drainEvents();
    });
  };

  const drainEvents = (): void => {
    while (queue.size > 0 && inflight < maxInflight && connected()) publishEvent(queue.shift()!);
  };

  const onProgram = (status: ProgramStatus): void => syncProgram(status.id);
  const onVariable = (change: VariableChange): void => syncVariable(change.type, change.id);

  const onStatus = (): void => {
    // The mirror's sweep runs on the way into CONNECTED, before status listeners hear of it.
    if (stream.status === 'CONNECTED') dropRemovedNodes();
    if (!connected()) return;
    publish(topics.status, stream.status, stateOptions);
    const availability = availabilityOf();
    if (availability !== lastAvailability) {
      lastAvailability = availability;
      publish(topics.availability, availability, stateOptions);
    }
  };

  /** Every (re)connect: the broker may have lost everything (a restart without persistence). */
  const republish = (): void => {
    stats.brokerConnects++;
    if (warnedSinceConnect) logger.info('mqtt: connected to the broker again');
    warnedSinceConnect = false;
    if (!running) return;
    for (const [topic, entry] of state) {
      publish(topic, entry.payload, stateOptions);
      stats.stateRepublished++;
    }
    for (const topic of pendingClears) {
      publish(topic, '', stateOptions);
      stats.cleared++;
    }
    pendingClears.clear();
    generation++;
    inflight = 0;
    drainEvents();
    // Availability last: `online` tells a subscriber the state topics are current.
    publishPresence();
  };

  /** One warning per outage: MQTT.js retries every `reconnectPeriod` and would repeat it each time. */
  let warnedSinceConnect = false;
  const onClientError = (error: Error): void => {
    if (warnedSinceConnect) logger.debug(`mqtt: ${error.message}`);
    else logger.warn(`mqtt: ${error.message} (retrying)`);
    warnedSinceConnect = true;
  };
  const onClientClose = (): void => {
    if (running) logger.debug('mqtt: connection to the broker closed; MQTT.js reconnects');
  };

  const start = (): void => {
    if (running) return;
    running = true;
    if (client === undefined) {
      client = connect(options.url!, {
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
        ...options.clientOptions,
        will: availabilityWill(base, qos),
        // Never let MQTT.js queue while offline: the bridge keeps the latest state itself.
        queueQoSZero: false,
      });
    }
    client.on('connect', republish);
    client.on('error', onClientError);
    client.on('close', onClientClose);
    unsubscribers = [
      stream.onEvent(onEvent),
      stream.onProgramStatus(onProgram),
      stream.onVariable(onVariable),
      stream.onStatus(onStatus),
    ];
    syncAll();
    // A client handed over already connected will not emit `connect` again.
    if (client.connected) republish();
  };

  const stop = async (): Promise<void> => {
    if (!running) return;
    const c = client!;
    for (const off of unsubscribers) off();
    unsubscribers = [];
    if (c.connected) {
      lastAvailability = OFFLINE;
      await withTimeout(c.publishAsync(topics.availability, OFFLINE, stateOptions), stopTimeoutMs).catch(
        (error: unknown) => logger.debug(`mqtt: offline not acknowledged: ${(error as Error).message}`),
      );
    }
    running = false;
    c.off('connect', republish);
    c.off('close', onClientClose);
    if (ownsClient) {
      await withTimeout(c.endAsync(false), stopTimeoutMs).catch(() => c.endAsync(true));
      client = undefined;
    }
    c.off('error', onClientError);
  };

  return {
    start,
    stop,
    baseTopic: base,
    get stats(): Readonly<MqttBridgeStats> {
      return {
        ...stats,
        brokerConnected: client?.connected === true,
        stateTopics: state.size,
        eventsQueued: queue.size,
      };
    },
  };
}

/** Rejects when `promise` has not settled after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
