/**
 * One JSON POST to a portal endpoint, and the verdict on how it failed: worth retrying
 * (`AuthTransientError`) or not (`AuthRejectedError`). Paths and status handling follow WIRE.md
 * (portal-style listener: `/api/login`, `/api/jwt/refresh`, `/api/jwt/logout`).
 */
import { withTimeout } from '../abortable';
import { basePathOf } from '../basePath';
import { AuthRejectedError, AuthTransientError, TlsError } from '../errors';
import type { FetchLike } from './fetchLike';
import { redact } from './redact';

/** What {@link postToPortal} is asked to do. */
export type PortalOperation = 'login' | 'refresh' | 'logout';

const PATHS: Record<PortalOperation, string> = {
  login: '/api/login',
  refresh: '/api/jwt/refresh',
  logout: '/api/jwt/logout',
};

/** Where and how to send one portal request. */
export interface PortalEndpoint {
  /** `http(s)://host:port[/prefix]`, see {@link toHttpBase}. */
  base: string;
  fetch: FetchLike;
  timeoutMs: number;
  /** Exact strings to scrub from an error kept as `cause` (the password). */
  secrets: readonly string[];
}

/**
 * `http(s)://host:port[/prefix][/]` or a stream URL `ws(s)://host:port[/prefix]/rest/subscribe` →
 * `http(s)://host:port[/prefix]`: a controller behind the portal or a proxy has its portal
 * endpoints under the same path prefix as its stream.
 *
 * @throws TypeError for any other protocol.
 */
export function toHttpBase(url: string): string {
  const parsed = new URL(url);
  const prefix = basePathOf(parsed);
  if (parsed.protocol === 'wss:') parsed.protocol = 'https:';
  else if (parsed.protocol === 'ws:') parsed.protocol = 'http:';
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError(`PortalAuth: unsupported URL protocol ${parsed.protocol}`);
  }
  return parsed.origin + prefix;
}

/**
 * POST `payload` as JSON to the operation's path; resolve with the parsed answer (`undefined` for
 * logout).
 *
 * @throws AuthRejectedError on 401/403, `successful: false`, or another 4xx (no portal at this URL).
 * @throws AuthTransientError on a network error, timeout, 5xx, 408, 429, a TLS problem (`cause` is
 *   the `TlsError`), or an answer that is not JSON (a rebooting controller, a captive proxy).
 */
export async function postToPortal(
  endpoint: PortalEndpoint,
  operation: PortalOperation,
  payload: object,
  bearer?: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;

  let status: number;
  let text: string;
  try {
    const response = await endpoint.fetch(`${endpoint.base}${PATHS[operation]}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(payload),
      signal: withTimeout(signal, endpoint.timeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw transportFailure(operation, error, endpoint.secrets);
  }

  if (status === 401 || status === 403) {
    throw new AuthRejectedError(`PortalAuth ${operation} refused: HTTP ${status}`, status);
  }
  if (status >= 500 || status === 408 || status === 429) {
    throw new AuthTransientError(`PortalAuth ${operation} failed: HTTP ${status}`, status);
  }
  if (status < 200 || status >= 300) {
    // 400/404/405...: no portal login at this URL, or a request it will never accept. Retrying cannot help.
    throw new AuthRejectedError(
      `PortalAuth ${operation} failed: HTTP ${status} (is this the portal-style listener?)`,
      status,
    );
  }
  if (operation === 'logout') return undefined;

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // A rebooting controller or a captive proxy may answer 200 with HTML: worth another try later.
    throw new AuthTransientError(`PortalAuth ${operation}: the answer is not JSON (HTTP ${status})`, status);
  }
  if ((body as { successful?: unknown } | null)?.successful === false) {
    throw new AuthRejectedError(`PortalAuth ${operation} refused: successful: false`, status);
  }
  return body;
}

/** A request that got no HTTP answer: always transient, with a safe message. */
function transportFailure(operation: PortalOperation, error: unknown, secrets: readonly string[]): AuthTransientError {
  const tls = findTlsError(error);
  if (tls) return new AuthTransientError(`PortalAuth ${operation}: ${tls.message}`, undefined, { cause: tls });
  const code = errorCode(error);
  const name = (error as { name?: unknown } | null)?.name;
  const what =
    name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : `network error${code ? ` (${code})` : ''}`;
  // The original error may quote the request; keep it as `cause` only after scrubbing.
  return new AuthTransientError(`PortalAuth ${operation} failed: ${what}`, undefined, {
    cause: redact(error, secrets),
  });
}

/** A system error code (`ECONNREFUSED`) from an error or its cause, for a safe message. */
function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    // A `ConnectError` carries the system code as `errno` (its `code` is CONNECT_FAILED).
    const { code, errno } = e as { code?: unknown; errno?: unknown };
    if (typeof errno === 'string') return errno;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function findTlsError(error: unknown): TlsError | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TlsError) return e;
  }
  return undefined;
}
