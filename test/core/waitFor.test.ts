import { createServer, type Server } from 'node:net';
import { createEventStream, LocalAuth, silentLogger, WaitForError, type EventStreamStatus } from '../../src';
import { startSimulator, type Simulator } from '../../src/simulator';
import { waitForStatus, type StatusSource } from '../../src/waitFor';

const AUTH = { username: 'admin', password: 's3cret' };
const FAST = { quietMs: 100, backoffMs: [50], logger: silentLogger } as const;

/** A status source driven by hand, counting its listeners. */
function fakeSource(initial: EventStreamStatus) {
  const listeners = new Set<(s: EventStreamStatus) => void>();
  let status = initial;
  const source: StatusSource & { set(s: EventStreamStatus): void; listeners: number } = {
    get status() {
      return status;
    },
    lastError: null,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      status = next;
      for (const l of [...listeners]) l(next);
    },
    get listeners() {
      return listeners.size;
    },
  };
  return source;
}

const rejection = async (promise: Promise<unknown>): Promise<WaitForError> => {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WaitForError);
    return error as WaitForError;
  }
  throw new Error('expected a rejection');
};

describe('waitFor on a real stream', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('resolves when the stream reaches CONNECTED, and at once when it is there already', async () => {
    sim = await startSimulator({ auth: AUTH, speed: 50, liveEvents: false });
    const stream = createEventStream({ url: sim.url, auth: new LocalAuth(AUTH.username, AUTH.password), ...FAST });
    const seen: string[] = [];
    stream.onStatus((s) => seen.push(s));
    stream.start();
    await stream.waitFor('CONNECTED', { timeoutMs: 10_000 });
    expect(stream.status).toBe('CONNECTED');
    expect(seen).toEqual(['INITIALIZING', 'SYNCING', 'CONNECTED']);
    await expect(stream.waitFor('CONNECTED', { timeoutMs: 0 })).resolves.toBeUndefined();
    await stream.stop();
  });

  it('rejects with STREAM_FAILED and the reason when the credentials are wrong', async () => {
    sim = await startSimulator({ auth: AUTH, speed: 50, liveEvents: false });
    const stream = createEventStream({ url: sim.url, auth: new LocalAuth(AUTH.username, 'wrong'), ...FAST });
    stream.start();
    const error = await rejection(stream.waitFor('CONNECTED', { timeoutMs: 10_000 }));
    expect(error).toMatchObject({ code: 'STREAM_FAILED', expected: 'CONNECTED', status: 'FAILED' });
    expect(error.lastError?.status).toBe(401);
    expect(error.message).toContain(error.lastError?.message);
    expect(error.message).not.toContain('wrong');
    // A FAILED stream stays FAILED until start(): waiting now is answered at once.
    expect((await rejection(stream.waitFor('SYNCING'))).code).toBe('STREAM_FAILED');
    await stream.stop();
  });

  it('rejects with STREAM_STOPPED when stop() comes first, and resolves a wait for STOPPED', async () => {
    sim = await startSimulator({ auth: AUTH, speed: 1, liveEvents: false });
    const stream = createEventStream({ url: sim.url, auth: new LocalAuth(AUTH.username, AUTH.password), ...FAST });
    stream.start();
    const connected = rejection(stream.waitFor('CONNECTED'));
    const stopped = stream.waitFor('STOPPED', { timeoutMs: 10_000 });
    await stream.stop();
    expect((await connected).code).toBe('STREAM_STOPPED');
    await expect(stopped).resolves.toBeUndefined();
  });

  it('rejects with WAIT_TIMEOUT while the stream keeps retrying (LOST and RECONNECTING are no answer)', async () => {
    // A peer that accepts TCP and never answers the upgrade.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const stream = createEventStream({ url: `http://127.0.0.1:${port}`, ...FAST, connectTimeoutMs: 100 });
    const seen: string[] = [];
    stream.onStatus((s) => seen.push(s));
    stream.start();
    try {
      const error = await rejection(stream.waitFor('CONNECTED', { timeoutMs: 600 }));
      expect(error.code).toBe('WAIT_TIMEOUT');
      expect(['INITIALIZING', 'LOST', 'RECONNECTING']).toContain(error.status);
      expect(error.message).toContain('600 ms');
      expect(seen).toContain('LOST');
      expect(seen).toContain('RECONNECTING');
    } finally {
      await stream.stop();
      silent.close();
    }
  });
});

describe('waitForStatus', () => {
  it('ignores the statuses on the way and leaves no listener behind', async () => {
    const source = fakeSource('INITIALIZING');
    const wait = waitForStatus(source, 'CONNECTED', { timeoutMs: 1000 });
    for (const s of ['LOST', 'RECONNECTING', 'SYNCING', 'CONNECTED'] as const) source.set(s);
    await expect(wait).resolves.toBeUndefined();
    expect(source.listeners).toBe(0);
  });

  it('can wait for FAILED itself, and then rejects on STOPPED', async () => {
    const source = fakeSource('LOST');
    const failed = waitForStatus(source, 'FAILED');
    source.set('FAILED');
    await expect(failed).resolves.toBeUndefined();
    const other = fakeSource('LOST');
    const wait = waitForStatus(other, 'FAILED');
    other.set('STOPPED');
    expect((await rejection(wait)).code).toBe('STREAM_STOPPED');
    expect(other.listeners).toBe(0);
  });

  it('clears its listener on timeout', async () => {
    const source = fakeSource('RECONNECTING');
    const error = await rejection(waitForStatus(source, 'CONNECTED', { timeoutMs: 10 }));
    expect(error).toMatchObject({ code: 'WAIT_TIMEOUT', status: 'RECONNECTING', expected: 'CONNECTED' });
    expect(source.listeners).toBe(0);
  });

  it('refuses an unknown status or a bad timeout with a TypeError', async () => {
    const source = fakeSource('INITIALIZING');
    await expect(waitForStatus(source, 'ONLINE' as never)).rejects.toThrow(TypeError);
    for (const timeoutMs of [-1, Number.NaN, Infinity, '5' as never]) {
      await expect(waitForStatus(source, 'CONNECTED', { timeoutMs })).rejects.toThrow(TypeError);
    }
    expect(source.listeners).toBe(0);
  });
});
