import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { wsText } from '../../src/simulator/wsText';
import { listenForUpgrades, type LoopbackUpgrades } from './loopbackUpgrades';

/** What the scripted server does with one upgrade request. */
export type UpgradeVerdict =
  | { kind: 'accept' }
  | { kind: 'reject'; status: number }
  /** Accept the TCP connection and never answer the upgrade. */
  | { kind: 'hang' };

export interface UpgradeInfo {
  index: number;
  headers: IncomingMessage['headers'];
  url: string;
}

/**
 * A real `ws` server on 127.0.0.1 whose answer to each upgrade is scripted by the test, and which
 * counts what a client did to it: upgrades, sockets open now, the peak of sockets open at once.
 */
export class ScriptedServer {
  readonly upgrades: UpgradeInfo[] = [];
  readonly sockets = new Set<WebSocket>();
  peakOpen = 0;
  verdict: (info: UpgradeInfo) => UpgradeVerdict = () => ({ kind: 'accept' });
  /** The test's script for each accepted socket; may be async (a replay with gaps between frames). */
  onConnection: (socket: WebSocket, info: UpgradeInfo) => void | Promise<void> = () => {};
  readonly received: string[] = [];
  /** Errors thrown by `onConnection` scripts; `close()` rethrows the first so the test fails. */
  readonly scriptErrors: unknown[] = [];

  readonly #wss = new WebSocketServer({ noServer: true });
  #http!: LoopbackUpgrades;
  #connectionWaiters: Array<(socket: WebSocket) => void> = [];

  private constructor() {}

  static async start(): Promise<ScriptedServer> {
    const server = new ScriptedServer();
    server.#http = await listenForUpgrades((req, socket, head) => server.#upgrade(req, socket, head));
    return server;
  }

  get port(): number {
    return this.#http.port;
  }

  /** Controller base URL. */
  get url(): string {
    return this.#http.url;
  }

  get openCount(): number {
    return this.sockets.size;
  }

  /** TCP connections the server holds now, whatever their phase (a raw `net` view, not `ws` objects). */
  get tcpCount(): number {
    return this.#http.connections.size;
  }

  /** Most TCP connections held at once: what a controller's subscriber slots would have seen. */
  get peakTcp(): number {
    return this.#http.peakConnections;
  }

  /** The next accepted socket (or the current one if `existing` and one is open). */
  nextConnection(): Promise<WebSocket> {
    return new Promise((resolve) => this.#connectionWaiters.push(resolve));
  }

  /** Resolves once no socket is open on the server side. */
  async waitClosed(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sockets.size > 0 || this.#http.connections.size > 0) {
      if (Date.now() > deadline) throw new Error(`server still has ${this.sockets.size} open sockets`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  broadcast(frame: string): void {
    for (const socket of this.sockets) socket.send(frame);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.#wss.close();
    await this.#http.close();
    if (this.scriptErrors.length > 0) throw this.scriptErrors[0];
  }

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const info: UpgradeInfo = { index: this.upgrades.length, headers: req.headers, url: req.url ?? '' };
    this.upgrades.push(info);
    const verdict = this.verdict(info);
    if (verdict.kind === 'hang') {
      // Read (and drop) so the client's hang-up is noticed; http sockets allow half-open, so end ours too.
      socket.resume();
      socket.on('end', () => socket.destroy());
      return;
    }
    if (verdict.kind === 'reject') {
      socket.end(`HTTP/1.1 ${verdict.status} Rejected\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.add(ws);
      this.peakOpen = Math.max(this.peakOpen, this.sockets.size);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', (data) => this.received.push(wsText(data)));
      ws.on('error', () => {});
      // A script that fails must fail its test, not become an unhandled rejection nobody reads.
      try {
        this.onConnection(ws, info)?.catch((error: unknown) => this.scriptErrors.push(error));
      } catch (error) {
        this.scriptErrors.push(error);
      }
      const waiters = this.#connectionWaiters;
      this.#connectionWaiters = [];
      for (const wake of waiters) wake(ws);
    });
  }
}

let seq = 0;
/** A frame in the exact wire format of a real eisy. */
export function eventFrame(
  control: string,
  action: string,
  node = '',
  options: {
    seqnum?: number;
    sid?: string;
    uom?: string;
    prec?: string;
    fmtAct?: string;
    /** The controller's stamp; default a fixed one long past (a replayed last-change time); null: none (ISY994 v4). */
    timestamp?: string | null;
  } = {},
): string {
  const attrs = options.uom !== undefined ? ` uom="${options.uom}" prec="${options.prec ?? '0'}"` : '';
  const fmt = options.fmtAct !== undefined ? `<fmtAct>${options.fmtAct}</fmtAct>` : '';
  const stamp = options.timestamp === undefined ? '2026-05-06T14:34:43.779036-07:00' : options.timestamp;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><Event seqnum="${options.seqnum ?? seq++}" sid="${options.sid ?? 'uuid:1'}"${stamp === null ? '' : ` timestamp="${stamp}"`}>` +
    `<control>${control}</control><action${attrs}>${action}</action><node>${node}</node><eventInfo></eventInfo>${fmt}</Event>`
  );
}

/** A `_0` heartbeat promising `seconds` of silence at most. */
export function heartbeatFrame(seconds: number, seqnum?: number, timestamp?: string | null): string {
  return eventFrame('_0', String(seconds), '', { seqnum, timestamp });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Poll until `predicate()` holds; fails after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
