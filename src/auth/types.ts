import type { Logger } from '../logger';

/**
 * TLS settings for `wss://` and `https://`. Verification stays on unless you turn it off.
 */
export interface TlsOptions {
  /**
   * CA certificate(s), PEM text or bytes (a Node `Buffer` is a `Uint8Array`). Use the controller's
   * own certificate to trust exactly it.
   */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** Pin the controller's certificate by its SHA-256 fingerprint (`AA:BB:...` or plain hex). */
  fingerprint256?: string;
  /** `false` disables verification (logs a warning once). Prefer `fingerprint256`. */
  rejectUnauthorized?: boolean;
}

/** What a stream tells its auth strategy about where it connects. */
export interface AuthContext {
  /** The controller's base URL (`http(s)://host:port`). */
  baseUrl: string;
  /** The stream's TLS options (CA, SHA-256 pin), for the strategy's own HTTPS requests. */
  tls?: TlsOptions;
  /** The stream's logger; a strategy logs through it (redacted). */
  logger: Logger;
}

/**
 * How a stream authenticates. `headers()` and `handleUnauthorized()` may reject with
 * `AuthTransientError` (retry with backoff) or `AuthRejectedError` (give up: FAILED).
 *
 * Every call gets an `AbortSignal`: it aborts when the stream no longer needs the answer (the
 * attempt timed out, or `stop()` was called). A strategy that makes network requests should
 * cancel them then (`PortalAuth` does); the stream never waits for an aborted call either way.
 */
export interface Auth {
  /** Headers for the WebSocket upgrade request. */
  headers(signal?: AbortSignal): Record<string, string> | Promise<Record<string, string>>;
  /**
   * Called once when an upgrade met HTTP 401. Resolve `true` when the credentials were repaired
   * (token refreshed) and one immediate retry makes sense, `false` when they cannot be.
   */
  handleUnauthorized(signal?: AbortSignal): Promise<boolean>;
  /** A text frame to send right after the socket opens (token auth on `/api/events/subscribe`). */
  openingFrame?(signal?: AbortSignal): string | undefined | Promise<string | undefined>;
  /** Learn the stream's base URL, TLS options and logger. Called once by the stream. */
  attach?(context: AuthContext): void;
  /**
   * Best-effort clean-up (e.g. token logout) once a stopped stream has no connection left. Must
   * not throw. `signal` aborts when the stream is started again before it finished: the clean-up
   * never runs under a later run.
   */
  stop?(signal?: AbortSignal): Promise<void>;
}
