import {
  AuthRejectedError,
  AuthTransientError,
  createEventStream,
  EventStreamStatus,
  LocalAuth,
  silentLogger,
  type Auth,
  type EventStream,
  type EventStreamOptions,
} from '../../src';
import { eventFrame, heartbeatFrame, ScriptedServer, sleep, until } from '../helpers/scriptedServer';

/** Real time throughout this suite (the model-based suite uses a simulated clock). */
const FAST = {
  quietMs: 150,
  syncMaxMs: 3000,
  backoffMs: [60, 120, 240],
  heartbeatGraceMs: 200,
  connectTimeoutMs: 1000,
  logger: silentLogger,
} as const;

let server: ScriptedServer;
const streams: EventStream[] = [];

function open(options: Partial<EventStreamOptions> = {}): EventStream {
  const stream = createEventStream({ url: server.url, ...FAST, ...options });
  streams.push(stream);
  return stream;
}

function timeline(stream: EventStream): Array<{ status: string; at: number }> {
  const seen: Array<{ status: string; at: number }> = [];
  stream.onStatus((status) => seen.push({ status, at: Date.now() }));
  return seen;
}

beforeEach(async () => {
  server = await ScriptedServer.start();
  // By default the controller replays one frame (a heartbeat), so SYNCING ends after quietMs.
  server.onConnection = (ws) => ws.send(heartbeatFrame(90, 0));
});

afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.stop()));
  // Whatever the test did, never two sockets of one client at once.
  expect(server.peakOpen).toBeLessThanOrEqual(1);
  await server.close();
});

describe('connect, replay, quiet window', () => {
  it('holds back the replay as SYNCING and goes CONNECTED exactly one quiet window after the last replay frame', async () => {
    server.onConnection = async (ws) => {
      for (let i = 0; i < 12; i++) {
        ws.send(eventFrame('ST', String(i * 10), `AA BB ${i} 1`, { seqnum: i, uom: '100', fmtAct: `${i}%` }));
        await sleep(40); // gaps shorter than quietMs: still one replay
      }
    };
    const stream = open();
    const statuses = timeline(stream);
    const deliveries: Array<{ node: string; replay: boolean; at: number }> = [];
    stream.onEvent((event, info) => deliveries.push({ node: event.node, replay: info.replay, at: Date.now() }));
    stream.start();

    await until(() => stream.status === 'CONNECTED', 5000, 'CONNECTED');
    expect(statuses.map((s) => s.status)).toEqual(['INITIALIZING', 'SYNCING', 'CONNECTED']);
    expect(deliveries).toHaveLength(12);
    expect(deliveries.every((d) => d.replay)).toBe(true);

    const lastReplayAt = deliveries[deliveries.length - 1].at;
    const connectedAt = statuses[2].at;
    // Not before the window (the per-frame restart is exact), and not much later either.
    expect(connectedAt - lastReplayAt).toBeGreaterThanOrEqual(FAST.quietMs - 5);
    expect(connectedAt - lastReplayAt).toBeLessThan(FAST.quietMs + 100);

    server.broadcast(eventFrame('ST', '255', 'AA BB 1 1', { seqnum: 12 }));
    await until(() => deliveries.length === 13, 2000, 'live event');
    expect(deliveries[12].replay).toBe(false);
    expect(stream.connected).toBe(true);
    expect(stream.lastEventAt).toBeInstanceOf(Date);
  });

  it('waits for the first frame before starting the quiet window, and syncMaxMs caps the replay from its first frame', async () => {
    // A controller that opens, waits longer than quietMs and than syncMaxMs, then replays slowly forever.
    server.onConnection = async (ws) => {
      await sleep(900);
      for (let i = 0; i < 100 && ws.readyState === ws.OPEN; i++) {
        ws.send(eventFrame('ST', '0', `CC ${i} 1`, { seqnum: i }));
        await sleep(50);
      }
    };
    const stream = open({ syncMaxMs: 600 });
    const statuses = timeline(stream);
    const replayAt: number[] = [];
    let live = 0;
    stream.onEvent((_e, info) => (info.replay ? replayAt.push(Date.now()) : live++));
    stream.start();
    await until(() => stream.status === 'SYNCING', 2000);
    await sleep(800);
    // No frame yet: neither the quiet window nor the cap has started.
    expect(stream.status).toBe('SYNCING');
    await until(() => stream.status === 'CONNECTED', 3000);
    const took = statuses[2].at - replayAt[0];
    expect(took).toBeGreaterThanOrEqual(590);
    expect(took).toBeLessThan(900);
    expect(replayAt.length).toBeGreaterThan(5);
    expect(statuses.map((s) => s.status)).toEqual(['INITIALIZING', 'SYNCING', 'CONNECTED']);
  });

  it('tells the dispatcher where the replay ends: the mirror holds what the replay said', async () => {
    server.onConnection = (ws) => {
      ws.send(eventFrame('ST', '128', '11 22 33 1', { seqnum: 0, uom: '100', prec: '0', fmtAct: '50%' }));
      ws.send(eventFrame('OL', '255', '11 22 33 1', { seqnum: 1, uom: '100', prec: '0', fmtAct: '100%' }));
    };
    const stream = open();
    stream.start();
    await until(() => stream.status === 'CONNECTED');
    const node = stream.mirror.nodes.get('11 22 33 1');
    expect(node?.get('ST')?.value).toBe('128');
    expect(node?.get('OL')?.value).toBe('255');
  });

  it('keeps reading through a frame with invalid UTF-8 and a binary frame', async () => {
    server.onConnection = (ws) => {
      ws.send(eventFrame('ST', '1', '1A 1A 1A 1', { seqnum: 0 }));
      ws.send(Buffer.from([0x3c, 0xff, 0xfe, 0x3e])); // invalid UTF-8 text frame
      ws.send(Buffer.from([1, 2, 3]), { binary: true });
      ws.send(eventFrame('ST', '2', '1A 1A 1A 1', { seqnum: 1 }));
    };
    const stream = open();
    let events = 0;
    stream.onEvent(() => events++);
    stream.start();
    await until(() => stream.status === 'CONNECTED');
    expect(events).toBe(2);
    expect(stream.stats.connections).toBe(1);
    expect(server.upgrades).toHaveLength(1);
  });
});

