import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { WebSocket } from 'ws';
import {
  createEventStream,
  PortalAuth,
  silentLogger,
  TokenAuth,
  type EventStream,
  type EventStreamOptions,
} from '../../src';
import { eventFrame, heartbeatFrame, ScriptedServer, sleep, until } from '../helpers/scriptedServer';

/**
 * Issue 11's failing inputs, each on real loopback sockets and counted where a controller counts:
 * TCP connections held by the server (a raw `net` view), not our own objects.
 */

let server: ScriptedServer;
const streams: EventStream[] = [];

function open(options: Partial<EventStreamOptions> = {}): EventStream {
  const stream = createEventStream({ url: server.url, logger: silentLogger, ...options });
  streams.push(stream);
  return stream;
}

/** Make the server's side of `ws` a half-open peer: it still reads (so it notices FIN) but drops every byte, close frames included, and never sends again. */
function goHalfOpen(ws: WebSocket): { bytesAfter: () => number } {
  const socket = (ws as unknown as { _socket: Socket })._socket;
  let bytes = 0;
  socket.removeAllListeners('data');
  socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
  return { bytesAfter: () => bytes };
}

/** With `IOX_MEASURE=1`, print what each input measured (for the before/after numbers). */
function measure(input: string, numbers: Record<string, number>): void {
  if (process.env.IOX_MEASURE) process.stdout.write(`${input}: ${JSON.stringify(numbers)}\n`);
}

/** Time `stop()` in ms. */
async function timedStop(stream: EventStream): Promise<number> {
  const at = performance.now();
  await stream.stop();
  return performance.now() - at;
}

beforeEach(async () => {
  server = await ScriptedServer.start();
});

afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.stop()));
  await server.close();
});

