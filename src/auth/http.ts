import type { Logger } from '../logger';
import type { FetchLike } from './fetchLike';
import type { TlsOptions } from './types';

export type { FetchLike, FetchLikeInit, FetchLikeResponse } from './fetchLike';

/** True in Node (and Bun/Deno's Node mode), where we can own the TLS socket. */
function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

/**
 * Pick the HTTP client for the portal endpoints.
 *
 * - A caller-supplied `fetch` wins (TLS is then the caller's business: a warning says so when
 *   TLS options were also given, since we cannot apply them).
 * - In Node: a small client over `node:https` whose connections go through the same certificate
 *   check as the WebSocket (pinning, CA, the fingerprint in errors). Node's built-in `fetch`
 *   cannot take a custom certificate check without the `undici` package's `Agent`.
 * - In a browser: `globalThis.fetch`; the browser does TLS and TLS options cannot apply.
 *
 * The Node client is imported lazily so that a browser bundle of `PortalAuth`/`TokenAuth`
 * never pulls `node:https` in.
 */
export async function resolveFetch(
  custom: FetchLike | undefined,
  tls: TlsOptions | undefined,
  logger: Logger,
): Promise<FetchLike> {
  if (custom) {
    if (tls && (tls.ca !== undefined || tls.fingerprint256 !== undefined || tls.rejectUnauthorized !== undefined)) {
      logger.warn(
        'PortalAuth: a custom `fetch` was given, so the `tls` options are not applied to the portal login requests',
      );
    }
    return custom;
  }
  if (isNode()) {
    const { createNodeFetch } = await import('./node-http');
    return createNodeFetch(tls, logger);
  }
  if (typeof globalThis.fetch !== 'function')
    throw new TypeError('PortalAuth: no fetch available; pass one in the `fetch` option');
  if (tls) logger.warn('PortalAuth: in a browser the `tls` options cannot apply; the browser verifies the certificate');
  return (url, init) => globalThis.fetch(url, init);
}