describe('failures and backoff', () => {
  it('accept-then-close keeps growing the backoff: the handshake alone never resets it', async () => {
    server.onConnection = (ws) => ws.close(1011, 'go away');
    const stream = open({ backoffMs: [80, 160, 320] });
    const statuses = timeline(stream);
    stream.start();
    await until(() => server.upgrades.length >= 4, 5000, '4 upgrades');
    await stream.stop();

    const lostTimes = statuses.filter((s) => s.status === 'LOST').map((s) => s.at);
    const retryTimes = statuses.filter((s) => s.status === 'RECONNECTING').map((s) => s.at);
    const waits = retryTimes.slice(0, 3).map((t, i) => t - lostTimes[i]);
    expect(waits[0]).toBeGreaterThanOrEqual(75);
    expect(waits[1]).toBeGreaterThanOrEqual(155);
    expect(waits[2]).toBeGreaterThanOrEqual(315);
    expect(statuses.some((s) => s.status === 'CONNECTED')).toBe(false);
  });

  it('resets the backoff once the stream has been CONNECTED', async () => {
    let connections = 0;
    server.onConnection = (ws) => {
      connections++;
      if (connections <= 2)
        ws.close(); // two bad attempts, backoff grows
      else ws.send(eventFrame('ST', '0', 'AB CD EF 1', { seqnum: 0 }));
    };
    const stream = open({ backoffMs: [50, 400, 800] });
    const statuses = timeline(stream);
    stream.start();
    await until(() => stream.status === 'CONNECTED', 5000);
    expect(stream.actor.getSnapshot().context.failures).toBe(0);
    const seenBefore = statuses.length;
    for (const ws of server.sockets) ws.close();
    await until(() => statuses.slice(seenBefore).some((s) => s.status === 'RECONNECTING'), 2000);
    const after = statuses.slice(seenBefore);
    const lost = after.find((s) => s.status === 'LOST')!;
    const retry = after.find((s) => s.status === 'RECONNECTING')!;
    // The first step again (50 ms), not the third (800 ms).
    expect(retry.at - lost.at).toBeGreaterThanOrEqual(45);
    expect(retry.at - lost.at).toBeLessThan(350);
  });

  it('401 with credentials that cannot be repaired → FAILED, and no further attempts', async () => {
    server.verdict = () => ({ kind: 'reject', status: 401 });
    const stream = open({ auth: new LocalAuth('admin', 'wrong-password') });
    const statuses = timeline(stream);
    stream.start();
    await until(() => stream.status === 'FAILED');
    await sleep(FAST.backoffMs[2] * 2);
    expect(server.upgrades).toHaveLength(1);
    expect(server.upgrades[0].headers.authorization).toBe(
      `Basic ${Buffer.from('admin:wrong-password').toString('base64')}`,
    );
    expect(statuses.map((s) => s.status)).toEqual(['INITIALIZING', 'FAILED']);
    expect(stream.lastError?.status).toBe(401);
    expect(JSON.stringify(stream.lastError)).not.toContain('wrong-password');
  });

  it('recoverable 401 → exactly one refresh, an immediate retry with the new credentials, CONNECTED', async () => {
    let token = 'expired';
    let refreshes = 0;
    const auth: Auth = {
      headers: () => ({ Authorization: `Bearer ${token}` }),
      handleUnauthorized: async () => {
        refreshes++;
        token = 'fresh';
        return true;
      },
    };
    server.verdict = (info) =>
      info.headers.authorization === 'Bearer fresh' ? { kind: 'accept' } : { kind: 'reject', status: 401 };
    server.onConnection = (ws) => ws.send(heartbeatFrame(90, 0));
    const stream = open({ auth });
    const statuses = timeline(stream);
    stream.start();
    await until(() => stream.status === 'CONNECTED');
    expect(refreshes).toBe(1);
    expect(server.upgrades.map((u) => u.headers.authorization)).toEqual(['Bearer expired', 'Bearer fresh']);
    expect(statuses.map((s) => s.status)).toEqual(['INITIALIZING', 'SYNCING', 'CONNECTED']);
  });

  it('a retry that meets 401 again → FAILED (one recovery per attempt)', async () => {
    let refreshes = 0;
    const auth: Auth = { headers: () => ({}), handleUnauthorized: async () => (refreshes++, true) };
    server.verdict = () => ({ kind: 'reject', status: 401 });
    const stream = open({ auth });
    stream.start();
    await until(() => stream.status === 'FAILED');
    expect(refreshes).toBe(1);
    expect(server.upgrades).toHaveLength(2);
  });

  it('auth endpoint 5xx is transient → LOST and retry, not FAILED', async () => {
    let calls = 0;
    const auth: Auth = {
      headers: () => {
        calls++;
        if (calls <= 2) throw new AuthTransientError('auth endpoint answered HTTP 503', 503);
        return {};
      },
      handleUnauthorized: async () => false,
    };
    const stream = open({ auth });
    const statuses = timeline(stream);
    stream.start();
    await until(() => stream.status === 'SYNCING', 3000);
    expect(statuses.map((s) => s.status)).toEqual([
      'INITIALIZING',
      'LOST',
      'RECONNECTING',
      'LOST',
      'RECONNECTING',
      'SYNCING',
    ]);
    expect(statuses.some((s) => s.status === 'FAILED')).toBe(false);
  });

  it('a refresh that fails transiently → LOST; one that reports rejected credentials → FAILED', async () => {
    server.verdict = () => ({ kind: 'reject', status: 401 });
    let mode: 'transient' | 'rejected' = 'transient';
    const auth: Auth = {
      headers: () => ({}),
      handleUnauthorized: async () => {
        if (mode === 'transient') throw new AuthTransientError('refresh endpoint unreachable');
        throw new AuthRejectedError('login rejected', 401);
      },
    };
    const stream = open({ auth });
    stream.start();
    await until(() => stream.status === 'LOST');
    mode = 'rejected';
    await until(() => stream.status === 'FAILED', 3000);
    expect(stream.lastError?.code).toBe('AUTH_REJECTED');
  });

  it('a non-401 status (500) is a transient failure: LOST, then retries', async () => {
    server.verdict = (info) => (info.index < 2 ? { kind: 'reject', status: 500 } : { kind: 'accept' });
    const stream = open();
    stream.start();
    await until(() => stream.status === 'SYNCING', 3000);
    expect(server.upgrades).toHaveLength(3);
  });

  it('an upgrade that never answers times out after connectTimeoutMs → LOST', async () => {
    server.verdict = () => ({ kind: 'hang' });
    const stream = open({ connectTimeoutMs: 200 });
    const statuses = timeline(stream);
    stream.start();
    await until(() => stream.status === 'LOST', 2000);
    expect(statuses[1].at - statuses[0].at).toBeGreaterThanOrEqual(195);
    expect(stream.lastError?.code).toBe('CONNECT_TIMEOUT');
  });

  it('a refused connection → LOST → RECONNECTING', async () => {
    const port = server.port;
    await server.close();
    const stream = createEventStream({ url: `http://127.0.0.1:${port}`, ...FAST });
    streams.push(stream);
    const statuses = timeline(stream);
    stream.start();
    await until(() => statuses.filter((s) => s.status === 'RECONNECTING').length >= 2, 3000);
    expect(stream.lastError?.code).toBe('CONNECT_FAILED');
    await stream.stop();
    server = await ScriptedServer.start(); // for afterEach
  });

  it('maxAttempts consecutive failures → FAILED', async () => {
    server.verdict = () => ({ kind: 'reject', status: 503 });
    const stream = open({ maxAttempts: 3 });
    stream.start();
    await until(() => stream.status === 'FAILED', 3000);
    expect(server.upgrades).toHaveLength(3);
    expect(stream.lastError?.code).toBe('MAX_ATTEMPTS');
    // START after FAILED starts over.
    server.verdict = () => ({ kind: 'accept' });
    stream.start();
    await until(() => stream.status === 'SYNCING', 2000);
  });
});

