import { AuthRejectedError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import { assertTlsOptions } from './fingerprint';
import type { FetchLike } from './fetchLike';
import { resolveFetch } from './http';
import { postToPortal, toHttpBase, type PortalOperation } from './portalRequest';
import {
  describeLifetime,
  needsRenewal,
  sessionFromAnswer,
  usableRefreshToken,
  type PortalSession,
} from './portalSession';
import { redact, redactingLogger } from './redact';
import { SharedRequest } from './sharedRequest';
import type { Auth, AuthContext, TlsOptions } from './types';

/** Refresh when the access token has less than this left (pyisyox uses the same 60 s). */
const DEFAULT_REFRESH_BEFORE_MS = 60_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Options for {@link PortalAuth}. */
export interface PortalAuthOptions {
  /** The portal account's e-mail (sent as `username` to `/api/login`). */
  email: string;
  /** The portal account's password. Kept private: never logged, never in an error, hidden from `inspect`. */
  password: string;
  /**
   * The controller's base URL (`https://host[:port]`, with a path prefix when it is reached through
   * the portal or a proxy: `https://my.isy.io/isy/<uuid>`; `/api/login` etc. go under it). Optional
   * when the strategy is handed to a stream, which supplies its own; when both are given this one wins.
   */
  url?: string;
  /** TLS options for the login/refresh/logout requests. Defaults to the stream's. */
  tls?: TlsOptions;
  /**
   * A fetch implementation. Default: in Node, a client over `node:https` that applies `tls`
   * (pinning included); in a browser, `globalThis.fetch`. A custom one is responsible for TLS.
   */
  fetch?: FetchLike;
  /** Where to log (redacted). Defaults to the stream's logger, else silent. */
  logger?: Logger;
  /** Refresh proactively when the access token expires within this many ms. Default 60000. */
  refreshBeforeMs?: number;
  /** Timeout for each portal request, ms. Default 10000. */
  requestTimeoutMs?: number;
}

/**
 * JWT bearer auth for the controller's portal-style listener (`https://host:443`).
 *
 * Logs in with `POST /api/login`, puts `Authorization: Bearer <access token>` on the WebSocket
 * upgrade, refreshes with `POST /api/jwt/refresh` when the token has less than 60 s left, and
 * on a 401 refreshes (or logs in again when the refresh token is refused). Concurrent callers
 * share one in-flight login/refresh. `stop()` logs out (best effort).
 *
 * Errors: a network error, timeout, 5xx, 408 or 429 from the portal rejects with
 * `AuthTransientError` (the stream retries with backoff); refused credentials (401/403,
 * `successful: false`) or a URL without a portal (400/404/405) reject with `AuthRejectedError`
 * (the stream goes to FAILED). A certificate problem is an `AuthTransientError` whose message is
 * the `TlsError`'s (with the fingerprint to pin) and whose `cause` is that `TlsError`.
 *
 * Secrets (password, tokens, the login response's `ssl` key pair) are never logged, never in an
 * error message, and hidden from `util.inspect` and `JSON.stringify`.
 *
 * @example
 * ```ts
 * const auth = new PortalAuth({ email: 'me@example.com', password: process.env.EISY_PASSWORD! });
 * const stream = createEventStream({ url: 'https://eisy.local', auth, tls: { fingerprint256: '3A:...' } });
 * ```
 */
export class PortalAuth implements Auth {
  /** The account e-mail (not a secret; shown by `inspect`). */
  readonly email: string;
  readonly #password: string;
  readonly #ownUrl?: string;
  readonly #ownTls?: TlsOptions;
  readonly #customFetch?: FetchLike;
  readonly #ownLogger?: Logger;
  readonly #refreshBeforeMs: number;
  readonly #requestTimeoutMs: number;

  #context?: AuthContext;
  #session?: PortalSession;
  #renewal?: SharedRequest<PortalSession>;
  /** The last access token given out, to tell a stale 401 from a fresh one. */
  #handedOut?: string;
  #fetch?: Promise<FetchLike>;
  #logger: Logger;

  constructor(options: PortalAuthOptions) {
    if (!options || typeof options.email !== 'string' || typeof options.password !== 'string') {
      throw new TypeError('PortalAuth needs { email, password } (strings)');
    }
    assertTlsOptions(options.tls);
    this.email = options.email;
    this.#password = options.password;
    this.#ownUrl = options.url !== undefined ? toHttpBase(options.url) : undefined;
    this.#ownTls = options.tls;
    this.#customFetch = options.fetch;
    this.#ownLogger = options.logger;
    this.#refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#logger = this.#makeLogger(options.logger ?? silentLogger);
  }

  /** Called by the stream: learn its base URL, TLS options and logger (own options win). */
  attach(context: AuthContext): void {
    this.#context = context;
    if (!this.#ownLogger) this.#logger = this.#makeLogger(context.logger);
    // The TLS options may have changed: build the HTTP client again on next use.
    if (!this.#ownTls) this.#fetch = undefined;
  }

  /** `Authorization: Bearer <access token>`, logging in or refreshing first when needed. */
  async headers(signal?: AbortSignal): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${await this.accessToken(signal)}` };
  }

  /**
   * A valid access token: the current one, or a fresh one from a refresh (or login) when it has
   * less than `refreshBeforeMs` left. Used by {@link TokenAuth} for the token frame.
   *
   * @throws AuthTransientError | AuthRejectedError
   */
  async accessToken(signal?: AbortSignal): Promise<string> {
    const session = this.#session;
    const token =
      session && !needsRenewal(session, this.#refreshBeforeMs, Date.now())
        ? session.access
        : (await this.#renew(false, signal)).access;
    this.#handedOut = token;
    return token;
  }

  /**
   * After a 401 on the upgrade: refresh (or log in again) and resolve `true` so the stream
   * retries once. If another caller already renewed the token since it was handed out, no new
   * request is made. Rejects with `AuthRejectedError` when the portal refuses the credentials,
   * `AuthTransientError` when it cannot be reached.
   */
  async handleUnauthorized(signal?: AbortSignal): Promise<boolean> {
    if (this.#renewal) {
      await this.#renewal.join(signal);
      return true;
    }
    const session = this.#session;
    if (session && this.#handedOut !== undefined && session.access !== this.#handedOut) return true;
    this.#logger.debug('PortalAuth: upgrade got 401, renewing the access token');
    await this.#renew(true, signal);
    return true;
  }

  /**
   * Best-effort `POST /api/jwt/logout` with the live token, then forget the tokens. Never throws.
   * `signal` cancels the logout (the stream was started again meanwhile).
   */
  async stop(signal?: AbortSignal): Promise<void> {
    try {
      await this.#renewal?.promise.catch(() => undefined);
      const session = this.#session;
      this.#session = undefined;
      this.#handedOut = undefined;
      if (!session || (session.accessExpiresAt !== undefined && session.accessExpiresAt <= Date.now())) return;
      await this.#post('logout', {}, session.access, signal);
      this.#logger.debug('PortalAuth: logged out');
    } catch (error) {
      this.#logger.debug(`PortalAuth: logout failed (ignored): ${describe(error)}`);
    }
  }

  /**
   * What `JSON.stringify` shows: no secret.
   * @hidden
   */
  toJSON(): { type: 'PortalAuth'; email: string; url?: string; loggedIn: boolean } {
    return {
      type: 'PortalAuth',
      email: this.email,
      url: this.#baseUrlOrUndefined(),
      loggedIn: this.#session !== undefined,
    };
  }

  /** What `util.inspect` / `console.log` show: no secret. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const { email, url, loggedIn } = this.toJSON();
    return `PortalAuth { email: ${JSON.stringify(email)}, url: ${JSON.stringify(url)}, loggedIn: ${loggedIn} }`;
  }

  #makeLogger(logger: Logger): Logger {
    // Besides the patterns, scrub the exact password and tokens wherever they might appear.
    return redactingLogger(logger, () => {
      const known = [this.#password];
      if (this.#session) known.push(this.#session.access, ...(this.#session.refresh ? [this.#session.refresh] : []));
      return known;
    });
  }

  /**
   * One login/refresh at a time: every concurrent caller awaits the same requests, which are
   * cancelled once every caller that passed a signal has aborted (see {@link SharedRequest}).
   */
  #renew(forced: boolean, signal: AbortSignal | undefined): Promise<PortalSession> {
    let renewal = this.#renewal;
    if (!renewal) {
      const created = new SharedRequest((cancel) =>
        this.#doRenew(forced, cancel).finally(() => {
          if (this.#renewal === created) this.#renewal = undefined;
        }),
      );
      this.#renewal = renewal = created;
    }
    return renewal.join(signal);
  }

  async #doRenew(forced: boolean, signal: AbortSignal): Promise<PortalSession> {
    const refresh = usableRefreshToken(this.#session, Date.now());
    if (refresh !== undefined) {
      try {
        this.#logger.debug(`PortalAuth: refreshing the access token${forced ? ' after a 401' : ''}`);
        return this.#adopt(await this.#post('refresh', { refreshToken: refresh }, undefined, signal));
      } catch (error) {
        if (!(error instanceof AuthRejectedError)) throw error;
        // A refused refresh token is not refused credentials: the password may still be good.
        this.#logger.debug(`PortalAuth: refresh refused (${describe(error)}), logging in again`);
        this.#session = undefined;
      }
    }
    this.#logger.debug('PortalAuth: logging in');
    return this.#adopt(
      await this.#post('login', { username: this.email, password: this.#password }, undefined, signal),
    );
  }

  /** Keep only the tokens from a login/refresh answer (never the `ssl` key pair). */
  #adopt(body: unknown): PortalSession {
    const session = sessionFromAnswer(body, this.#session, Date.now());
    this.#session = session;
    this.#logger.debug(`PortalAuth: got an access token (${describeLifetime(session)})`);
    return session;
  }

  #baseUrlOrUndefined(): string | undefined {
    if (this.#ownUrl) return this.#ownUrl;
    const base = this.#context?.baseUrl;
    if (!base) return undefined;
    try {
      return toHttpBase(base);
    } catch {
      return undefined;
    }
  }

  #getFetch(): Promise<FetchLike> {
    if (!this.#fetch) {
      const fetch = resolveFetch(this.#customFetch, this.#ownTls ?? this.#context?.tls, this.#logger);
      // A failure to set up must not be cached forever.
      fetch.catch(() => {
        this.#fetch = undefined;
      });
      this.#fetch = fetch;
    }
    return this.#fetch;
  }

  /** POST JSON to a portal endpoint; see {@link postToPortal} for how failures are classified. */
  async #post(operation: PortalOperation, payload: object, bearer?: string, signal?: AbortSignal): Promise<unknown> {
    const base = this.#baseUrlOrUndefined();
    if (!base) {
      throw new AuthRejectedError('PortalAuth has no controller URL: pass `url`, or hand it to a stream');
    }
    const endpoint = {
      base,
      fetch: await this.#getFetch(),
      timeoutMs: this.#requestTimeoutMs,
      secrets: [this.#password],
    };
    return postToPortal(endpoint, operation, payload, bearer, signal);
  }
}

/** A one-line, secret-free description of an error for debug logs. */
function describe(error: unknown): string {
  if (error instanceof Error) return redact(`${error.name}: ${error.message}`);
  return redact(String(error));
}