describe('issue 11: one owner for every connection', () => {
  it('input 1: a dead link is destroyed at once (no close frame), so the reconnect never overlaps it', async () => {
    let peer: { bytesAfter: () => number } | null = null;
    server.onConnection = (ws, info) => {
      if (info.index > 0) return ws.send(heartbeatFrame(90, 0));
      // Promise 1 s of silence at most, then go half-open: never answer, never read a close frame.
      ws.send(heartbeatFrame(1, 0));
      peer = goHalfOpen(ws);
    };
    const stream = open({ heartbeatGraceMs: 100, backoffMs: [100, 100], quietMs: 50 });
    stream.start();
    await until(() => stream.status === 'LOST', 4000, 'LOST');
    const lostAt = performance.now();
    await until(() => server.upgrades.length === 2, 3000, 'the reconnect');
    await until(() => stream.status === 'CONNECTED', 3000, 'CONNECTED again');
    measure('input 1', { peakTcp: server.peakTcp, closeFrameBytes: peer!.bytesAfter() });
    expect(stream.lastError?.code).toBe('HEARTBEAT_TIMEOUT');
    expect(server.peakTcp).toBe(1);
    expect(peer!.bytesAfter()).toBe(0); // no closing handshake with a dead peer
    expect(performance.now() - lostAt).toBeLessThan(1000);
  });

  it('input 2: stop(); start() without awaiting, against a controller that stops reading for 600 ms', async () => {
    server.onConnection = (ws) => ws.send(heartbeatFrame(90, 0));
    const stream = open({ quietMs: 50 });
    stream.start();
    await until(() => stream.status === 'CONNECTED');
    const first = [...server.sockets][0];
    const socket = (first as unknown as { _socket: Socket })._socket;
    socket.pause();
    setTimeout(() => socket.resume(), 600);
    const at = performance.now();
    let firstStopMs = -1;
    void stream.stop().then(() => (firstStopMs = performance.now() - at));
    stream.start();
    await until(() => server.upgrades.length === 2, 3000, 'the second connection');
    await until(() => stream.status === 'CONNECTED', 3000);
    await until(() => firstStopMs >= 0 || performance.now() - at > 3000, 4000);
    measure('input 2', { peakTcp: server.peakTcp, firstStopMs: Math.round(firstStopMs) });
    expect(server.peakTcp).toBe(1);
    expect(firstStopMs).toBeLessThan(1300);
  });

  it.each([
    { closeGraceMs: 150, atLeast: 100, below: 700 },
    { closeGraceMs: undefined, atLeast: 900, below: 1600 },
  ])(
    'a peer that never answers the close frame is destroyed after closeGraceMs ($closeGraceMs)',
    async ({ closeGraceMs, atLeast, below }) => {
      server.onConnection = (ws) => {
        ws.send(heartbeatFrame(90, 0));
        goHalfOpen(ws);
      };
      const stream = open({ quietMs: 50, closeGraceMs });
      stream.start();
      await until(() => stream.status === 'CONNECTED');
      const ms = await timedStop(stream);
      measure('close grace', { closeGraceMs: closeGraceMs ?? 1000, stopMs: Math.round(ms) });
      expect(ms).toBeGreaterThanOrEqual(atLeast);
      expect(ms).toBeLessThan(below);
      await until(() => server.tcpCount === 0, 1000, 'the TCP connection closed at the server');
    },
  );

  describe('input 3: stop() during a TLS handshake that never completes', () => {
    let tcp: Server;
    const held = new Set<Socket>();
    beforeEach(async () => {
      tcp = createServer((socket) => {
        held.add(socket);
        socket.on('data', () => {}); // read the ClientHello, never answer
        socket.on('close', () => held.delete(socket));
        socket.on('error', () => {});
      });
      await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    });
    afterEach(async () => {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    });

    it('closes the TCP connection before stop() resolves', async () => {
      const port = (tcp.address() as AddressInfo).port;
      const stream = open({
        url: `https://127.0.0.1:${port}`,
        tls: { fingerprint256: 'AB'.repeat(32) },
        connectTimeoutMs: 8000,
      });
      stream.start();
      await until(() => held.size === 1, 2000, 'the TCP connection');
      await sleep(400);
      const stopMs = await timedStop(stream);
      const stoppedAt = performance.now();
      await until(() => held.size === 0, 9000, 'the server to see the connection close');
      measure('input 3', { stopMs: Math.round(stopMs), tcpOpenAfterStopMs: Math.round(performance.now() - stoppedAt) });
      expect(performance.now() - stoppedAt).toBeLessThan(100);
      expect(stopMs).toBeLessThan(1000);
    });

    it("cancels PortalAuth's login over the same stalled handshake", async () => {
      const port = (tcp.address() as AddressInfo).port;
      const stream = open({
        url: `https://127.0.0.1:${port}`,
        auth: new PortalAuth({ email: 'owner@example.com', password: 'pw' }),
        tls: { fingerprint256: 'AB'.repeat(32) },
        connectTimeoutMs: 8000,
      });
      stream.start();
      await until(() => held.size === 1, 2000, 'the login connection');
      await sleep(400);
      const stopMs = await timedStop(stream);
      await until(() => held.size === 0, 1000, 'the login connection to close');
      expect(stopMs).toBeLessThan(1000);
    });
  });

  it('input 4: stop() from an event listener during the first replay burst: nothing after it, SYNCING first', async () => {
    server.onConnection = (ws) => {
      for (let i = 0; i < 60; i++) ws.send(eventFrame('ST', String(i), `AA ${i} 00 1`, { seqnum: i }));
    };
    const stream = open();
    const heard: string[] = [];
    let stopReturned = false;
    let afterStop = 0;
    stream.onStatus((status) => heard.push(`status:${status}`));
    stream.onEvent(() => {
      if (stopReturned) afterStop++;
      heard.push('event');
      if (heard.filter((h) => h === 'event').length === 5) {
        void stream.stop();
        stopReturned = true;
      }
    });
    stream.start();
    await until(() => stream.status === 'STOPPED', 3000);
    await sleep(100);
    measure('input 4', { eventsAfterStop: afterStop, syncingHeardAt: heard.indexOf('status:SYNCING') });
    expect(afterStop).toBe(0);
    expect(heard.indexOf('status:SYNCING')).toBeGreaterThanOrEqual(0);
    expect(heard.indexOf('status:SYNCING')).toBeLessThan(heard.indexOf('event'));
    await until(() => server.tcpCount === 0, 2000);
  });

  it('input 5: a slow token source never leaves an attempt’s socket open, and stop() is prompt', async () => {
    const pending: Array<() => void> = [];
    const auth = new TokenAuth({
      token: () =>
        new Promise<string>((resolve) => {
          const timer = setTimeout(() => resolve('slow-token'), 5000);
          pending.push(() => {
            clearTimeout(timer);
            resolve('slow-token');
          });
        }),
    });
    const stream = open({ auth, path: '/api/events/subscribe', connectTimeoutMs: 300, backoffMs: [100] });
    stream.start();
    await until(() => server.upgrades.length >= 4, 4000, 'four attempts');
    const stopMs = await timedStop(stream);
    for (const release of pending) release();
    measure('input 5', { peakTcp: server.peakTcp, stopMs: Math.round(stopMs) });
    expect(server.peakTcp).toBe(1);
    expect(stopMs).toBeLessThan(1000);
    await until(() => server.tcpCount === 0, 500, 'no TCP connection left');
  });
});
