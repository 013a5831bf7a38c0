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
 *
 * Here: options, wiring and the client's life, in one closure (so a little over 300 lines). The
 * state entries live in `retainedState.ts`, the topics an earlier run left in `staleTopics.ts`, the
 * event queue in `eventQueue.ts`, the public shapes in `api.ts`.
 */
import { connect, type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { ProgramStatus, VariableChange, IoxEvent, DeliveryInfo } from '../dispatcher/types';
import { variableKey } from '../dispatcher/mirror';
import { defaultLogger } from '../logger';
import { availabilityWill, type MqttBridge, type MqttBridgeOptions, type MqttBridgeStats, type MqttQos } from './api';
import { EventQueue } from './eventQueue';
import { RetainedState } from './retainedState';
import { StaleNodeTopics } from './staleTopics';
import {
  OFFLINE,
  ONLINE,
  nodeContent,
  normalizeBaseTopic,
  programContent,
  topicsFor,
  variableContent,
  type Topics,
} from './topics';

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

  const state = new RetainedState({
    connected,
    publish: (topic, payload) => publish(topic, payload, stateOptions),
    retain,
    stats,
  });

  const syncNode = (node: string, control: string): void => {
    const entry = stream.mirror.nodes.get(node)?.get(control);
    if (entry !== undefined) state.set(topics.node(node, control), nodeContent(entry), node, control);
  };

  const syncProgram = (id: string): void => {
    const entry = stream.mirror.programs.get(id);
    if (entry !== undefined) state.set(topics.program(id), programContent(entry));
  };

  const syncVariable = (type: number, id: number): void => {
    const entry = stream.mirror.variables.get(variableKey(type, id));
    if (entry !== undefined) state.set(topics.variable(type, id), variableContent(entry));
  };

  // Retained node topics left by an earlier run, cleared once the mirror is complete.
  const stale = new StaleNodeTopics(
    base,
    (topic) => state.has(topic),
    () => stream.status === 'CONNECTED' && connected(),
    (topic) => {
      publish(topic, '', stateOptions);
      stats.cleared++;
    },
  );

  /** Clears node topics whose mirror entry is gone (end-of-replay sweep, `_3`/`NR`). */
  const dropRemovedNodes = (): void =>
    state.dropRemovedNodes((node, control) => stream.mirror.nodes.get(node)?.has(control) === true);

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
    stale.sweep();
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
    state.republish();
    if (retain) stale.subscribe(client!, logger);
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
    client.on('message', stale.onMessage);
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
    c.off('message', stale.onMessage);
    if (!ownsClient && retain && c.connected) c.unsubscribe(stale.filter);
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
