/**
 * Just enough JWT reading to know when a token expires. The signature is the controller's
 * business: we never trust a token for anything but scheduling our own refresh.
 */

/** The claims we use. Times are seconds since the epoch, as in the JWT spec. */
export interface JwtTimes {
  exp?: number;
  iat?: number;
}

function base64UrlDecode(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  // `atob` exists in browsers and in Node >= 16, so the portal strategy stays isomorphic.
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Read `exp`/`iat` from a JWT. Returns `{}` for anything that is not a readable JWT. */
export function readJwtTimes(token: string): JwtTimes {
  const parts = token.split('.');
  if (parts.length < 2 || !parts[1]) return {};
  try {
    const claims: unknown = JSON.parse(base64UrlDecode(parts[1]));
    if (claims === null || typeof claims !== 'object') return {};
    const { exp, iat } = claims as Record<string, unknown>;
    return {
      exp: typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined,
      iat: typeof iat === 'number' && Number.isFinite(iat) ? iat : undefined,
    };
  } catch {
    return {};
  }
}

/**
 * When, on *our* clock (ms), the token expires; `undefined` when it carries no `exp`.
 *
 * When the token also has `iat`, we use its lifetime (`exp - iat`) counted from the moment we
 * received it: the controller's clock is often off (an eisy without NTP), and measuring a
 * duration is immune to that skew. Without `iat` we fall back to the absolute `exp`.
 */
export function localExpiry(token: string, receivedAt: number): number | undefined {
  const { exp, iat } = readJwtTimes(token);
  if (exp === undefined) return undefined;
  if (iat !== undefined && exp >= iat) return receivedAt + (exp - iat) * 1000;
  return exp * 1000;
}