describe('heartbeat watchdog', () => {
  it('a silent link (no frame for promise + grace) is dead: closed, LOST, RECONNECTING', async () => {
    let connections = 0;
    server.onConnection = (ws) => {
      connections++;
      if (connections === 1) ws.send(heartbeatFrame(1, 0)); // promises at most 1 s of silence, then stalls
    };
    const stream = open({ heartbeatGraceMs: 200 });
    const statuses = timeline(stream);
    stream.start();
    await until(() => stream.status === 'CONNECTED');
    const heartbeatAt = statuses.find((s) => s.status === 'SYNCING')!.at;
    await until(() => stream.status === 'LOST', 3000);
    const lostAt = Date.now();
    expect(lostAt - heartbeatAt).toBeGreaterThanOrEqual(1150);
    expect(lostAt - heartbeatAt).toBeLessThan(1600);
    expect(stream.lastError?.code).toBe('HEARTBEAT_TIMEOUT');
    await until(() => connections === 2, 2000, 'reconnect');
    await until(() => server.openCount === 1);
  });

  it('frames keep the link alive past the promise', async () => {
    server.onConnection = async (ws) => {
      ws.send(heartbeatFrame(1, 0));
      for (let i = 1; i < 8 && ws.readyState === ws.OPEN; i++) {
        await sleep(250);
        ws.send(eventFrame('ST', String(i), '22 22 22 1', { seqnum: i }));
      }
    };
    const stream = open({ heartbeatGraceMs: 100, quietMs: 100 });
    const statuses = timeline(stream);
    stream.start();
    await sleep(1900);
    expect(statuses.map((s) => s.status)).toEqual(['INITIALIZING', 'SYNCING', 'CONNECTED']);
  });
});

