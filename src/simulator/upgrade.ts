/**
 * Who gets a socket: the simulator's answer to a WebSocket upgrade, like the eisy's. The path must
 * be a stream path, an injected fault may refuse, `/rest/subscribe` checks Basic credentials (or a
 * bearer token) on the upgrade itself, and `/api/events/subscribe` waits for a first frame carrying
 * the token (WIRE.md: `{"auth":{"token":...}}` or `{"type":"auth","creds":{"token":...}}`).
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { TokenFrameShape } from './api';
import type { FaultState } from './faults';
import { bearerOf, type SimulatorCredentials } from './httpApi';
import type { TokenIssuer } from './jwt';
import type { Session, StreamPath } from './session';
import type { SimulatorStats } from './stats';
import { wsText } from './wsText';

/** What the gate needs from the simulator around it. */
export interface UpgradeGateDeps {
  /** Send a `Date` header on the 101 (the controller's clock). */
  dateHeader: boolean;
  auth: SimulatorCredentials | undefined;
  /** How long `/api/events/subscribe` waits for the token frame, ms. */
  authTimeoutMs: number;
  tokenFrames: ReadonlySet<TokenFrameShape>;
  tokens: TokenIssuer;
  stats: SimulatorStats;
  faults: FaultState;
  /** The simulator is closing: refuse with 503. */
  isClosed(): boolean;
  /** Creates and tracks the session of an accepted socket. */
  openSession(ws: WebSocket, path: StreamPath, client: string): Session;
}

/** The upgrade handler and its clean-up. */
export interface UpgradeGate {
  /** For `server.on('upgrade', ...)`. */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Destroy sockets still flushing a refusal, and stop accepting. */
  close(): void;
}

export function createUpgradeGate(deps: UpgradeGateDeps): UpgradeGate {
  const { auth, stats, faults, tokens } = deps;
  const wss = new WebSocketServer({ noServer: true, autoPong: false, clientTracking: false, perMessageDeflate: false });
  if (deps.dateHeader) wss.on('headers', (headers) => headers.push(`Date: ${new Date().toUTCString()}`));
  /** Raw sockets answered with an HTTP error and still flushing. */
  const rawSockets = new Set<Duplex>();

  const refuse = (socket: Duplex, status: number, extraHeaders: Record<string, string> = {}): void => {
    const body = `${status} ${STATUS_CODES[status] ?? 'Error'}\n`;
    const headers = {
      'Content-Type': 'text/plain',
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
      ...extraHeaders,
    };
    const head = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    rawSockets.add(socket);
    socket.once('close', () => rawSockets.delete(socket));
    socket.once('finish', () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${head}\r\n${body}`);
  };

  /** Who is on the upgrade request (Basic user or bearer subject) and whether the credentials pass. */
  const headerIdentity = (req: IncomingMessage): { identity: string; valid: boolean } => {
    const header = req.headers.authorization ?? '';
    if (header.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = colon < 0 ? decoded : decoded.slice(0, colon);
      const pass = colon < 0 ? '' : decoded.slice(colon + 1);
      return { identity: user, valid: !auth || (user === auth.username && pass === auth.password) };
    }
    const bearer = bearerOf(req);
    if (bearer !== undefined) {
      const claims = tokens.verify(bearer, 'access');
      return { identity: claims?.sub ?? '-', valid: !auth || claims !== undefined };
    }
    return { identity: '-', valid: !auth };
  };

  const onConnection = (ws: WebSocket, path: StreamPath, client: string): void => {
    const session = deps.openSession(ws, path, client);
    const closeMode = faults.takeAcceptThenClose();
    if (closeMode) {
      if (closeMode === 'terminate') ws.terminate();
      else ws.close(1011, 'simulated accept-then-close');
      return;
    }
    if (faults.stallNew) session.stall();
    if (path === 'rest' || !auth) {
      session.begin();
      return;
    }
    session.awaitAuth(deps.authTimeoutMs, () => {
      stats.tokenFrameFailures++;
      ws.close(1008, 'no auth frame');
    });
    ws.once('message', (data: RawData, isBinary: boolean) => {
      if (session.state !== 'auth') return;
      const token = isBinary ? undefined : tokenFromFrame(wsText(data), deps.tokenFrames);
      if (token !== undefined && tokens.verify(token, 'access')) {
        session.begin();
      } else {
        stats.tokenFrameFailures++;
        ws.close(1008, 'unauthorized');
      }
    });
  };

  return {
    handle(req, socket, head) {
      stats.upgrades++;
      const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
      const path: StreamPath | undefined =
        pathname === '/rest/subscribe' ? 'rest' : pathname === '/api/events/subscribe' ? 'api' : undefined;
      if (!path || deps.isClosed()) return refuse(socket, path ? 503 : 404);
      const injected = faults.takeReject();
      if (injected !== undefined) {
        stats.rejects++;
        return refuse(socket, injected, injected === 401 ? { 'WWW-Authenticate': 'Basic realm="/"' } : {});
      }
      const who = headerIdentity(req);
      // The modern path authenticates with its first frame; only the legacy path checks the header.
      if (path === 'rest' && !who.valid) {
        stats.rejects++;
        stats.authFailures++;
        return refuse(socket, 401, { 'WWW-Authenticate': 'Basic realm="/"' });
      }
      const clientHeader = req.headers['x-client-id'];
      const client =
        typeof clientHeader === 'string'
          ? clientHeader
          : `${req.socket.remoteAddress ?? '?'} ${req.headers['user-agent'] ?? '-'} ${who.identity}`;
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, path, client));
    },
    close() {
      for (const socket of rawSockets) socket.destroy();
      wss.close();
    },
  };
}

/** The token of a token frame in one of the accepted shapes. */
function tokenFromFrame(text: string, shapes: ReadonlySet<TokenFrameShape>): string | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (frame === null || typeof frame !== 'object') return undefined;
  const f = frame as { auth?: { token?: unknown }; type?: unknown; creds?: { token?: unknown } };
  if (shapes.has('auth') && typeof f.auth?.token === 'string') return f.auth.token;
  if (shapes.has('creds') && f.type === 'auth' && typeof f.creds?.token === 'string') return f.creds.token;
  return undefined;
}
