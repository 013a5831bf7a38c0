import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { assertTlsOptions, formatFingerprint, normalizeFingerprint } from '../auth/fingerprint';
import type { TlsOptions } from '../auth/types';
import { ConnectError, IoxError, TlsError } from '../errors';
import type { Logger } from '../logger';

/** Longest a TLS handshake may take when the caller gave no timeout of its own. */
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;

// Warn once per options object, not once per connection: a reconnecting stream would otherwise
// repeat the same warning forever, and the WebSocket and the portal's HTTP calls share it.
const warnedInsecure = new WeakSet<object>();

function warnInsecureOnce(tls: TlsOptions, logger: Logger): void {
  if (warnedInsecure.has(tls)) return;
  warnedInsecure.add(tls);
  logger.warn(
    'TLS certificate verification is OFF (tls.rejectUnauthorized: false): anyone on the network path can ' +
      "impersonate the controller and read its credentials. Pin the controller's certificate instead: " +
      "tls: { fingerprint256: '<SHA-256 fingerprint>' } (the fingerprint is shown when verification fails).",
  );
}

/** Turn Node's verification codes into words a user can act on. */
function describeVerifyError(code: string): string {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return `it is self-signed (${code})`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return `it is not signed by a trusted CA (${code})`;
    case 'CERT_HAS_EXPIRED':
      return `it has expired (${code})`;
    case 'CERT_NOT_YET_VALID':
      return `it is not valid yet (${code})`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `it is not issued for this host name (${code})`;
    default:
      return `verification failed (${code})`;
  }
}

/**
 * Build the error for a rejected certificate. The message carries the fingerprint in both
 * accepted forms and the exact option to paste, because "self-signed certificate" alone leaves
 * users one step from `rejectUnauthorized: false`.
 */
export function certificateRejected(
  where: string,
  reason: string,
  presentedHex: string | undefined,
  options?: { cause?: unknown; pinned?: boolean },
): TlsError {
  const verdict = { cause: options?.cause, certificateRejected: true };
  if (presentedHex === undefined) {
    return new TlsError(`TLS: the certificate presented by ${where} was rejected: ${reason}.`, undefined, verdict);
  }
  const colon = formatFingerprint(presentedHex);
  const advice = options?.pinned
    ? `If the controller's certificate was replaced on purpose, update the pin: tls: { fingerprint256: '${colon}' }`
    : `If this is your controller's own certificate, pin it: tls: { fingerprint256: '${colon}' }`;
  return new TlsError(
    `TLS: the certificate presented by ${where} was rejected: ${reason}. ` +
      `Its SHA-256 fingerprint is ${colon} (hex ${presentedHex}). ${advice}`,
    colon,
    verdict,
  );
}

/** Where to open a socket: host, port, and whether to speak TLS. */
export interface SocketTarget {
  host: string;
  port: number;
  secure: boolean;
  /** SNI name; default the host unless it is an IP address. */
  servername?: string;
}

/** A socket being opened, owned by the caller from its first moment. */
export interface PendingSocket {
  /** The socket, to destroy at any moment (mid-TCP or mid-TLS). */
  readonly socket: Socket;
  /**
   * Resolves once connected and, for TLS, verified; rejects with a `ConnectError` or `TlsError`
   * (the socket is then destroyed). Destroying the socket rejects it too.
   */
  readonly ready: Promise<void>;
}

/**
 * Open a TCP socket, and for TLS verify the server's certificate ourselves, on every connection,
 * *before* any byte of a request (and its `Authorization` header) is written.
 *
 * The socket is returned at once, so its owner can destroy it in any phase: the TCP connect, a
 * TLS handshake the server never finishes, or later. (Handing Node's HTTP client a connection
 * factory instead leaves a socket mid-handshake out of everyone's reach: an aborted request
 * cannot destroy what it has not been given yet.)
 *
 * Verification: with a self-signed certificate Node fails the chain check first and never calls
 * `checkServerIdentity`, so a pin can only be honoured by connecting with
 * `rejectUnauthorized: false` and deciding on `secureConnect`: a SHA-256 pin
 * (`tls.fingerprint256`) accepts a matching certificate and nothing else; otherwise the chain and
 * host name are checked against `tls.ca` or the system CAs; `tls.rejectUnauthorized: false`
 * disables checks with a one-time warning. A rejected certificate is a {@link TlsError} whose
 * message shows the presented fingerprint and how to pin it.
 *
 * @param timeoutMs - Bound on TCP connect + TLS handshake (default 30 s).
 * @throws TypeError when `tls.fingerprint256` is malformed.
 */
