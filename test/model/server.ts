import type { IncomingMessage } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { listenForUpgrades, type LoopbackUpgrades } from '../helpers/loopbackUpgrades';

/**
 * A real `ws` server on 127.0.0.1 for the model-based suite. Unlike the core suite's scripted
 * server, it decides nothing by itself: every upgrade is *parked* until the test, executing the
 * model's next event, says accept, reject with a status, or keep hanging. That is what lets one
 * attempt's outcome be chosen by the step that follows its start.
 *
 * (Written for this suite rather than changing `test/helpers/scriptedServer.ts`, which the core
 * suite owns.)
 */
export interface ParkedUpgrade {
  req: IncomingMessage;
  socket: Socket;
  head: Buffer;
  gone: boolean;
  /** Our half-close handler, removed once a verdict hands the socket on. */
  onEnd: () => void;
}

export class ModelServer {
  /** Accepted WebSockets still open on the server side. */
  readonly sockets = new Set<WebSocket>();
  /** Most WebSockets ever open at once (must never exceed 1). */
  peakOpen = 0;
  upgrades = 0;
  /**
   * Most TCP connections held at once by the controller side, both listeners together: what a
   * controller's subscriber slots see (a raw `net` view, whatever phase each connection is in).
   */
  peakTcp = 0;
  readonly #tcp = new Set<Socket>();
  readonly #parked: ParkedUpgrade[] = [];
  readonly #wss = new WebSocketServer({ noServer: true });
  #http!: LoopbackUpgrades;
  /** A listener that accepts TCP and never answers the TLS handshake (hostile cause). */
  #stall!: Server;
  readonly #stalled = new Set<Socket>();

  private constructor() {
    // Like a controller with a clock: the replay-by-clock rule has a reference from the first socket.
    this.#wss.on('headers', (headers) => headers.push(`Date: ${new Date().toUTCString()}`));
  }

  static async start(): Promise<ModelServer> {
    const server = new ModelServer();
    server.#http = await listenForUpgrades(
      (req, socket, head) => server.#park(req, socket, head),
      (socket) => server.#count(socket),
    );
    server.#stall = createServer((socket) => {
      server.#count(socket);
      server.#stalled.add(socket);
      socket.on('close', () => server.#stalled.delete(socket));
      socket.on('data', () => {}); // read the ClientHello, never answer it
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.#stall.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get url(): string {
    return this.#http.url;
  }

  /** `wss://` URL of the listener whose TLS handshake never completes. */
  get stalledTlsUrl(): string {
    return `wss://127.0.0.1:${(this.#stall.address() as AddressInfo).port}/rest/subscribe`;
  }

  /** TCP connections stuck in the never-completing TLS handshake. */
  get stalledCount(): number {
    return this.#stalled.size;
  }

  get openCount(): number {
    return this.sockets.size;
  }

  /** TCP connections the controller side still holds (parked upgrades, open or closing sockets, stalled TLS). */
  get rawCount(): number {
    return this.#tcp.size;
  }

  /**
   * Turn the open WebSocket into a half-open peer: it still reads (so it notices the client's FIN)
   * but drops every byte, close frames included, and never answers. Returns how many bytes it
   * has dropped since.
   */
  goHalfOpen(ws: WebSocket): () => number {
    const socket = (ws as unknown as { _socket: Socket })._socket;
    let bytes = 0;
    socket.removeAllListeners('data');
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    return () => bytes;
  }

  /** The upgrade waiting for a verdict, if the client is still there. */
  get parked(): ParkedUpgrade | undefined {
    return this.#parked.find((p) => !p.gone);
  }

  /** The one open WebSocket (the suite checks there is never more than one). */
  get current(): WebSocket | undefined {
    return [...this.sockets][0];
  }

  accept(upgrade: ParkedUpgrade): Promise<WebSocket> {
    this.#unpark(upgrade);
    return new Promise((resolve) => {
      this.#wss.handleUpgrade(upgrade.req, upgrade.socket, upgrade.head, (ws) => {
        this.sockets.add(ws);
        this.peakOpen = Math.max(this.peakOpen, this.sockets.size);
        ws.on('close', () => this.sockets.delete(ws));
        ws.on('error', () => {});
        resolve(ws);
      });
    });
  }

  reject(upgrade: ParkedUpgrade, status: number): void {
    this.#unpark(upgrade);
    upgrade.socket.end(`HTTP/1.1 ${status} Model\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  /** Drop whatever is left between paths. */
  reset(): void {
    for (const p of this.#parked.splice(0)) p.socket.destroy();
    for (const ws of this.sockets) ws.terminate();
    for (const socket of this.#stalled) socket.destroy();
  }

  /** Start counting the peak afresh (between paths). */
  resetPeaks(): void {
    this.peakOpen = this.sockets.size;
    this.peakTcp = this.#tcp.size;
  }

  async close(): Promise<void> {
    this.reset();
    this.#wss.close();
    await new Promise<void>((resolve) => this.#stall.close(() => resolve()));
    await this.#http.close();
  }

  #count(socket: Socket): void {
    this.#tcp.add(socket);
    this.peakTcp = Math.max(this.peakTcp, this.#tcp.size);
    socket.on('close', () => this.#tcp.delete(socket));
  }

  #park(req: IncomingMessage, socket: Socket, head: Buffer): void {
    this.upgrades++;
    const parked: ParkedUpgrade = { req, socket, head, gone: false, onEnd: () => socket.destroy() };
    this.#parked.push(parked);
    // Read (nothing arrives before a verdict) so a client that hangs up is noticed; http sockets
    // allow half-open, so end ours too. A client that gives up (connect timeout, STOP) is forgotten.
    socket.resume();
    socket.on('end', parked.onEnd);
    socket.on('close', () => {
      parked.gone = true;
      this.#unpark(parked);
    });
    socket.on('error', () => {});
  }

  #unpark(upgrade: ParkedUpgrade): void {
    upgrade.socket.off('end', upgrade.onEnd);
    const at = this.#parked.indexOf(upgrade);
    if (at >= 0) this.#parked.splice(at, 1);
  }
}
