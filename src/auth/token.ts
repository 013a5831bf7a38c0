import { AuthRejectedError, AuthTransientError, IoxError } from '../errors';
import type { Auth, AuthContext } from './types';

/**
 * The two first-frame shapes captured from real controllers (which one a firmware accepts is
 * unconfirmed):
 * - `'auth'`: `{"auth":{"token":"<jwt>"}}` (the default; seen in `fixtures/eisy6/ws-frames.jsonl`)
 * - `'creds'`: `{"type":"auth","creds":{"token":"<jwt>"}}` (the eisy's own admin console)
 */
export type TokenFrameShape = 'auth' | 'creds';

/**
 * Anything that can hand out a current access token, e.g. a {@link PortalAuth}. Optional hooks
 * are forwarded by {@link TokenAuth}.
 */
export interface TokenProvider {
  /** A valid access token (JWT), renewed first when needed; `signal` aborts when the stream no longer needs it. */
  accessToken(signal?: AbortSignal): Promise<string>;
  /** After a 401: renew, and resolve `true` to have the stream retry once. */
  handleUnauthorized?(signal?: AbortSignal): Promise<boolean>;
  /** Learn the stream's base URL, TLS options and logger (called by the stream through {@link TokenAuth}). */
  attach?(context: AuthContext): void;
  /** The stream stopped: log out, forget tokens. Should not throw. */
  stop?(signal?: AbortSignal): Promise<void>;
}

/** Where the token comes from: a fixed string, a function (sync or async), or a provider. */
export type TokenSource = string | (() => string | Promise<string>) | TokenProvider;

/** Options for {@link TokenAuth}. */
export interface TokenAuthOptions {
  /** Where each connection's token comes from; read again for every connection. */
  token: TokenSource;
  /** First-frame shape; default `'auth'`. */
  frame?: TokenFrameShape;
}

/** Build the first text frame carrying `token` in the given shape. */
export function tokenFrame(token: string, shape: TokenFrameShape = 'auth'): string {
  return shape === 'creds' ? JSON.stringify({ type: 'auth', creds: { token } }) : JSON.stringify({ auth: { token } });
}

function isProvider(value: unknown): value is TokenProvider {
  return typeof value === 'object' && value !== null && typeof (value as TokenProvider).accessToken === 'function';
}

/**
 * Token auth for the modern `/api/events/subscribe` endpoint: no upgrade headers, the access
 * token goes in the first text frame after the socket opens. This is the path that works in a
 * browser, which cannot set headers on a WebSocket.
 *
 * With a {@link PortalAuth} (or any {@link TokenProvider}) as source, each connection gets a
 * fresh-enough token and a 401 is repaired by the provider; with a string or a function a 401
 * cannot be repaired (`handleUnauthorized()` resolves `false`).
 *
 * @example
 * ```ts
 * const portal = new PortalAuth({ email, password });
 * const auth = new TokenAuth({ token: portal, frame: 'creds' });
 * createEventStream({ url: 'https://eisy.local', path: '/api/events/subscribe', auth });
 * ```
 */
export class TokenAuth implements Auth {
  /** The first-frame shape in use. */
  readonly frame: TokenFrameShape;
  readonly #source: TokenSource;

  /** @param options - A token source, or `{ token, frame? }`. */
  constructor(options: TokenSource | TokenAuthOptions) {
    const isOptions =
      typeof options === 'object' && options !== null && !isProvider(options) && 'token' in (options as object);
    const source = isOptions ? options.token : (options as TokenSource);
    const frame = isOptions ? (options.frame ?? 'auth') : 'auth';
    if (typeof source !== 'string' && typeof source !== 'function' && !isProvider(source)) {
      throw new TypeError(
        'TokenAuth needs a token: a string, a function returning one, or a provider such as PortalAuth',
      );
    }
    if (frame !== 'auth' && frame !== 'creds') throw new TypeError("TokenAuth frame must be 'auth' or 'creds'");
    this.#source = source;
    this.frame = frame;
  }

  /** No upgrade headers: the token travels in the first frame. */
  headers(): Record<string, string> {
    return {};
  }

  /** The first text frame: `{"auth":{"token":...}}` or `{"type":"auth","creds":{"token":...}}`. */
  async openingFrame(signal?: AbortSignal): Promise<string> {
    return tokenFrame(await this.#token(signal), this.frame);
  }

  /** Delegated to a provider; a fixed string or a function cannot be repaired (`false`). */
  async handleUnauthorized(signal?: AbortSignal): Promise<boolean> {
    const source = this.#source;
    if (isProvider(source) && source.handleUnauthorized) return source.handleUnauthorized(signal);
    return false;
  }

  /** Forwarded to a provider so that a `PortalAuth` learns the stream's URL and TLS options. */
  attach(context: AuthContext): void {
    const source = this.#source;
    if (isProvider(source)) source.attach?.(context);
  }

  /** Forwarded to a provider (a `PortalAuth` logs out). Never throws. */
  async stop(signal?: AbortSignal): Promise<void> {
    const source = this.#source;
    if (!isProvider(source) || !source.stop) return;
    try {
      await source.stop(signal);
    } catch {
      // Best effort by contract.
    }
  }

  /**
   * What `JSON.stringify` shows: no token.
   * @hidden
   */
  toJSON(): { type: 'TokenAuth'; frame: TokenFrameShape; source: unknown } {
    const source = this.#source;
    const described =
      typeof source === 'string'
        ? 'string'
        : typeof source === 'function'
          ? 'function'
          : ((source as { toJSON?: () => unknown }).toJSON?.() ?? 'provider');
    return { type: 'TokenAuth', frame: this.frame, source: described };
  }

  /** What `util.inspect` shows: no token. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `TokenAuth ${JSON.stringify(this.toJSON())}`;
  }

  async #token(signal?: AbortSignal): Promise<string> {
    const source = this.#source;
    let token: unknown;
    try {
      token =
        typeof source === 'string'
          ? source
          : typeof source === 'function'
            ? await source()
            : await source.accessToken(signal);
    } catch (error) {
      if (error instanceof IoxError) throw error;
      // A user function failed in some unknown way: retrying later is the safe default.
      throw new AuthTransientError('TokenAuth: the token source failed', undefined, { cause: error });
    }
    if (typeof token !== 'string' || token === '')
      throw new AuthRejectedError('TokenAuth: the token source gave no token');
    return token;
  }
}
