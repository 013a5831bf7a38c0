/**
 * Every simulator fault hook against a real EventStream (real sockets on loopback, real time, the
 * simulator's time compressed): what the stream's statuses do, and that the mirror equals the
 * simulator's truth once it has recovered.
 */
import { settleAndCompare } from '../../src/cli/watch';
import {
  createEventStream,
  LocalAuth,
  PortalAuth,
  silentLogger,
  type EventStream,
  type EventStreamOptions,
  type EventStreamStatus,
} from '../../src';
import { startSimulator, type Simulator } from '../../src/simulator';

const USER = 'admin';
const PASSWORD = 'fault-test-password';
const SPEED = 20;
/** Heartbeat every 0.5 s promising the next within 1 s (both scaled by SPEED). */
const PROMISE_MS = 1000;
const GRACE_MS = 300;
const BACKOFF = [60, 120, 240, 480];

let sim: Simulator;
const streams: EventStream[] = [];

interface Seen {
  status: EventStreamStatus;
  at: number;
  code?: string;
}

function open(options: Partial<EventStreamOptions> = {}): { stream: EventStream; seen: Seen[] } {
  const stream = createEventStream({
    url: sim.url,
    auth: new LocalAuth(USER, PASSWORD),
    quietMs: 150,
    syncMaxMs: 4000,
    backoffMs: BACKOFF,
    heartbeatGraceMs: GRACE_MS,
    defaultHeartbeatPromiseMs: PROMISE_MS,
    connectTimeoutMs: 2000,
    logger: silentLogger,
    ...options,
  });
  streams.push(stream);
  const seen: Seen[] = [];
  stream.onStatus((status, change) => seen.push({ status, at: Date.now(), code: change.lastError?.code }));
  return { stream, seen };
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Statuses seen from index `from` on. */
const after = (seen: Seen[], from: number): EventStreamStatus[] => seen.slice(from).map((s) => s.status);
const count = (seen: Seen[], status: EventStreamStatus): number => seen.filter((s) => s.status === status).length;

async function connected(): Promise<{ stream: EventStream; seen: Seen[] }> {
  const opened = open();
  opened.stream.start();
  await until(() => opened.stream.status === 'CONNECTED', 5000, 'CONNECTED');
  return opened;
}

beforeEach(async () => {
  sim = await startSimulator({
    auth: { username: USER, password: PASSWORD },
    speed: SPEED,
    heartbeatSec: 10,
    heartbeatPromise: (PROMISE_MS / 1000) * SPEED,
    liveEvents: { intervalMs: 4000 },
  });
});

afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.stop()));
  await sim.close();
});

