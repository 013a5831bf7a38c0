import type { ClientOptions } from 'ws';
import { TlsError } from '../errors';
import type { Logger } from '../logger';
import type { TlsOptions } from './types';

/**
 * Options merged into the `ws` client options for a `wss://` connection.
 * (Minimal version; pinning by fingerprint arrives with the auth/TLS work.)
 */
export function wsTlsOptions(tls: TlsOptions | undefined, _logger: Logger): ClientOptions {
  if (!tls) return {};
  const options: ClientOptions = {};
  if (tls.ca !== undefined) options.ca = tls.ca;
  if (tls.rejectUnauthorized === false) options.rejectUnauthorized = false;
  return options;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Turn a socket error into a {@link TlsError} when it is a certificate failure. */
export function asTlsError(error: unknown): TlsError | undefined {
  if (error instanceof TlsError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'))) {
    return new TlsError(`TLS verification failed (${code})`, undefined, { cause: error });
  }
  return undefined;
}
