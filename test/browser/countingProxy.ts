import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy in front of the simulator: what a controller would see, counted per TCP connection. */
export class CountingProxy {
  readonly server: Server;
  open = 0;
  peak = 0;
  total = 0;
  readonly #sockets = new Set<Socket>();

  constructor(target: number) {
    this.server = createServer((client) => {
      this.total++;
      this.open++;
      this.peak = Math.max(this.peak, this.open);
      const upstream = connect(target, '127.0.0.1');
      this.#sockets.add(client).add(upstream);
      let closed = 0;
      const onClose = () => {
        if (++closed === 2) this.open--;
      };
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        from.pipe(to);
        from.on('error', () => to.destroy());
        from.on('close', () => {
          this.#sockets.delete(from);
          to.destroy();
          onClose();
        });
      }
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