export function openSocket(
  target: SocketTarget,
  tls: TlsOptions | undefined,
  logger: Logger,
  timeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS,
): PendingSocket {
  assertTlsOptions(tls);
  const pin = tls?.fingerprint256 !== undefined ? normalizeFingerprint(tls.fingerprint256) : undefined;
  const host = target.host.replace(/^\[(.*)\]$/, '$1');
  const where = `${host.includes(':') ? `[${host}]` : host}:${target.port}`;
  const socket: Socket = target.secure
    ? tlsConnect({
        host,
        port: target.port,
        // Node rejects an IP address as SNI name; without SNI it checks the IP against the SANs.
        servername: target.servername ?? (isIP(host) ? undefined : host),
        // Node takes any Uint8Array here, not only a Buffer; its typings say Buffer.
        ca: tls?.ca as ConnectionOptions['ca'],
        // We decide on `secureConnect` (see above); Node still computes `authorized` for us.
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
      })
    : netConnect({ host, port: target.port });

  const ready = new Promise<void>((resolve, reject) => {
    // Settles once: the first call removes every listener and the timer that could call it again.
    const settle = (error: Error | null): void => {
      clearTimeout(timer);
      socket.off(target.secure ? 'secureConnect' : 'connect', onConnected);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve();
      }
    };
    const onError = (error: Error): void => settle(classifySocketError(error, where));
    const onClose = (): void => settle(new ConnectError(`connection to ${where} closed before it was established`));
    const onConnected = (): void => {
      if (!target.secure) return settle(null);
      const secure = socket as TLSSocket;
      const presented = presentedFingerprint(secure);
      if (pin !== undefined) {
        if (presented === pin) return settle(null);
        return settle(
          certificateRejected(
            where,
            `its SHA-256 fingerprint does not match the pinned ${formatFingerprint(pin)}`,
            presented,
            { pinned: true },
          ),
        );
      }
      if (tls?.rejectUnauthorized === false) {
        warnInsecureOnce(tls, logger);
        return settle(null);
      }
      if (secure.authorized) return settle(null);
      const code = String(secure.authorizationError ?? 'UNKNOWN');
      return settle(certificateRejected(where, describeVerifyError(code), presented));
    };
    // Bound the handshake: a silent peer must not keep a socket (and an ISY subscriber slot) forever.
    const limit = timeoutMs > 0 ? timeoutMs : DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const timer = setTimeout(
      () =>
        settle(
          new ConnectError(
            `${target.secure ? 'TCP/TLS' : 'TCP'} connect to ${where} timed out after ${limit} ms`,
            'ETIMEDOUT',
          ),
        ),
      limit,
    );
    socket.once(target.secure ? 'secureConnect' : 'connect', onConnected);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
  // The owner may destroy the socket without ever awaiting `ready`.
  ready.catch(() => {});
  return { socket, ready };
}

/**
 * A socket error as a typed error whose message carries no secret: a TLS failure as its
 * {@link TlsError}, anything else as a `ConnectError` naming Node's errno code (or, without one,
 * the error's message) and, when known, the `host:port` it was connecting to.
 */
export function classifySocketError(error: unknown, where?: string): IoxError {
  if (error instanceof IoxError) return error;
  const tls = asTlsError(error);
  if (tls) return tls;
  const errno = (error as { code?: unknown } | null)?.code;
  const code = typeof errno === 'string' ? errno : undefined;
  const detail = code || (error instanceof Error ? error.message : String(error));
  const what = where === undefined ? 'connect' : `connect to ${where}`;
  return new ConnectError(`${what} failed: ${detail}`, code, { cause: error });
}

/** The peer certificate's SHA-256 fingerprint as 64 hex digits; undefined when Node has none to give. */
function presentedFingerprint(socket: TLSSocket): string | undefined {
  let presented: string | undefined;
  try {
    presented = normalizeFingerprint(socket.getPeerCertificate().fingerprint256);
  } catch {
    // No certificate (Node gives an empty object, so no fingerprint): normalizeFingerprint refuses it.
  }
  return presented;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Turn a connection error into a {@link TlsError} when it is a certificate or TLS failure.
 * Recognises our own `TlsError`, one wrapped as an error's `cause` (as `PortalAuth` does when
 * its HTTP call meets a bad certificate), and Node's raw TLS error codes.
 *
 * @returns The `TlsError`, or `undefined` when the error is not about TLS.
 */
export function asTlsError(error: unknown): TlsError | undefined {
  if (error instanceof TlsError) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof TlsError) return cause;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'))) {
    const reason = TLS_CODES.has(code) ? describeVerifyError(code) : `TLS failed (${code})`;
    // A verification code is a verdict on the certificate; other TLS codes may pass on a retry.
    return new TlsError(`TLS: ${reason}.`, undefined, { cause: error, certificateRejected: TLS_CODES.has(code) });
  }
  return undefined;
}
