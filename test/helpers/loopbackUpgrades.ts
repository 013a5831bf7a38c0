import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** An HTTP server on 127.0.0.1 (ephemeral port) that hands every upgrade request to the test. */
export interface LoopbackUpgrades {
  /** Controller base URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** TCP connections the server holds now (upgrades pending, sockets open or closing). */
  readonly connections: ReadonlySet<Socket>;
  /** Most TCP connections held at once since the start (or the last `resetPeak()`). */
  readonly peakConnections: number;
  resetPeak(): void;
  /** Destroy every connection and stop listening. */
  close(): Promise<void>;
}

/**
 * Listen on 127.0.0.1 for WebSocket upgrades. Plain HTTP requests get 404. Every TCP connection is
 * tracked, so a test can tell when a client really let go and can tear everything down.
 */
export async function listenForUpgrades(
  onUpgrade: (req: IncomingMessage, socket: Socket, head: Buffer) => void,
  onConnection: (socket: Socket) => void = () => {},
): Promise<LoopbackUpgrades> {
  const connections = new Set<Socket>();
  let peak = 0;
  const http = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  http.on('connection', (socket: Socket) => {
    connections.add(socket);
    peak = Math.max(peak, connections.size);
    onConnection(socket);
    socket.on('close', () => connections.delete(socket));
  });
  http.on('upgrade', (req, socket, head) => onUpgrade(req, socket as Socket, head));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections,
    get peakConnections() {
      return peak;
    },
    resetPeak: () => {
      peak = connections.size;
    },
    close: async () => {
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