describe('stop', () => {
  async function stopIn(status: string, arrange: (stream: EventStream) => Promise<void>): Promise<void> {
    const stream = open();
    let afterStop = 0;
    let stopped = false;
    stream.onEvent(() => {
      if (stopped) afterStop++;
    });
    await arrange(stream);
    expect(stream.status).toBe(status);
    await stream.stop();
    stopped = true;
    expect(stream.status).toBe('STOPPED');
    await server.waitClosed();
    server.broadcast(eventFrame('ST', '1', 'AA 00 00 1'));
    await sleep(FAST.backoffMs[2] + 50);
    expect(afterStop).toBe(0);
    expect(stream.status).toBe('STOPPED');
    // Idempotent.
    await stream.stop();
  }

  it('from NOT_STARTED', () => stopIn('NOT_STARTED', async () => {}));

  it('from INITIALIZING (upgrade pending)', () => {
    server.verdict = () => ({ kind: 'hang' });
    return stopIn('INITIALIZING', async (s) => {
      s.start();
      await until(() => server.upgrades.length === 1);
    });
  });

  it('from SYNCING', () => {
    server.onConnection = (ws) => ws.send(eventFrame('ST', '1', 'AA 00 00 1'));
    return stopIn('SYNCING', async (s) => {
      s.start();
      await until(() => s.status === 'SYNCING');
    });
  });

  it('from CONNECTED', () =>
    stopIn('CONNECTED', async (s) => {
      s.start();
      await until(() => s.status === 'CONNECTED');
    }));

  it('from LOST', () => {
    server.verdict = () => ({ kind: 'reject', status: 503 });
    return stopIn('LOST', async (s) => {
      s.start();
      await until(() => s.status === 'LOST');
    });
  });

  it('from RECONNECTING', () => {
    server.verdict = (info) => (info.index === 0 ? { kind: 'reject', status: 503 } : { kind: 'hang' });
    return stopIn('RECONNECTING', async (s) => {
      s.start();
      await until(() => s.status === 'RECONNECTING' && server.upgrades.length === 2);
    });
  });

  it('from FAILED', () => {
    server.verdict = () => ({ kind: 'reject', status: 401 });
    return stopIn('FAILED', async (s) => {
      s.start();
      await until(() => s.status === 'FAILED');
    });
  });

  it('leaves no timer, socket or handle behind and can start again', async () => {
    const countOf = (list: string[], kind: string) => list.filter((r) => r === kind).length;
    const baseline = {
      timers: countOf(process.getActiveResourcesInfo(), 'Timeout'),
      tcp: countOf(process.getActiveResourcesInfo(), 'TCPSocketWrap'),
    };
    server.onConnection = (ws) => ws.send(heartbeatFrame(90, 0));
    const stream = open();
    stream.start();
    await until(() => stream.status === 'CONNECTED');
    await stream.stop();
    await server.waitClosed();
    // Other suites' timers may come and go; ours must all be gone within a moment.
    await until(
      () => {
        const after = process.getActiveResourcesInfo();
        return countOf(after, 'Timeout') <= baseline.timers && countOf(after, 'TCPSocketWrap') <= baseline.tcp;
      },
      1500,
      'no timers or sockets left',
    );
    stream.start();
    await until(() => stream.status === 'CONNECTED');
    expect(stream.stats.connections).toBe(2);
  });
});