describe('simulator faults against a real EventStream', () => {
  it('drop(): LOST → RECONNECTING → SYNCING → CONNECTED, and the mirror equals the truth', async () => {
    const { stream, seen } = await connected();
    const mark = seen.length;
    sim.faults.drop();
    await until(() => count(seen, 'CONNECTED') === 2, 5000, 'recovery');
    expect(after(seen, mark)).toEqual(['LOST', 'RECONNECTING', 'SYNCING', 'CONNECTED']);
    expect(seen[mark].code).toBe('SOCKET_CLOSED');
    expect(await settleAndCompare(stream, sim)).toBe(true);
  });

  it('stall(): the watchdog declares the half-open link dead after promise + grace, then recovers', async () => {
    const { stream, seen } = await connected();
    const mark = seen.length;
    const stalledAt = Date.now();
    expect(sim.faults.stall()).toBe(1);
    await until(() => stream.status === 'LOST', 5000, 'LOST');
    const detectedAfter = seen[mark].at - stalledAt;
    expect(seen[mark].code).toBe('HEARTBEAT_TIMEOUT');
    // The deadline counts from the last frame before the stall (at most one heartbeat period earlier).
    expect(detectedAfter).toBeGreaterThanOrEqual(PROMISE_MS + GRACE_MS - 600);
    expect(detectedAfter).toBeLessThan(PROMISE_MS + GRACE_MS + 1000);
    await until(() => count(seen, 'CONNECTED') === 2, 5000, 'recovery');
    sim.faults.resume();
    expect(after(seen, mark)).toEqual(['LOST', 'RECONNECTING', 'SYNCING', 'CONNECTED']);
    expect(await settleAndCompare(stream, sim)).toBe(true);
  });

  it('reject(401): with LocalAuth (which cannot repair a 401) the reconnect ends in FAILED', async () => {
    const { stream, seen } = await connected();
    const mark = seen.length;
    sim.faults.reject(401, 1);
    sim.faults.drop();
    await until(() => stream.status === 'FAILED', 5000, 'FAILED');
    expect(after(seen, mark)).toEqual(['LOST', 'RECONNECTING', 'FAILED']);
    expect(stream.lastError?.code).toBe('AUTH_REJECTED');
    expect(sim.stats.rejects).toBe(1);
    // FAILED is final: no further attempt.
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.stats.rejects).toBe(1);
    expect(stream.status).toBe('FAILED');
  });

  it('reject(503, 2): LOST after each refused upgrade, then recovery', async () => {
    const { stream, seen } = await connected();
    const mark = seen.length;
    sim.faults.reject(503, 2);
    sim.faults.drop();
    await until(() => count(seen, 'CONNECTED') === 2, 5000, 'recovery');
    expect(after(seen, mark)).toEqual([
      'LOST',
      'RECONNECTING',
      'LOST',
      'RECONNECTING',
      'LOST',
      'RECONNECTING',
      'SYNCING',
      'CONNECTED',
    ]);
    expect(
      seen
        .slice(mark)
        .filter((s) => s.status === 'LOST')
        .map((s) => s.code),
    ).toEqual(['SOCKET_CLOSED', 'HANDSHAKE_STATUS', 'HANDSHAKE_STATUS']);
    expect(await settleAndCompare(stream, sim)).toBe(true);
  });

  it('acceptThenClose(3): sockets that never reach CONNECTED keep the backoff growing', async () => {
    const { stream, seen } = await connected();
    const mark = seen.length;
    sim.faults.acceptThenClose(3);
    sim.faults.drop();
    await until(() => count(seen, 'CONNECTED') === 2, 8000, 'recovery');
    const tail = seen.slice(mark);
    // Wait in LOST before each attempt: LOST.at → next RECONNECTING.at.
    const waits: number[] = [];
    tail.forEach((s, i) => {
      if (s.status === 'LOST') waits.push(tail.slice(i).find((x) => x.status === 'RECONNECTING')!.at - s.at);
    });
    expect(waits).toHaveLength(4);
    waits.forEach((w, i) => expect(w).toBeGreaterThanOrEqual(BACKOFF[i] - 5));
    expect(waits[3]).toBeGreaterThan(waits[0] * 3);
    expect(count(tail, 'SYNCING')).toBe(4); // three accepted-then-closed sockets, then the good one
    expect(await settleAndCompare(stream, sim)).toBe(true);
  });

  it('garbage(): bad frames are dropped and counted; the stream stays CONNECTED', async () => {
    const { stream, seen } = await connected();
    const mark = seen.length;
    const droppedBefore = Object.values(stream.dispatcher.stats.dropped).reduce((a, b) => a + b, 0);
    expect(sim.faults.garbage(['xml', 'binary', 'utf8', 'ampersand'])).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    const droppedAfter = Object.values(stream.dispatcher.stats.dropped).reduce((a, b) => a + b, 0);
    expect(droppedAfter).toBeGreaterThan(droppedBefore);
    expect(stream.status).toBe('CONNECTED');
    expect(seen.length).toBe(mark);
    expect(await settleAndCompare(stream, sim)).toBe(true);
  });

  it('slowReplay(ms): the stream stays SYNCING until the replay has come and is over', async () => {
    sim.faults.slowReplay(700, 1);
    const { stream, seen } = open();
    stream.start();
    await until(() => stream.status === 'SYNCING', 3000, 'SYNCING');
    await new Promise((r) => setTimeout(r, 500));
    expect(stream.status).toBe('SYNCING');
    expect(stream.mirror.nodes.size).toBe(0);
    await until(() => stream.status === 'CONNECTED', 5000, 'CONNECTED');
    const syncing = seen.find((s) => s.status === 'SYNCING')!;
    const live = seen.find((s) => s.status === 'CONNECTED')!;
    // Over: a live change after it (by the controller's clock), or the quiet window, whichever first.
    expect(live.at - syncing.at).toBeGreaterThanOrEqual(700 - 20);
    expect(stream.mirror.nodes.size).toBeGreaterThan(100);
    expect(await settleAndCompare(stream, sim)).toBe(true);
  });

  it('rejectLogin(503): a portal login that fails transiently is LOST and retried, not FAILED', async () => {
    await sim.close();
    sim = await startSimulator({
      auth: { username: 'me@example.com', password: PASSWORD },
      speed: SPEED,
      heartbeatSec: 10,
      heartbeatPromise: SPEED,
      liveEvents: false,
    });
    sim.faults.rejectLogin(503, 1);
    const { stream, seen } = open({ auth: new PortalAuth({ email: 'me@example.com', password: PASSWORD }) });
    stream.start();
    await until(() => stream.status === 'CONNECTED', 5000, 'CONNECTED');
    expect(after(seen, 0)).toEqual(['INITIALIZING', 'LOST', 'RECONNECTING', 'SYNCING', 'CONNECTED']);
    expect(seen[1].code).toBe('AUTH_TRANSIENT');
    expect(await settleAndCompare(stream, sim)).toBe(true);
  });

  it('reset(): pending faults are forgotten', async () => {
    const { seen } = await connected();
    const mark = seen.length;
    sim.faults.reject(503, 5);
    sim.faults.acceptThenClose(5);
    sim.faults.reset();
    sim.faults.drop();
    await until(() => count(seen, 'CONNECTED') === 2, 5000, 'recovery');
    expect(after(seen, mark)).toEqual(['LOST', 'RECONNECTING', 'SYNCING', 'CONNECTED']);
  });
});
