/**
 * An in-process MQTT broker (Aedes) on loopback, for trying the bridge with nothing installed
 * (`iox-events --simulate --mqtt`) and for tests. Not a production broker: no persistence, no
 * authentication, loopback by default.
 */
import { createServer, type Socket } from 'node:net';

/** Options of {@link startEmbeddedBroker}. */
export interface EmbeddedBrokerOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
}

/** A running embedded broker. */
export interface EmbeddedBroker {
  /** `mqtt://HOST:PORT`. */
  readonly url: string;
  /** The interface it listens on. */
  readonly host: string;
  /** The TCP port it listens on (the one picked when `port` was 0). */
  readonly port: number;
  /** MQTT clients connected now. */
  readonly connectedClients: number;
  /** Disconnect every client and close the listener. Idempotent. */
  close(): Promise<void>;
}

/**
 * Start an Aedes broker on a TCP listener. Aedes is loaded only when this is called.
 *
 * @example
 * const broker = await startEmbeddedBroker();
 * console.log(broker.url); // mqtt://127.0.0.1:PORT
 * await broker.close();
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const aedes = await import('aedes');
  // Aedes 0.x is CommonJS (`module.exports = createBroker`): Node's ESM loader exposes it as `default` only.
  const createBroker = aedes.createBroker ?? (aedes.default as unknown as typeof aedes).createBroker;
  const broker = createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  let closed: Promise<void> | undefined;
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    get connectedClients() {
      return broker.connectedClients;
    },
    close() {
      closed ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        await serverClosed;
      })();
      return closed;
    },
  };
}
