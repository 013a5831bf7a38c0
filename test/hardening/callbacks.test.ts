/**
 * User callbacks (logger, listeners, `random`, the auth strategy) never break the stream, whichever
 * path calls them. Before the fix a `logger.warn` that threw during a loss escaped as an uncaught
 * exception and status listeners never heard LOST.
 */
import { createEventStream, type Auth, type EventStream, type Logger } from '../../src';
import { EventDispatcher } from '../../src/dispatcher';
import { backoffDelay, DEFAULT_POLICY } from '../../src/machine/policy';
import { heartbeatFrame, ScriptedServer, until } from '../helpers/scriptedServer';

const throwing = (): never => {
  throw new Error('logger broke');
};

describe('user callbacks cannot break the stream', () => {
  let server: ScriptedServer;
  let stream: EventStream | undefined;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  beforeEach(async () => {
    uncaught.length = 0;
    process.on('uncaughtException', onUncaught);
    server = await ScriptedServer.start();
    server.onConnection = (ws) => ws.send(heartbeatFrame(90, 0));
  });
  afterEach(async () => {
    await stream?.stop();
    stream = undefined;
    await server.close();
    process.off('uncaughtException', onUncaught);
  });

  test('a logger.warn that throws during a loss: listeners hear LOST, the stream reconnects', async () => {
    const logger: Logger = { debug() {}, info() {}, warn: throwing, error: throwing };
    stream = createEventStream({ url: server.url, quietMs: 20, backoffMs: [30], logger });
    const statuses: string[] = [];
    stream.onStatus((s) => statuses.push(s));
    stream.start();
    await until(() => stream!.status === 'CONNECTED', 5000, 'CONNECTED');
    for (const ws of server.sockets) ws.close(1011, 'bye');
    await until(() => statuses.filter((s) => s === 'CONNECTED').length === 2, 5000, 'CONNECTED again');
    expect(statuses).toEqual(['INITIALIZING', 'SYNCING', 'CONNECTED', 'LOST', 'RECONNECTING', 'SYNCING', 'CONNECTED']);
    expect(uncaught).toEqual([]);
  });

  test('every logger method throwing, a status listener throwing, a garbage frame: events still flow', async () => {
    const logger: Logger = { debug: throwing, info: throwing, warn: throwing, error: throwing };
    stream = createEventStream({ url: server.url, quietMs: 20, logger });
    const heard: string[] = [];
    stream.onStatus(() => {
      throw new Error('listener broke');
    });
    stream.onStatus((s) => heard.push(s));
    const events: string[] = [];
    stream.onEvent((e) => {
      events.push(e.control);
      throw new Error('event listener broke');
    });
    stream.start();
    await until(() => stream!.status === 'CONNECTED', 5000, 'CONNECTED');
    server.broadcast('<not xml');
    server.broadcast(heartbeatFrame(90, 1));
    await until(() => events.length === 2, 5000, 'two events');
    expect(heard).toEqual(['INITIALIZING', 'SYNCING', 'CONNECTED']);
    expect(stream.dispatcher.stats.dropped.malformed).toBe(1);
    expect(uncaught).toEqual([]);
  });

  test('a random that throws: the backoff still waits and the stream reconnects', async () => {
    stream = createEventStream({
      url: server.url,
      quietMs: 20,
      backoffMs: [40],
      jitter: 1,
      random: () => {
        throw new Error('random broke');
      },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    stream.start();
    await until(() => stream!.status === 'CONNECTED', 5000, 'CONNECTED');
    for (const ws of server.sockets) ws.close(1011, 'bye');
    await until(() => server.upgrades.length === 2 && stream!.status === 'CONNECTED', 5000, 'reconnected');
    expect(uncaught).toEqual([]);
  });

  test('an auth strategy whose handleUnauthorized throws synchronously: LOST and retried, no crash', async () => {
    server.verdict = (info) => (info.index === 0 ? { kind: 'reject', status: 401 } : { kind: 'accept' });
    const auth: Auth = {
      headers: () => Promise.resolve({}),
      handleUnauthorized: () => {
        throw new Error('strategy broke');
      },
    };
    stream = createEventStream({ url: server.url, quietMs: 20, backoffMs: [30], auth, logger: silent });
    const statuses: string[] = [];
    stream.onStatus((s) => statuses.push(s));
    stream.start();
    await until(() => stream!.status === 'CONNECTED', 5000, 'CONNECTED');
    expect(statuses.slice(0, 2)).toEqual(['INITIALIZING', 'LOST']);
    expect(uncaught).toEqual([]);
  });
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('the dispatcher and the policy on their own', () => {
  test('a throwing logger.debug on a dropped frame: feed returns null and counts it', () => {
    const dispatcher = new EventDispatcher({
      logger: { debug: throwing, info: throwing, warn: throwing, error: throwing },
    });
    expect(() => dispatcher.feed('garbage')).not.toThrow();
    expect(dispatcher.stats.dropped['not-event-root'] + dispatcher.stats.dropped.malformed).toBe(1);
  });

  test('backoffDelay with a random that throws or leaves [0, 1] uses no jitter', () => {
    const policy = { ...DEFAULT_POLICY, backoffMs: [1000], jitter: 0.5 };
    expect(backoffDelay({ ...policy, random: throwing }, 1)).toBe(1000);
    expect(backoffDelay({ ...policy, random: () => Number.NaN }, 1)).toBe(1000);
    expect(backoffDelay({ ...policy, random: () => 7 }, 1)).toBe(1000);
    expect(backoffDelay({ ...policy, random: () => 1 }, 1)).toBe(500);
  });
});
