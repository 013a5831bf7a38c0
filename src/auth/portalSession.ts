/**
 * The portal's tokens as {@link PortalAuth} holds them, and when to renew them. Pure: the clock
 * comes in as `now` (ms since the epoch, our own clock).
 */
import { AuthTransientError } from '../errors';
import { localExpiry } from './jwt';

/** A refresh token this close to expiry is not worth trying: log in instead. */
const REFRESH_TOKEN_MARGIN_MS = 5_000;

/** Tokens in hand. Times are ms on our own clock (see `localExpiry`). */
export interface PortalSession {
  access: string;
  receivedAt: number;
  accessExpiresAt?: number;
  refresh?: string;
  refreshExpiresAt?: number;
}

/**
 * The session a login/refresh answer gives: only the tokens (never the `ssl` key pair). The answer
 * is `{ data: { accessToken, refreshToken } }` or the same fields at the top level; a refresh that
 * omits `refreshToken` keeps the previous one, with its expiry.
 *
 * @throws AuthTransientError when the answer holds no access token.
 */
export function sessionFromAnswer(body: unknown, previous: PortalSession | undefined, now: number): PortalSession {
  const record = (body ?? {}) as Record<string, unknown>;
  const data = (record.data && typeof record.data === 'object' ? record.data : record) as Record<string, unknown>;
  const access = data.accessToken;
  if (typeof access !== 'string' || access === '') {
    throw new AuthTransientError('PortalAuth: the portal answered without an access token');
  }
  // A refresh answer may carry no new refresh token (or the same one again): the kept token
  // expires when it did, counted from when it was issued, not from this answer.
  const issued =
    typeof data.refreshToken === 'string' && data.refreshToken !== '' && data.refreshToken !== previous?.refresh
      ? data.refreshToken
      : undefined;
  return {
    access,
    receivedAt: now,
    accessExpiresAt: localExpiry(access, now),
    refresh: issued ?? previous?.refresh,
    refreshExpiresAt: issued !== undefined ? localExpiry(issued, now) : previous?.refreshExpiresAt,
  };
}

/**
 * Whether the access token should be renewed before use: less than `refreshBeforeMs` left. A token
 * that lives no longer than that margin would be refreshed on every use, so such tokens are renewed
 * at half their life instead. A token without an expiry is never renewed ahead of a 401.
 */
export function needsRenewal(session: PortalSession, refreshBeforeMs: number, now: number): boolean {
  if (session.accessExpiresAt === undefined) return false;
  const lifetime = session.accessExpiresAt - session.receivedAt;
  const margin = lifetime > refreshBeforeMs ? refreshBeforeMs : lifetime / 2;
  return session.accessExpiresAt - now < margin;
}

/** The refresh token, if it is worth trying (present and not about to expire). */
export function usableRefreshToken(session: PortalSession | undefined, now: number): string | undefined {
  if (!session?.refresh) return undefined;
  const expiresAt = session.refreshExpiresAt;
  return expiresAt === undefined || expiresAt - now > REFRESH_TOKEN_MARGIN_MS ? session.refresh : undefined;
}

/** Seconds of life the access token had when received, for a debug line. */
export function describeLifetime(session: PortalSession): string {
  return session.accessExpiresAt !== undefined
    ? `${Math.round((session.accessExpiresAt - session.receivedAt) / 1000)} s`
    : 'no expiry';
}
