/**
 * Typed errors. Every message is built from facts we control (status codes, error codes,
 * fingerprints) so that no password or token can leak through `error.message`.
 */

/** Base class: `code` is stable and meant for programs, `message` for people. */
export class IoxError extends Error {
  /** Stable identifier: `HANDSHAKE_STATUS`, `CONNECT_FAILED`, `TLS_FAILED`, `AUTH_TRANSIENT`, `AUTH_REJECTED`, ... */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The WebSocket upgrade was answered with an HTTP status instead of 101. */
export class HandshakeError extends IoxError {
  /** `HANDSHAKE_STATUS` */
  declare readonly code: 'HANDSHAKE_STATUS';
  /** The HTTP status of the answer (401, 404, 503, ...). */
  readonly status: number;
  constructor(status: number) {
    super('HANDSHAKE_STATUS', `WebSocket upgrade rejected with HTTP ${status}`);
    this.status = status;
  }
}

/** The socket could not be opened: refused, unreachable, reset, closed during the handshake. */
export class ConnectError extends IoxError {
  /** `CONNECT_FAILED` */
  declare readonly code: 'CONNECT_FAILED';
  /** The system error code when there is one (`ECONNREFUSED`, `ENOTFOUND`, ...). */
  readonly errno?: string;
  constructor(message: string, errno?: string, options?: { cause?: unknown }) {
    super('CONNECT_FAILED', message, options);
    this.errno = errno;
  }
}

/** The server's certificate was not accepted. The message says how to pin it. */
export class TlsError extends IoxError {
  /** `TLS_FAILED` */
  declare readonly code: 'TLS_FAILED';
  /** SHA-256 fingerprint of the certificate the server presented, `AA:BB:...`, when known. */
  readonly fingerprint256?: string;
  /**
   * The certificate failed verification (untrusted, expired, wrong name, not the pinned one): a
   * configuration verdict that retrying cannot change, so the stream goes FAILED. False for TLS
   * failures that may pass (a handshake cut short).
   */
  readonly certificateRejected: boolean;
  constructor(message: string, fingerprint256?: string, options?: { cause?: unknown; certificateRejected?: boolean }) {
    super('TLS_FAILED', message, options);
    this.fingerprint256 = fingerprint256;
    this.certificateRejected = options?.certificateRejected ?? false;
  }
}

/**
 * The controller closed the stream with 1008 (policy violation) right after the token frame of
 * `/api/events/subscribe`, before any event: it refused the token. The same verdict as an upgrade
 * answered with HTTP 401, so the stream treats it the same way (one repair, one retry, then FAILED).
 */
export class TokenRejectedError extends IoxError {
  readonly status = 401;
  constructor(reason: string) {
    super(
      'TOKEN_REJECTED',
      `the controller closed the stream after the token frame (1008${reason ? ` ${JSON.stringify(reason)}` : ''}): the token was not accepted`,
    );
  }
}

/**
 * The auth endpoint failed in a way that retrying may fix (network error, 5xx, a rebooting
 * controller). The stream treats it like any other failed attempt: LOST, then backoff.
 */
export class AuthTransientError extends IoxError {
  /** `AUTH_TRANSIENT` */
  declare readonly code: 'AUTH_TRANSIENT';
  /** The auth endpoint's HTTP status, when it answered (5xx, 408, 429, a 200 that was not JSON). */
  readonly status?: number;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super('AUTH_TRANSIENT', message, options);
    this.status = status;
  }
}

/** The controller rejected the credentials themselves. The stream goes to FAILED. */
export class AuthRejectedError extends IoxError {
  /** `AUTH_REJECTED` */
  declare readonly code: 'AUTH_REJECTED';
  /** The HTTP status that said no (401, 403, or 4xx from a URL without a portal), when there was one. */
  readonly status?: number;
  constructor(message: string, status?: number) {
    super('AUTH_REJECTED', message);
    this.status = status;
  }
}

/** A plain, serialisable description of an error, safe to keep in machine context and to log. */
export interface ErrorSummary {
  /** The error's class name (`HandshakeError`, `Error`, ...). */
  name: string;
  /** Its `code` when it has a string one (`HANDSHAKE_STATUS`, `ECONNREFUSED`, ...). */
  code?: string;
  /** Its message, redacted. */
  message: string;
  /** An HTTP status, when the error carries one. */
  status?: number;
  /** For `TLS_FAILED`: SHA-256 fingerprint of the certificate the server presented (`AA:BB:...`), when known. */
  fingerprint256?: string;
}

/** Reduce any thrown value to an {@link ErrorSummary}. */
export function summarizeError(error: unknown): ErrorSummary {
  if (error instanceof Error) {
    const e = error as Error & { code?: unknown; status?: unknown; fingerprint256?: unknown };
    const summary: ErrorSummary = {
      name: e.name,
      code: typeof e.code === 'string' ? e.code : undefined,
      message: e.message,
      status: typeof e.status === 'number' ? e.status : undefined,
    };
    if (typeof e.fingerprint256 === 'string') summary.fingerprint256 = e.fingerprint256;
    return summary;
  }
  return { name: 'Error', message: String(error) };
}
