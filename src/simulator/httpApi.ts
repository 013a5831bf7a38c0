import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenIssuer } from './jwt';
import type { SimulatorStats } from './stats';

/** Basic credentials the simulator accepts. */
export interface SimulatorCredentials {
  /** Basic-auth user name for `/rest` and the portal login (`/api/login`). */
  username: string;
  /** Its password. */
  password: string;
}

export interface HttpApiContext {
  auth: SimulatorCredentials | undefined;
  tokens: TokenIssuer;
  stats: SimulatorStats;
  takeLoginReject(): number | undefined;
  config: { uuid: string; version: string; portalHost: string };
}

const MAX_BODY = 64 * 1024;

/**
 * A fake `data.ssl` key pair, shaped like PEM so a client's redaction can be tested: the marker
 * `SIMULATED` makes a leak easy to grep for in logs. It protects nothing.
 */
function fakeKeyPair(): { privateKey: string; certificate: string } {
  const pem = (label: string): string =>
    `-----BEGIN ${label}-----\nSIMULATED${randomBytes(48).toString('base64')}\n-----END ${label}-----\n`;
  return { privateKey: pem('PRIVATE KEY'), certificate: pem('CERTIFICATE') };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return resolve(undefined);
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        resolve(parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined);
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}

export function bearerOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/**
 * `POST /api/login`, `POST /api/jwt/refresh`, `POST /api/jwt/logout`, `GET /api/config`; anything
 * else is 404. Login accepts any user when the simulator has no `auth`.
 */
export async function handleHttp(req: IncomingMessage, res: ServerResponse, ctx: HttpApiContext): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const route = `${req.method ?? 'GET'} ${path}`;
  switch (route) {
    case 'GET /api/config':
      return send(res, 200, { data: ctx.config });
    case 'POST /api/login': {
      const body = await readJson(req);
      const injected = ctx.takeLoginReject();
      if (injected !== undefined) return send(res, injected, { successful: false, message: 'simulated failure' });
      const username = typeof body?.username === 'string' ? body.username : undefined;
      const password = typeof body?.password === 'string' ? body.password : undefined;
      if (username === undefined || password === undefined)
        return send(res, 400, { successful: false, message: 'username and password required' });
      if (ctx.auth && (username !== ctx.auth.username || password !== ctx.auth.password)) {
        return send(res, 401, { successful: false, message: 'invalid credentials' });
      }
      const pair = ctx.tokens.issuePair(username);
      ctx.stats.logins++;
      return send(res, 200, {
        successful: true,
        data: { accessToken: pair.accessToken, refreshToken: pair.refreshToken, ssl: fakeKeyPair() },
      });
    }
    case 'POST /api/jwt/refresh': {
      const body = await readJson(req);
      const injected = ctx.takeLoginReject();
      if (injected !== undefined) return send(res, injected, { successful: false, message: 'simulated failure' });
      const claims =
        typeof body?.refreshToken === 'string' ? ctx.tokens.verify(body.refreshToken, 'refresh') : undefined;
      if (!claims) return send(res, 401, { successful: false, message: 'invalid refresh token' });
      const pair = ctx.tokens.issuePair(claims.sub, claims.fam);
      ctx.stats.refreshes++;
      return send(res, 200, {
        successful: true,
        data: { accessToken: pair.accessToken, refreshToken: pair.refreshToken, ssl: fakeKeyPair() },
      });
    }
    case 'POST /api/jwt/logout': {
      await readJson(req);
      const token = bearerOf(req);
      const claims = token ? ctx.tokens.verify(token, 'access') : undefined;
      if (!claims) return send(res, 401, { successful: false, message: 'invalid token' });
      ctx.tokens.revokeFamily(claims.fam);
      return send(res, 200, { successful: true });
    }
    default:
      return send(res, 404, { successful: false, message: 'not found' });
  }
}
