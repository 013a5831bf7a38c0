import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { ClientOptions } from 'ws';
import { ConnectError, TlsError } from '../errors';
import type { Logger } from '../logger';
import { assertTlsOptions, formatFingerprint, normalizeFingerprint } from './fingerprint';
import type { TlsOptions } from './types';

export { assertTlsOptions, formatFingerprint, normalizeFingerprint };

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

/** The subset of Node's request options a connection factory receives that we use. */
interface ConnectRequest {
  protocol?: string | null;
  host?: string | null;
  hostname?: string | null;
  port?: number | string | null;
  defaultPort?: number | string;
  servername?: string;
  socketPath?: string;
  timeout?: number;
  family?: number;
  localAddress?: string;
  lookup?: ConnectionOptions['lookup'];
  _defaultAgent?: { protocol?: string };
}

/** Node's `createConnection` callback. */
export type ConnectCallback = (error: Error | null, socket?: Socket) => void;

/** A `createConnection` for `http(s).request` and `ws`. */
export type CreateConnection = (options: ConnectRequest, oncreate: ConnectCallback) => Socket | undefined;

/**
 * Whether the request being connected is `https:`/`wss:`. ws blanks `protocol` in the options it
 * hands over, but Node's `https.request` tags them with its default agent, and ws sets
 * `defaultPort` from the scheme; we look at those in that order.
 */
function isSecureRequest(options: ConnectRequest): boolean {
  if (options.protocol === 'https:' || options.protocol === 'wss:') return true;
  if (options.protocol === 'http:' || options.protocol === 'ws:') return false;
  const agentProtocol = options._defaultAgent?.protocol;
  if (agentProtocol) return agentProtocol === 'https:';
  return Number(options.defaultPort) === 443;
}

/**
 * A connection factory that verifies the server's certificate itself, on every connection,
 * *before* the HTTP request (and its `Authorization` header) is written.
 *
 * Why not just pass `ca`/`checkServerIdentity` to Node: with a self-signed certificate Node fails
 * the chain check first and never calls `checkServerIdentity`, so a pin can only be honoured by
 * connecting with `rejectUnauthorized: false` and deciding ourselves. Handing the socket to the
 * request only after `secureConnect` (the callback form of `createConnection`) guarantees that
 * no byte of the request reaches a server we have not accepted. Owning the decision also lets
 * the error carry the presented certificate's fingerprint.
 */
export function createVerifiedConnection(tls: TlsOptions | undefined, logger: Logger): CreateConnection {
  assertTlsOptions(tls);
  const pin = tls?.fingerprint256 !== undefined ? normalizeFingerprint(tls.fingerprint256) : undefined;

  return (options, oncreate) => {
    const host = (options.host ?? options.hostname ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    if (options.socketPath) return netConnect({ path: options.socketPath });
    const port = Number(options.port ?? options.defaultPort);
    if (!isSecureRequest(options)) {
      return netConnect({
        host,
        port,
        family: options.family,
        localAddress: options.localAddress,
        lookup: options.lookup,
      });
    }

    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const socket: TLSSocket = tlsConnect({
      host,
      port,
      lookup: options.lookup,
      // Node rejects an IP address as SNI name; without SNI it checks the IP against the SANs.
      servername: options.servername ?? (isIP(host) ? undefined : host),
      // Node takes any Uint8Array here, not only a Buffer; its typings say Buffer.
      ca: tls?.ca as ConnectionOptions['ca'],
      // We decide on `secureConnect` (see above); Node still computes `authorized` for us.
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });

    let settled = false;
    const settle = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('secureConnect', onSecure);
      socket.off('error', onError);
      if (error) {
        socket.destroy();
        oncreate(error);
      } else {
        oncreate(null, socket);
      }
    };
    const onError = (error: Error): void => settle(error);
    const onSecure = (): void => {
      const presented = presentedFingerprint(socket);
      if (pin !== undefined) {
        if (presented === pin) return settle(null);
        return settle(
          certificateRejected(
            where,
            `its SHA-256 fingerprint does not match the pinned ${formatFingerprint(pin)}`,
            presented,
            {
              pinned: true,
            },
          ),
        );
      }
      if (tls?.rejectUnauthorized === false) {
        warnInsecureOnce(tls, logger);
        return settle(null);
      }
      if (socket.authorized) return settle(null);
      const code = String(socket.authorizationError ?? 'UNKNOWN');
      return settle(certificateRejected(where, describeVerifyError(code), presented));
    };
    // Bound the handshake: a silent peer must not keep a socket (and an ISY subscriber slot) forever.
    const limit = options.timeout && options.timeout > 0 ? options.timeout : DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const timer = setTimeout(
      () => settle(new ConnectError(`TLS handshake with ${where} timed out after ${limit} ms`, 'ETIMEDOUT')),
      limit,
    );
    socket.once('secureConnect', onSecure);
    socket.on('error', onError);
    return undefined;
  };
}

function presentedFingerprint(socket: TLSSocket): string | undefined {
  const fingerprint = socket.getPeerCertificate()?.fingerprint256;
  if (typeof fingerprint !== 'string' || fingerprint === '') return undefined;
  try {
    return normalizeFingerprint(fingerprint);
  } catch {
    return undefined;
  }
}

/**
 * Options merged into the `ws` client options. For `wss://` the returned `createConnection`
 * verifies the controller's certificate on every connection: default CA verification, or
 * `tls.ca`, or a SHA-256 pin (`tls.fingerprint256`, which accepts a matching self-signed
 * certificate and nothing else); `tls.rejectUnauthorized: false` disables checks with a one-time
 * warning. A rejected certificate surfaces as the WebSocket's `error`: a {@link TlsError} whose
 * message shows the presented fingerprint and how to pin it. For `ws://` it opens a plain socket.
 *
 * @param tls - The stream's TLS options (may be undefined: verification on, system CAs).
 * @param logger - Where the `rejectUnauthorized: false` warning goes.
 * @throws TypeError when `tls.fingerprint256` is malformed.
 */
export function wsTlsOptions(tls: TlsOptions | undefined, logger: Logger): ClientOptions {
  const createConnection = createVerifiedConnection(tls, logger);
  // ws types `createConnection` as `net.createConnection`; ws itself hands it to
  // `http(s).request`, which also accepts the asynchronous callback form used here.
  return { createConnection: createConnection as unknown as ClientOptions['createConnection'] };
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
