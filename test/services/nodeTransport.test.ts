import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ConnectError, HandshakeError } from '../../src/errors';
import { silentLogger } from '../../src/logger';
import { wsText } from '../../src/simulator/wsText';
import { nodeTransport } from '../../src/services/nodeTransport';
import type {
  OpenedInfo,
  TransportConnection,
  TransportListener,
  TransportRequest,
} from '../../src/services/transport';
import { listenForUpgrades, type LoopbackUpgrades } from '../helpers/loopbackUpgrades';

// The Node transport against real peers on 127.0.0.1: a `ws` server for the well-behaved cases,
// raw `net` servers for the hostile ones (a peer that never answers the upgrade, a redirect, a
// broken handshake). What the controller sees is counted at the TCP level.

type Call =
  | { kind: 'opened'; info: OpenedInfo }
  | { kind: 'frame'; text: string }
  | { kind: 'failed'; error: Error }
  | { kind: 'closed'; code: number; reason: string };

/** A listener that records every call, in order, and lets the test wait for one kind. */
class Recorder implements TransportListener {
  readonly calls: Call[] = [];
  /** Runs inside `failed`, as an owner reacting to the failure would. */
  onFailed: () => void = () => {};
  #waiters: Array<{ kind: Call['kind']; wake: () => void }> = [];

  opened(info: OpenedInfo): void {
    this.#push({ kind: 'opened', info });
  }
  frame(text: string): void {
    this.#push({ kind: 'frame', text });
  }
  failed(error: Error): void {
    this.#push({ kind: 'failed', error });
    this.onFailed();
  }
  closed(code: number, reason: string): void {
    this.#push({ kind: 'closed', code, reason });
  }

  count(kind: Call['kind']): number {
    return this.calls.filter((call) => call.kind === kind).length;
  }

  kinds(): Array<Call['kind']> {
    return this.calls.map((call) => call.kind);
  }

  first<K extends Call['kind']>(kind: K): Extract<Call, { kind: K }> {
    const call = this.calls.find((c) => c.kind === kind);
    if (!call) throw new Error(`no ${kind} call; calls: ${this.kinds().join(', ')}`);
    return call as Extract<Call, { kind: K }>;
  }

  /** Resolves once a call of this kind has been made (bounded, so a missing call fails the test). */
  when(kind: Call['kind'], timeoutMs = 3000): Promise<void> {
    if (this.count(kind) > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${kind} within ${timeoutMs} ms; calls: ${this.kinds().join(', ')}`)),
        timeoutMs,
      );
      this.#waiters.push({
        kind,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  #push(call: Call): void {
    this.calls.push(call);
    const waiters = this.#waiters.filter((w) => w.kind === call.kind);
    this.#waiters = this.#waiters.filter((w) => w.kind !== call.kind);
    for (const w of waiters) w.wake();
  }
}

/** `promise`, or a failure naming `what` after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A few event-loop turns: long enough for any late listener call to show up. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 30));

/** A real `ws` server behind an HTTP server that counts TCP connections and upgrade requests. */
class WsPeer {
  readonly sockets: WebSocket[] = [];
  upgrades = 0;
  dateHeader: string | undefined;
  readonly #wss: WebSocketServer;
  #http!: LoopbackUpgrades;
  #waiters: Array<(ws: WebSocket) => void> = [];

  private constructor(options: { perMessageDeflate?: boolean }) {
    this.#wss = new WebSocketServer({
      noServer: true,
      // Compress every frame when asked, so the client inflates (asynchronously) what it reads.
      perMessageDeflate: options.perMessageDeflate ? { threshold: 0 } : false,
    });
    this.#wss.on('headers', (headers) => {
      if (this.dateHeader !== undefined) headers.push(`Date: ${this.dateHeader}`);
    });
  }

  static async start(options: { perMessageDeflate?: boolean } = {}): Promise<WsPeer> {
    const peer = new WsPeer(options);
    peer.#http = await listenForUpgrades((req, socket, head) => {
      peer.upgrades++;
      peer.#wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => {});
        peer.sockets.push(ws);
        const waiters = peer.#waiters;
        peer.#waiters = [];
        for (const wake of waiters) wake(ws);
      });
    });
    return peer;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#http.port}/rest/subscribe`;
  }

  get tcpConnections(): number {
    return this.#http.peakConnections;
  }

  nextSocket(): Promise<WebSocket> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.#wss.close();
    await this.#http.close();
  }
}