describe('options', () => {
  it.each([
    [{ url: 'not a url' }, /valid URL/],
    [{ url: 'ftp://eisy.local' }, /scheme/],
    [{ url: 'https://admin:secret@eisy.local:8443' }, /credentials in `auth`/],
    [{ url: 'https://eisy.local', quietMs: -1 }, /quietMs/],
    [{ url: 'https://eisy.local', backoffMs: [] }, /backoffMs/],
    [{ url: 'https://eisy.local', maxAttempts: 0 }, /maxAttempts/],
    [{ url: 'https://eisy.local', path: 'rest/subscribe' }, /path/],
  ])('rejects %p with a clear TypeError', (options, message) => {
    expect(() => createEventStream(options as EventStreamOptions)).toThrow(TypeError);
    expect(() => createEventStream(options as EventStreamOptions)).toThrow(message);
  });

  it('never echoes a password from the URL', () => {
    try {
      createEventStream({ url: 'https://admin:hunter2@eisy.local:8443' });
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });

  it('maps https to wss on /rest/subscribe, and honours path', async () => {
    server.onConnection = () => {};
    const a = open({ path: '/api/events/subscribe' });
    a.start();
    await until(() => server.upgrades.length === 1);
    expect(server.upgrades[0].url).toBe('/api/events/subscribe');
    await a.stop();
    const b = open();
    b.start();
    await until(() => server.upgrades.length === 2);
    expect(server.upgrades[1].url).toBe('/rest/subscribe');
  });

  it('sends extra headers, and the legacy ISY994 subprotocol and Origin when asked', async () => {
    const stream = open({ headers: { 'User-Agent': 'my-bridge/1.0' }, legacyIsy: true, auth: new LocalAuth('u', 'p') });
    stream.start();
    await until(() => stream.status === 'SYNCING');
    const headers = server.upgrades[0].headers;
    expect(headers['user-agent']).toBe('my-bridge/1.0');
    expect(headers['sec-websocket-protocol']).toBe('ISYSUB');
    expect(headers.origin).toBe('com.universal-devices.websockets.isy');
    expect(headers.authorization).toMatch(/^Basic /);
  });

  it('isolates a throwing status listener', async () => {
    const logged: string[] = [];
    const stream = open({ logger: { ...silentLogger, error: (m: string) => logged.push(m) } });
    stream.onStatus(() => {
      throw new Error('listener bug');
    });
    const seen: string[] = [];
    stream.onStatus((s) => seen.push(s));
    stream.start();
    await until(() => stream.status === 'CONNECTED', 3000);
    expect(seen).toContain('CONNECTED');
    expect(logged.some((m) => m.includes('status listener'))).toBe(true);
  });

  it('exposes the eight statuses', () => {
    expect(Object.values(EventStreamStatus).sort()).toEqual([
      'CONNECTED',
      'FAILED',
      'INITIALIZING',
      'LOST',
      'NOT_STARTED',
      'RECONNECTING',
      'STOPPED',
      'SYNCING',
    ]);
  });
});
