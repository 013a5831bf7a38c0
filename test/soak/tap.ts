import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * What the controller sees of one client at the TCP level, and the hostile network between them.
 *
 * A stream connects to its own tap on 127.0.0.1, which pipes every TCP connection to the
 * simulator. The tap counts connections as a raw `net` view (whatever phase each is in: a
 * handshake, open, closing), so "two sockets at once" is seen as a controller would see it, not
 * through our own objects. It can also turn hostile:
 * - `silent`: new connections are accepted and read, never forwarded: an upgrade that never answers;
 * - `halfOpen()`: the connections open now stop forwarding either way and drop what they read:
 *   a peer that ignores close frames and never answers, until the client gives up on it;
 * - `stalledTlsUrl`: a second listener, counted with the first, that never answers TLS.
 */
export class TcpTap {
  /** TCP connections open now, and the most ever open at once. */
  open = 0;
  peak = 0;
  silent = false;
  readonly #server: Server;
  /** Where the `stalled TLS` cause sends a connection: it accepts TCP and never answers TLS. */
  readonly #stalled: Server;
  readonly #pairs = new Set<{ client: Socket; upstream: Socket | null; cut: boolean }>();
  readonly #held = new Set<Socket>();

  private constructor(server: Server, stalled: Server) {
    this.#server = server;
    this.#stalled = stalled;
  }

  static async start(targetPort: number): Promise<TcpTap> {
    const server = createServer((client) => tap.#accept(client, targetPort));
    const stalled = createServer((socket) => tap.#hold(socket));
    const tap = new TcpTap(server, stalled);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    return tap;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** `wss://` URL of this client's listener whose TLS handshake never completes. */
  get stalledTlsUrl(): string {
    return `wss://127.0.0.1:${(this.#stalled.address() as AddressInfo).port}/rest/subscribe`;
  }

  /** Make every connection open now a half-open peer. */
  halfOpen(): void {
    for (const pair of this.#pairs) {
      pair.cut = true;
      pair.client.unpipe();
      pair.upstream?.unpipe();
      pair.upstream?.destroy();
      pair.upstream = null;
      pair.client.on('data', () => {}); // keep reading (and dropping), so the client's FIN is seen
    }
  }

  resetPeak(): void {
    this.peak = this.open;
  }

  async close(): Promise<void> {
    for (const pair of this.#pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    for (const socket of this.#held) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await new Promise<void>((resolve) => this.#stalled.close(() => resolve()));
  }

  #count(socket: Socket): void {
    this.open++;
    this.peak = Math.max(this.peak, this.open);
    socket.on('error', () => {});
    socket.on('close', () => this.open--);
  }

  #hold(socket: Socket): void {
    this.#count(socket);
    this.#held.add(socket);
    socket.on('data', () => {}); // read the ClientHello, never answer it
    socket.on('close', () => this.#held.delete(socket));
  }

  #accept(client: Socket, targetPort: number): void {
    this.#count(client);
    const pair = { client, upstream: null as Socket | null, cut: false };
    this.#pairs.add(pair);
    client.on('close', () => {
      this.#pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (this.silent) {
      client.on('data', () => {});
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    pair.upstream = upstream;
    upstream.on('error', () => {});
    upstream.on('close', () => {
      if (!pair.cut) client.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