/** A raw TCP peer: each accepted socket goes to `onSocket`; counts connections. */
async function rawPeer(onSocket: (socket: Socket) => void): Promise<{
  server: NetServer;
  port: number;
  connections: () => number;
  close: () => Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createNetServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function request(url: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  return { url, headers: {}, maxPayload: 1024 * 1024, logger: silentLogger, ...extra };
}

const cleanups: Array<() => unknown> = [];
const connections: TransportConnection[] = [];

function open(req: TransportRequest, recorder: Recorder): TransportConnection {
  const connection = nodeTransport.open(req, recorder);
  connections.push(connection);
  return connection;
}

async function wsPeer(options: { perMessageDeflate?: boolean } = {}): Promise<WsPeer> {
  const peer = await WsPeer.start(options);
  cleanups.push(() => peer.close());
  return peer;
}

async function raw(onSocket: (socket: Socket) => void) {
  const peer = await rawPeer(onSocket);
  cleanups.push(() => peer.close());
  return peer;
}

afterEach(async () => {
  for (const connection of connections.splice(0)) connection.destroy();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('URL schemes', () => {
  it('refuses a scheme other than ws: and wss: with a TypeError naming it', async () => {
    const peer = await wsPeer();
    const httpUrl = peer.url.replace(/^ws:/, 'http:');
    expect(() => open(request(httpUrl), new Recorder())).toThrow(TypeError);
    expect(() => open(request(httpUrl), new Recorder())).toThrow(/unsupported WebSocket URL scheme http:/);
    expect(() => open(request(httpUrl.replace(/^http:/, 'ftp:')), new Recorder())).toThrow(/ftp:/);
    await settle();
    expect(peer.tcpConnections).toBe(0);
  });

  it('accepts ws: (and opens)', async () => {
    const peer = await wsPeer();
    const recorder = new Recorder();
    open(request(peer.url), recorder);
    await recorder.when('opened');
    expect(peer.upgrades).toBe(1);
  });

  it('accepts wss: (the TLS attempt fails as a connection error, not as a bad scheme)', async () => {
    // A plain-TCP peer that hangs up: the point is that wss: gets as far as connecting.
    const peer = await raw((socket) => socket.destroy());
    const recorder = new Recorder();
    open(request(`wss://127.0.0.1:${peer.port}/rest/subscribe`), recorder);
    await recorder.when('closed');
    expect(peer.connections()).toBe(1);
    expect(recorder.first('failed').error).toBeInstanceOf(ConnectError);
  });
});

describe('handshake time limit', () => {
  it('bounds a peer that accepts TCP and never answers the upgrade, with a ConnectError naming the limit', async () => {
    const peer = await raw((socket) => socket.resume());
    const recorder = new Recorder();
    const started = Date.now();
    open(request(`ws://127.0.0.1:${peer.port}/rest/subscribe`, { handshakeTimeoutMs: 80 }), recorder);
    await recorder.when('closed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    await settle();
    expect(recorder.kinds()).toEqual(['failed', 'closed']);
    const { error } = recorder.first('failed');
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.message).toMatch(/handshake took longer than 80 ms/);
  });

  it.each([
    ['0', 0],
    ['undefined', undefined],
  ])('handshakeTimeoutMs %s sets no bound: the attempt is not cut short', async (_name, handshakeTimeoutMs) => {
    const peer = await wsPeer();
    const recorder = new Recorder();
    open(request(peer.url, { handshakeTimeoutMs }), recorder);
    await recorder.when('opened');
    await settle();
    expect(recorder.kinds()).toEqual(['opened']);
  });
});

describe('close and send', () => {
  it('close(code, reason) on an open connection sends a close frame the peer sees with that code and reason', async () => {
    const peer = await wsPeer();
    const recorder = new Recorder();
    const serverSide = peer.nextSocket();
    const connection = open(request(peer.url), recorder);
    await recorder.when('opened');
    const ws = await serverSide;
    const seen = within(
      new Promise<[number, string]>((resolve) => ws.on('close', (code, reason) => resolve([code, reason.toString()]))),
      1000,
      'the close frame at the peer',
    );
    connection.close(4001, 'client closing');
    expect(await seen).toEqual([4001, 'client closing']);
    await recorder.when('closed');
    // ws echoes the close frame: the peer's code and reason come back.
    expect(recorder.calls.at(-1)).toEqual({ kind: 'closed', code: 4001, reason: 'client closing' });
    expect(recorder.count('failed')).toBe(0);
  });

  it('close() on a connection not yet open destroys it: no upgrade is answered, closed follows', async () => {
    const peer = await raw((socket) => socket.resume());
    const recorder = new Recorder();
    const connection = open(request(`ws://127.0.0.1:${peer.port}/`), recorder);
    await new Promise((resolve) => peer.server.once('connection', resolve));
    connection.close(1000, 'bye');
    await recorder.when('closed', 1000);
    expect(recorder.calls.at(-1)).toMatchObject({ kind: 'closed', code: 1006 });
  });

  it('send() delivers a text frame only once open', async () => {
    const peer = await wsPeer();
    const recorder = new Recorder();
    const serverSide = peer.nextSocket();
    const connection = open(request(peer.url), recorder);
    connection.send('too early'); // before the upgrade: dropped, not queued
    await recorder.when('opened');
    const ws = await serverSide;
    const received = within(
      new Promise<string>((resolve) => ws.once('message', (data) => resolve(wsText(data)))),
      1000,
      'frame at the peer',
    );
    connection.send('<subscribe/>');
    // The first frame the peer reads is the one sent once open.
    expect(await received).toBe('<subscribe/>');
  });
});

describe('send before open', () => {
  it('send() while the upgrade is pending is dropped, not thrown', async () => {
    const peer = await raw((socket) => socket.resume());
    const recorder = new Recorder();
    const connection = open(request(`ws://127.0.0.1:${peer.port}/`), recorder);
    await new Promise<void>((resolve) =>
      peer.server.once('connection', (s: Socket) => s.once('data', () => resolve())),
    );
    expect(() => connection.send('<subscribe/>')).not.toThrow();
    await settle();
    expect(recorder.kinds()).toEqual([]);
  });
});

describe('frames', () => {
  it('decodes invalid UTF-8 as U+FFFD and keeps the connection', async () => {
    const peer = await wsPeer();
    const recorder = new Recorder();
    const serverSide = peer.nextSocket();
    open(request(peer.url), recorder);
    await recorder.when('opened');
    const ws = await serverSide;
    // A text frame with a byte that is never valid UTF-8 (0xff), then a good one.
    ws.send(Buffer.from([0x3c, 0x61, 0xff, 0x3e]), { binary: false });
    ws.send('<b>');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`frames: ${recorder.kinds().join(', ')}`)), 2000);
      const poll = setInterval(() => {
        if (recorder.count('frame') >= 2 || recorder.count('closed') > 0) {
          clearTimeout(timer);
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    expect(recorder.calls.filter((c) => c.kind === 'frame')).toEqual([
      { kind: 'frame', text: '<a\uFFFD>' },
      { kind: 'frame', text: '<b>' },
    ]);
    expect(recorder.count('failed')).toBe(0);
    expect(recorder.count('closed')).toBe(0);
    expect(ws.readyState).toBe(ws.OPEN);
  });

  it('reports no frame after closed, even one still being inflated when the peer vanished', async () => {
    // permessage-deflate makes ws inflate a frame off the main thread: the TCP close (and with it
    // `closed`) can come before the frame is ready. It must then be dropped, not reported after.
    const peer = await wsPeer({ perMessageDeflate: true });
    const recorder = new Recorder();
    const serverSide = peer.nextSocket();
    open(request(peer.url, { maxPayload: 64 * 1024 * 1024 }), recorder);
    await recorder.when('opened');
    const ws = await serverSide;
    // Large and not trivially compressible, so inflating takes a while.
    const big = Array.from({ length: 20_000 }, (_, i) => `<e n="${(i * 2654435761) % 1000003}"/>`).join('');
    ws.send(big, () => ws.terminate());
    await recorder.when('closed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(recorder.kinds().at(-1)).toBe('closed');
    expect(recorder.count('closed')).toBe(1);
  });

  it('a frame over maxPayload after open fails the link with ws own error, then closes', async () => {
    const peer = await wsPeer();
    const recorder = new Recorder();
    const serverSide = peer.nextSocket();
    open(request(peer.url, { maxPayload: 16 }), recorder);
    await recorder.when('opened');
    (await serverSide).send('x'.repeat(64));
    await recorder.when('closed');
    expect(recorder.kinds()).toEqual(['opened', 'failed', 'closed']);
    const { error } = recorder.first('failed');
    expect(error).not.toBeInstanceOf(ConnectError);
    expect(error.message).toMatch(/max payload/i);
  });
});

describe('the upgrade', () => {
  it('a broken upgrade answer is a typed failure (ConnectError), not ws own error', async () => {
    const peer = await raw((socket) => {
      socket.once('data', () =>
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Accept: not-the-right-key\r\n\r\n',
        ),
      );
    });
    const recorder = new Recorder();
    open(request(`ws://127.0.0.1:${peer.port}/rest/subscribe`), recorder);
    await recorder.when('closed');
    expect(recorder.kinds()).toEqual(['failed', 'closed']);
    const { error } = recorder.first('failed');
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.message).toMatch(/Sec-WebSocket-Accept/);
  });

  it('a 3xx on the upgrade is a failed attempt with its status, and the redirect is not followed', async () => {
    const target = await wsPeer();
    const peer = await raw((socket) => {
      socket.once('data', () =>
        socket.end(`HTTP/1.1 302 Found\r\nLocation: ${target.url}\r\nContent-Length: 0\r\n\r\n`),
      );
    });
    const recorder = new Recorder();
    open(request(`ws://127.0.0.1:${peer.port}/rest/subscribe`), recorder);
    await recorder.when('closed');
    await settle();
    expect(recorder.kinds()).toEqual(['failed', 'closed']);
    const { error } = recorder.first('failed');
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as HandshakeError).status).toBe(302);
    expect(peer.connections()).toBe(1);
    expect(target.tcpConnections).toBe(0);
  });

  it("passes the 101 response's Date header on as serverDate", async () => {
    const peer = await wsPeer();
    peer.dateHeader = 'Tue, 05 May 2026 21:34:43 GMT';
    const recorder = new Recorder();
    open(request(peer.url), recorder);
    await recorder.when('opened');
    expect(recorder.first('opened').info).toEqual({ serverDate: 'Tue, 05 May 2026 21:34:43 GMT' });
  });

  it('gives serverDate undefined when the 101 response has no Date header', async () => {
    const peer = await wsPeer();
    const recorder = new Recorder();
    open(request(peer.url), recorder);
    await recorder.when('opened');
    expect(recorder.first('opened').info.serverDate).toBeUndefined();
  });
});

