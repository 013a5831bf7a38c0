import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { wsText } from '../../../src/simulator/wsText';

/** The opening frame's two shapes (WIRE.md): `{auth:{token}}` or `{type:'auth',creds:{token}}`. */
export interface OpeningFrame {
  type?: string;
  auth?: { token?: string };
  creds?: { token?: string };
}

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** An unsigned-in-spirit JWT: clients only read `exp`/`iat`. */
export function makeJwt(claims: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.${b64url(randomBytes(32))}`;
}

export interface PortalBehaviour {
  /** Access token lifetime, seconds. */
  accessLifetimeS: number;
  refreshLifetimeS: number;
  /** Force an HTTP status on an endpoint (e.g. 503, 401). */
  loginStatus?: number;
  refreshStatus?: number;
  logoutStatus?: number;
  /** Answer login with `{ successful: false }` and 200. */
  loginUnsuccessful?: boolean;
  /** Delay before answering refresh/login, ms (to let concurrent callers pile up). */
  delayMs: number;
  /** Answer the next N `/rest/subscribe` upgrades with 401 even with a valid token. */
  reject401Upgrades: number;
}

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A fake portal-style controller on 127.0.0.1 (HTTP or HTTPS): `/api/login`, `/api/jwt/refresh`,
 * `/api/jwt/logout`, plus WebSocket endpoints `/rest/subscribe` (bearer on the upgrade) and
 * `/api/events/subscribe` (token in the first frame, either captured shape).
 */
export class FakePortal {
  readonly behaviour: PortalBehaviour = {
    accessLifetimeS: 3600,
    refreshLifetimeS: 86_400,
    delayMs: 0,
    reject401Upgrades: 0,
  };
  readonly requests: RecordedRequest[] = [];
  readonly upgrades: RecordedRequest[] = [];
  /** First frames received on `/api/events/subscribe`. */
  readonly frames: string[] = [];
  readonly issued = new Map<string, { kind: 'access' | 'refresh'; exp: number }>();
  readonly revoked = new Set<string>();
  /** The fake `ssl` key pair sent with every login (must never be logged). */
  readonly sslKey = `-----BEGIN PRIVATE KEY-----\n${randomBytes(48).toString('base64')}\n-----END PRIVATE KEY-----`;
  readonly server: Server;
  readonly wss = new WebSocketServer({ noServer: true });
  readonly #sockets = new Set<Socket>();
  readonly #secure: boolean;
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;
  url = '';

  constructor(
    readonly email: string,
    readonly password: string,
    tls?: { key: string; cert: string },
  ) {
    this.#secure = tls !== undefined;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res);
    this.server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
    this.server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.server.on('secureConnection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.#upgrade(req, socket, head));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `${this.#secure ? 'https' : 'http'}://127.0.0.1:${port}`;
    return this;
  }

  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  wsUrl(path: string): string {
    return this.url.replace(/^http/, 'ws') + path;
  }

  /** Whether a token is currently acceptable. */
  valid(token: string | undefined, kind: 'access' | 'refresh'): boolean {
    if (!token) return false;
    const entry = this.issued.get(token);
    return !!entry && entry.kind === kind && !this.revoked.has(token) && entry.exp * 1000 > Date.now();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #issue(kind: 'access' | 'refresh'): string {
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + (kind === 'access' ? this.behaviour.accessLifetimeS : this.behaviour.refreshLifetimeS);
    const token = makeJwt({ sub: this.email, typ: kind, iat, exp, jti: randomBytes(6).toString('hex') });
    this.issued.set(token, { kind, exp });
    return token;
  }

  #tokens() {
    return {
      successful: true,
      data: {
        accessToken: this.#issue('access'),
        refreshToken: this.#issue('refresh'),
        ssl: { key: this.sslKey, cert: 'CERT' },
      },
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0] ?? '';
    this.requests.push({ path, headers: req.headers, body });
    const send = (status: number, payload?: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    if (this.behaviour.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          resolve();
        }, this.behaviour.delayMs);
        this.#timers.add(timer);
      });
      if (this.#closed) return;
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body || '{}') as Record<string, unknown>;
    } catch {
      return send(400, { successful: false });
    }
    const b = this.behaviour;
    switch (path) {
      case '/api/login':
        if (b.loginStatus) return send(b.loginStatus, { successful: false });
        if (b.loginUnsuccessful || parsed.username !== this.email || parsed.password !== this.password) {
          return send(200, { successful: false, message: 'bad credentials' });
        }
        return send(200, this.#tokens());
      case '/api/jwt/refresh': {
        if (b.refreshStatus) return send(b.refreshStatus, { successful: false });
        const rt = parsed.refreshToken as string | undefined;
        if (!this.valid(rt, 'refresh')) return send(401, { successful: false });
        return send(200, this.#tokens());
      }
      case '/api/jwt/logout': {
        if (b.logoutStatus) return send(b.logoutStatus);
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!this.valid(bearer, 'access')) return send(401, { successful: false });
        this.revoked.add(bearer!);
        return send(200, { successful: true });
      }
      default:
        return send(404, { successful: false });
    }
  }

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0] ?? '';
    this.upgrades.push({ path, headers: req.headers, body: '' });
    const refuse = (status: number) => {
      socket.end(`HTTP/1.1 ${status} Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (path === '/rest/subscribe') {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (this.behaviour.reject401Upgrades > 0) {
        this.behaviour.reject401Upgrades--;
        return refuse(401);
      }
      if (!this.valid(bearer, 'access')) return refuse(401);
      this.wss.handleUpgrade(req, socket, head, (ws) => this.#subscribed(ws));
      return;
    }
    if (path === '/api/events/subscribe') {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const timer = setTimeout(() => ws.close(4001, 'no auth frame'), 2000);
        ws.once('message', (data) => {
          clearTimeout(timer);
          const text = wsText(data);
          this.frames.push(text);
          let token: unknown;
          try {
            const frame = JSON.parse(text) as OpeningFrame | null;
            token = frame?.auth?.token ?? (frame?.type === 'auth' ? frame?.creds?.token : undefined);
          } catch {
            token = undefined;
          }
          if (typeof token === 'string' && this.valid(token, 'access')) this.#subscribed(ws, true);
          else ws.close(4001, 'unauthorized');
        });
      });
      return;
    }
    refuse(404);
  }

  #subscribed(ws: WebSocket, json = false): void {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><Event seqnum="0" sid="uuid:1" timestamp="2026-05-02T07:08:24.481279-07:00">' +
      '<control>_0</control><action>90</action><node></node><eventInfo></eventInfo></Event>';
    ws.send(json ? JSON.stringify({ type: 'event', data: xml }) : xml);
  }
}
