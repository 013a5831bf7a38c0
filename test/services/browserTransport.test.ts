import type { Socket } from 'node:net';
import { WebSocket as WsClient, WebSocketServer, type WebSocket as PeerSocket } from 'ws';
import { silentLogger } from '../../src/logger';
import { browserTransport } from '../../src/services/browserTransport';
import type { TransportConnection, TransportRequest } from '../../src/services/transport';
import { listenForUpgrades, type LoopbackUpgrades } from '../helpers/loopbackUpgrades';
import { transportRecorder } from '../helpers/transportRecorder';

// The browser transport where the rule is about what the peer sees (close code and reason, the
// frame size limit) or about the platform's own events (an upgrade refused, a protocol error after
// open). There is no browser in jest: `ws`'s client stands in for the DOM WebSocket, installed as
// globalThis.WebSocket (it has the DOM's onopen/onmessage/onerror/onclose, readyState, binaryType
// and close(code, reason)), against a real `ws` server on 127.0.0.1. Orders of events a real peer
// cannot produce on demand are in test/core/browserTransport.test.ts, on a scripted socket.

/** What the server side saw of each connection: its close code and reason. */
interface PeerView {
  socket: PeerSocket;
  closed: Promise<{ code: number; reason: string }>;
}

let server: LoopbackUpgrades;
let wss: WebSocketServer;
let peers: PeerView[];
let onPeer: (peer: PeerSocket) => void;
let refuseUpgrade: string | undefined;
let connection: TransportConnection | undefined;

const request = (extra: Partial<TransportRequest> = {}): TransportRequest => ({
  url: `ws://127.0.0.1:${server.port}/api/events/subscribe`,
  headers: {},
  maxPayload: 16,
  logger: silentLogger,
  ...extra,
});

/** The first peer connection, once the server has accepted it. */
async function firstPeer(): Promise<PeerView> {
  const deadline = Date.now() + 2000;
  while (peers.length === 0) {
    if (Date.now() > deadline) throw new Error('no connection reached the server');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return peers[0];
}

beforeEach(async () => {
  peers = [];
  onPeer = () => {};
  refuseUpgrade = undefined;
  connection = undefined;
  wss = new WebSocketServer({ noServer: true });
  server = await listenForUpgrades((req, socket: Socket, head) => {
    if (refuseUpgrade) {
      socket.end(`HTTP/1.1 ${refuseUpgrade}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (peer) => {
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        peer.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      );
      peers.push({ socket: peer, closed });
      onPeer(peer);
    });
  });
  (globalThis as { WebSocket?: unknown }).WebSocket = WsClient;
});

afterEach(async () => {
  connection?.destroy();
  delete (globalThis as { WebSocket?: unknown }).WebSocket;
  for (const client of wss.clients) client.terminate();
  wss.close();
  await server.close();
});

describe('browserTransport on a real peer', () => {
  it('close(code, reason) on an open connection sends a close frame the peer sees with that code and reason', async () => {
    const { calls, listener, when } = transportRecorder();
    connection = browserTransport.open(request(), listener);
    await when('opened');
    connection.close(1000, 'client closing');
    const peer = await firstPeer();
    await expect(peer.closed).resolves.toEqual({ code: 1000, reason: 'client closing' });
    await when('closed');
    expect(calls).toEqual(['opened', 'closed 1000 client closing']);
  });

  it('send() before open is dropped, not thrown (the platform socket throws on send while CONNECTING)', async () => {
    const { calls, listener, when } = transportRecorder();
    connection = browserTransport.open(request(), listener);
    expect(() => connection?.send('{"auth":{}}')).not.toThrow();
    await when('opened');
    const peer = await firstPeer();
    const received: string[] = [];
    peer.socket.on('message', (data) => received.push((data as Buffer).toString('utf8')));
    connection.send('{"auth":{"token":"t"}}');
    connection.close(1000, 'client closing');
    await peer.closed;
    expect(received).toEqual(['{"auth":{"token":"t"}}']);
    await when('closed');
    expect(calls).toEqual(['opened', 'closed 1000 client closing']);
  });

  it('close(code, reason) while the socket is still connecting aborts the attempt: failed, closed, never opened', async () => {
    const { calls, listener, when } = transportRecorder();
    connection = browserTransport.open(request(), listener);
    connection.close(1000, 'client closing');
    await when('closed', 'opened'); // with the socket left connecting, it would open
    expect(calls).toEqual([
      'failed CONNECT_FAILED WebSocket connection failed (a browser does not say why: refused, TLS, or an HTTP status)',
      'closed 1006 ',
    ]);
  });

  it('an upgrade the controller refuses (HTTP 404) fails with words saying the browser does not tell why', async () => {
    refuseUpgrade = '404 Not Found';
    const { calls, listener, when } = transportRecorder();
    connection = browserTransport.open(request(), listener);
    await when('closed');
    expect(calls).toEqual([
      'failed CONNECT_FAILED WebSocket connection failed (a browser does not say why: refused, TLS, or an HTTP status)',
      'closed 1006 ',
    ]);
  });

  it('an error event after open is reported as the link breaking ("WebSocket error"), once, then closed', async () => {
    // Invalid UTF-8 in a text frame: the platform fails the connection (an error event, then a close
    // event with 1006, as a browser's failed connection reports).
    onPeer = (peer) => peer.send(Buffer.from([0x68, 0xff, 0xfe]), { binary: false });
    const { calls, listener, when } = transportRecorder();
    connection = browserTransport.open(request(), listener);
    await when('closed');
    expect(calls).toEqual(['opened', 'failed CONNECT_FAILED WebSocket error', 'closed 1006 ']);
  });

  it('accepts a frame of exactly maxPayload bytes and fails one byte more, closing with a code the peer sees', async () => {
    onPeer = (peer) => {
      peer.send('x'.repeat(16));
      peer.send(new Uint8Array(16).fill(0x79)); // binary, exactly the limit
      peer.send('z'.repeat(17));
    };
    const { calls, listener, when } = transportRecorder();
    connection = browserTransport.open(request(), listener);
    const peer = await firstPeer();
    await expect(peer.closed).resolves.toEqual({ code: 4009, reason: 'message too big' });
    await when('closed');
    expect(calls).toEqual([
      'opened',
      `frame ${'x'.repeat(16)}`,
      `frame ${'y'.repeat(16)}`,
      'failed CONNECT_FAILED frame of 17 bytes exceeds maxPayload (16)',
      'closed 4009 message too big',
    ]);
  });

  it('counts a text frame in UTF-8 bytes, as maxPayload is: 8 "é" (16 bytes) pass, 9 (18 bytes) fail', async () => {
    onPeer = (peer) => {
      peer.send('é'.repeat(8));
      peer.send('é'.repeat(9));
    };
    const { calls, listener, when } = transportRecorder();
    connection = browserTransport.open(request(), listener);
    await when('closed');
    expect(calls).toEqual([
      'opened',
      `frame ${'é'.repeat(8)}`,
      'failed CONNECT_FAILED frame of 18 bytes exceeds maxPayload (16)',
      'closed 4009 message too big',
    ]);
  });
});
