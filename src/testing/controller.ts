import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The loopback controller a path harness connects its stream to: a real `ws` server on 127.0.0.1
 * (port 0). It decides nothing by itself: every upgrade is *parked* until the step being run says
 * accept, reject with an HTTP status, or keep hanging, which is what lets an attempt's outcome be
 * chosen by the step after its start. It counts TCP connections as a controller's subscriber slots
 * see them (a raw `net` view, whatever phase each connection is in), and has a second listener that
 * accepts TCP and never answers the TLS handshake.
 */

/** An upgrade request waiting for the step's verdict. */
export interface ParkedUpgrade {
  req: IncomingMessage;
  socket: Socket;
  head: Buffer;
  gone: boolean;
  /** Our half-close handler, removed once a verdict hands the socket on. */
  onEnd: () => void;
}

export class LoopbackController {
  /** Accepted WebSockets still open on the controller side. */
  readonly sockets = new Set<WebSocket>();
  /** Most WebSockets ever open at once (must never exceed 1). */
  peakOpen = 0;
  /** Upgrade requests received. */
  upgrades = 0;
  /** Most TCP connections held at once, both listeners together. */
  peakTcp = 0;
  readonly #tcp = new Set<Socket>();
  readonly #parked: ParkedUpgrade[] = [];
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #http: HttpServer;
  /** A listener that accepts TCP and never answers the TLS handshake (a stalled TLS peer). */
  readonly #stall: Server;
  readonly #stalled = new Set<Socket>();

  private constructor() {
    // Like a controller with a clock: the replay-by-clock rule has a reference from the first socket.
    this.#wss.on('headers', (headers) => headers.push(`Date: ${new Date().toUTCString()}`));
    this.#http = createHttpServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    this.#http.on('connection', (socket: Socket) => this.#count(socket));
    this.#http.on('upgrade', (req, socket, head) => this.#park(req, socket as Socket, head));
    this.#stall = createServer((socket) => {
      this.#count(socket);
      this.#stalled.add(socket);
      socket.on('close', () => this.#stalled.delete(socket));
      socket.on('data', () => {}); // read the ClientHello, never answer it
      socket.on('error', () => {});
    });
  }

  /** Listen on 127.0.0.1, ephemeral ports. */
  static async start(): Promise<LoopbackController> {
    const controller = new LoopbackController();
    await new Promise<void>((resolve) => controller.#http.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => controller.#stall.listen(0, '127.0.0.1', resolve));
    return controller;
  }

  /** Controller base URL, `http://127.0.0.1:PORT`. */
  get url(): string {
    return `http://127.0.0.1:${(this.#http.address() as AddressInfo).port}`;
  }

  /** `wss://` URL of the listener whose TLS handshake never completes. */
  get stalledTlsUrl(): string {
    return `wss://127.0.0.1:${(this.#stall.address() as AddressInfo).port}/rest/subscribe`;
  }

  /** TCP connections stuck in the never-completing TLS handshake. */
  get stalledCount(): number {
    return this.#stalled.size;
  }

  /** WebSockets open on the controller side. */
  get openCount(): number {
    return this.sockets.size;
  }

  /** TCP connections the controller still holds (parked upgrades, open or closing sockets, stalled TLS). */
  get rawCount(): number {
    return this.#tcp.size;
  }

  /**
   * Turn the open WebSocket into a half-open peer: it still reads (so it notices the client's FIN)
   * but drops every byte, close frames included, and never answers. Returns how many bytes it has
   * dropped since.
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

  /** The one open WebSocket (there is never more than one). */
  get current(): WebSocket | undefined {
    return [...this.sockets][0];
  }

  /** Complete the upgrade: the stream's socket opens. */
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

  /** Answer the upgrade with an HTTP status (401, 500, ...) and close. */
  reject(upgrade: ParkedUpgrade, status: number): void {
    this.#unpark(upgrade);
    upgrade.socket.end(`HTTP/1.1 ${status} Harness\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  /** Drop every connection the controller holds. */
  reset(): void {
    for (const p of this.#parked.splice(0)) p.socket.destroy();
    for (const ws of this.sockets) ws.terminate();
    for (const socket of this.#stalled) socket.destroy();
  }

  /** Drop everything and stop listening. */
  async close(): Promise<void> {
    this.reset();
    for (const socket of this.#tcp) socket.destroy();
    this.#wss.close();
    await new Promise<void>((resolve) => this.#stall.close(() => resolve()));
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
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
