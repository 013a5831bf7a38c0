import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Minimal HS256 JWTs for the simulator's portal-style endpoints. The real eisy signs with ES256 and
 * its own key; clients must treat tokens as opaque apart from reading `exp`, so HS256 with a secret
 * that lives only as long as the simulator is enough — and needs no dependency.
 */
export interface TokenClaims {
  sub: string;
  /** Access or refresh token. */
  typ: 'access' | 'refresh';
  /** Login family: logout revokes every token of the family. */
  fam: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string[];
  jti: string;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export class TokenIssuer {
  private readonly secret = randomBytes(32);
  private readonly revokedFamilies = new Set<string>();
  private counter = 0;

  constructor(
    private readonly accessTtlSec: number,
    private readonly refreshTtlSec: number,
  ) {}

  /** A fresh access + refresh pair for `sub`, in a new family unless one is given (refresh). */
  issuePair(sub: string, family?: string): { accessToken: string; refreshToken: string; family: string } {
    const fam = family ?? `f${++this.counter}.${randomBytes(4).toString('hex')}`;
    return {
      accessToken: this.sign(sub, 'access', fam, this.accessTtlSec),
      refreshToken: this.sign(sub, 'refresh', fam, this.refreshTtlSec),
      family: fam,
    };
  }

  private sign(sub: string, typ: TokenClaims['typ'], fam: string, ttlSec: number): string {
    const iat = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      sub,
      typ,
      fam,
      iat,
      exp: iat + ttlSec,
      iss: 'iox-simulator',
      aud: ['eisy'],
      jti: `${++this.counter}`,
    };
    const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const body = b64url(JSON.stringify(claims));
    return `${head}.${body}.${this.mac(`${head}.${body}`)}`;
  }

  private mac(input: string): string {
    return createHmac('sha256', this.secret).update(input).digest('base64url');
  }

  /** The claims of a valid, unexpired, unrevoked token of the wanted type, else `undefined`. */
  verify(token: string, typ: TokenClaims['typ']): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [head, body, sig] = parts as [string, string, string];
    const expected = Buffer.from(this.mac(`${head}.${body}`));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return undefined;
    }
    if (claims.typ !== typ || typeof claims.exp !== 'number') return undefined;
    if (claims.exp <= Date.now() / 1000) return undefined;
    if (this.revokedFamilies.has(claims.fam)) return undefined;
    return claims;
  }

  revokeFamily(fam: string): void {
    this.revokedFamilies.add(fam);
  }
}

/** Decode a JWT payload without verifying it (for tests and diagnostics). */
export function decodeJwtPayload(token: string): Record<string, unknown> {
  const body = token.split('.')[1];
  if (body === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
}
