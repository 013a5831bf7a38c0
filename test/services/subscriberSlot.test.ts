/**
 * The subscriber slot against a real `ws` server on 127.0.0.1 over the Node transport: what the
 * controller sees (upgrades, TCP connections, the close frame) when the slot opens, refuses,
 * releases, abandons and silences connections. The orders of events the network cannot produce
 * on demand are in subscriberSlot.ordering.test.ts.
 */
import type { WebSocket } from 'ws';
import { silentLogger } from '../../src';
import { ConnectError } from '../../src/errors';
import { nodeTransport } from '../../src/services/nodeTransport';
import { SubscriberSlot, type LinkHandlers } from '../../src/services/subscriberSlot';
import type { TransportRequest } from '../../src/services/transport';
import { ScriptedServer, until } from '../helpers/scriptedServer';

/** Long enough that anything done "at once" is clearly not the grace's doing. */
const GRACE_MS = 3000;

let server: ScriptedServer;
let slot: SubscriberSlot;

beforeEach(async () => {
  server = await ScriptedServer.start();
  slot = new SubscriberSlot(nodeTransport, { closeGraceMs: GRACE_MS });
});

afterEach(async () => {
  slot.abandon();
  await slot.whenVacant();
  await server.close();
});

function request(): TransportRequest {
  return {
    url: `${server.url.replace('http:', 'ws:')}/rest/subscribe`,
    headers: {},
    maxPayload: 1 << 20,
    logger: silentLogger,
  };
}

const noOpeningFrame = () => undefined;

function recorder(): { heard: string[]; handlers: LinkHandlers } {
  const heard: string[] = [];
  return {
    heard,
    handlers: {
      frame: (raw) => heard.push(`frame ${raw}`),
      closed: (code, reason) => heard.push(`closed ${code} ${reason}`),
      failed: (error) => heard.push(`failed ${error.message}`),
    },
  };
}

/** The server's side of the next accepted connection, with how it was closed. */
async function serverSide(): Promise<{ ws: WebSocket; closedWith: Promise<{ code: number; reason: string }> }> {
  const ws = await server.nextConnection();
  const closedWith = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, closedWith };
}

describe('one connection at a time', () => {
  it('refuses a second connection while one is alive, and the controller never sees it', async () => {
    const accepted = server.nextConnection();
    await slot.open(request(), noOpeningFrame, new AbortController().signal);
    await accepted;
    await expect(slot.open(request(), noOpeningFrame, new AbortController().signal)).rejects.toThrow(
      'SubscriberSlot: a connection is still alive; wait for the slot to be vacant first',
    );
    expect(slot.occupancy).toBe(1);
    expect(server.upgrades).toHaveLength(1);
    expect(server.peakTcp).toBe(1);
  });

  it('opens the next connection once the previous one is gone', async () => {
    await slot.open(request(), noOpeningFrame, new AbortController().signal);
    slot.release();
    await slot.whenVacant();
    await slot.open(request(), noOpeningFrame, new AbortController().signal);
    expect(server.upgrades).toHaveLength(2);
    expect(server.peakTcp).toBe(1);
  });

  it('wakes every vacancy waiter once the connection is gone, not before', async () => {
    await slot.open(request(), noOpeningFrame, new AbortController().signal);
    const woken: number[] = [];
    const waiters = [1, 2, 3].map((n) => slot.whenVacant().then(() => woken.push(n)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(woken).toEqual([]);
    for (const ws of server.sockets) ws.close(1001, 'going away');
    await Promise.all(waiters);
    expect(woken.sort()).toEqual([1, 2, 3]);
    expect(server.tcpCount).toBe(0);
  });
});

describe('release()', () => {
  it('closes politely: the controller receives a close frame 1000 "client closing"', async () => {
    const side = serverSide();
    await slot.open(request(), noOpeningFrame, new AbortController().signal);
    const { closedWith } = await side;
    const started = Date.now();
    slot.release();
    expect(await closedWith).toEqual({ code: 1000, reason: 'client closing' });
    await slot.whenVacant();
    expect(Date.now() - started).toBeLessThan(GRACE_MS);
    await until(() => server.tcpCount === 0, 1000, 'the TCP connection to go');
  });

  it('while the upgrade is pending, drops the TCP connection at once', async () => {
    server.verdict = () => ({ kind: 'hang' });
    const opening = slot.open(request(), noOpeningFrame, new AbortController().signal);
    opening.catch(() => {}); // awaited below; a failed wait first must not leave it unhandled
    await until(() => server.upgrades.length === 1, 2000, 'the upgrade request');
    const started = Date.now();
    slot.release();
    await expect(opening).rejects.toBeInstanceOf(ConnectError);
    await slot.whenVacant();
    await until(() => server.tcpCount === 0, 1000, 'the TCP connection to go');
    expect(Date.now() - started).toBeLessThan(GRACE_MS / 2);
  });
});

describe('the connect signal', () => {
  it('aborting before a reader claims the link destroys the connection', async () => {
    server.verdict = () => ({ kind: 'hang' });
    const controller = new AbortController();
    const opening = slot.open(request(), noOpeningFrame, controller.signal);
    opening.catch(() => {}); // awaited below; a failed wait first must not leave it unhandled
    await until(() => server.upgrades.length === 1, 2000, 'the upgrade request');
    controller.abort();
    await expect(opening).rejects.toThrow(new ConnectError('connect attempt aborted'));
    await until(() => server.tcpCount === 0, 1000, 'the TCP connection to go');
  });

  it('aborting after the reader attached leaves the connection open and delivering', async () => {
    const controller = new AbortController();
    const side = serverSide();
    const link = await slot.open(request(), noOpeningFrame, controller.signal);
    const { ws } = await side;
    const reader = recorder();
    link.attach(reader.handlers);
    controller.abort();
    ws.send('after the abort');
    await until(() => reader.heard.length === 1, 1000, 'the frame');
    expect(reader.heard).toEqual(['frame after the abort']);
    expect(link.phase).toBe('open');
    expect(server.openCount).toBe(1);
  });
});

describe('silence()', () => {
  it('delivers nothing more from the live connection, though it stays open until released', async () => {
    const side = serverSide();
    const link = await slot.open(request(), noOpeningFrame, new AbortController().signal);
    const { ws, closedWith } = await side;
    const reader = recorder();
    link.attach(reader.handlers);
    ws.send('before');
    await until(() => reader.heard.length === 1, 1000, 'the first frame');
    slot.silence();
    ws.send('after');
    ws.close(1001, 'going away');
    await closedWith;
    await slot.whenVacant();
    expect(reader.heard).toEqual(['frame before']);
  });
});