describe('the order of listener calls', () => {
  it('destroy() from inside failed (the owner abandoning a failed link): failed once, closed once and last', async () => {
    const peer = await raw((socket) => socket.resume());
    const recorder = new Recorder();
    const connection = open(request(`ws://127.0.0.1:${peer.port}/`, { handshakeTimeoutMs: 30 }), recorder);
    recorder.onFailed = () => connection.destroy();
    await recorder.when('closed');
    connection.destroy();
    await settle();
    expect(recorder.kinds()).toEqual(['failed', 'closed']);
  });

  it('destroy() mid-upgrade reports closed once, last, and nothing after', async () => {
    const peer = await raw((socket) => socket.resume());
    const recorder = new Recorder();
    const connection = open(request(`ws://127.0.0.1:${peer.port}/`), recorder);
    // Wait for the upgrade request itself to reach the peer.
    await new Promise<void>((resolve) =>
      peer.server.once('connection', (s: Socket) => s.once('data', () => resolve())),
    );
    connection.destroy();
    await recorder.when('closed');
    await settle();
    expect(recorder.count('failed')).toBeLessThanOrEqual(1);
    expect(recorder.count('opened')).toBe(0);
    expect(recorder.kinds().at(-1)).toBe('closed');
    expect(recorder.first('closed')).toEqual({ kind: 'closed', code: 1006, reason: '' });
  });

  it('destroy() before the TCP connect completes never upgrades: the peer sees no upgrade request', async () => {
    const peer = await wsPeer();
    const recorder = new Recorder();
    const connection = open(request(peer.url), recorder);
    connection.destroy();
    await recorder.when('closed');
    await settle();
    expect(peer.upgrades).toBe(0);
    expect(recorder.count('opened')).toBe(0);
    expect(recorder.count('closed')).toBe(1);
    expect(recorder.kinds().at(-1)).toBe('closed');
    // No close frame ever: 1006, and no reason text.
    expect(recorder.first('closed')).toEqual({ kind: 'closed', code: 1006, reason: '' });
  });
});
