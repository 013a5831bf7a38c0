/**
 * The default base topic, `iox/<controller id>`: the controller's uuid from the unauthenticated
 * `GET /api/config` (`{"data":{"uuid":…}}`, see WIRE.md) when it answers, else its host name.
 */
import type { FetchLike } from '../auth/http';
import { createNodeFetch } from '../auth/node-http';
import type { TlsOptions } from '../auth/types';
import { silentLogger, type Logger } from '../logger';
import { resolveEndpoint } from '../options';
import { topicLevel } from './topics';

/** Options of {@link defaultBaseTopic}. */
export interface DefaultBaseTopicOptions {
  /** TLS options for `https://` controllers (the same pin or CA as the stream's). */
  tls?: TlsOptions;
  /** Longest wait for `/api/config`, in ms. Default 3000. */
  timeoutMs?: number;
  /** An HTTP client instead of the built-in one (tests, other runtimes). */
  fetch?: FetchLike;
  /** Where a failed lookup is noted (debug). Default: silent. */
  logger?: Logger;
}

/** A controller id longer than this is not one (a real uuid is 17 characters). */
const MAX_ID_LENGTH = 128;

/** Reads `data.uuid` from a `/api/config` answer; undefined when it is not there. */
export function uuidFromConfig(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { data?: { uuid?: unknown } } | null;
    const uuid = body?.data?.uuid;
    if (typeof uuid !== 'string') return undefined;
    const trimmed = uuid.trim();
    return trimmed === '' || trimmed.length > MAX_ID_LENGTH ? undefined : trimmed;
  } catch {
    return undefined;
  }
}

/**
 * `iox/<uuid>` from the controller's `GET /api/config`, or `iox/<host>` when that fails (not
 * reachable, not JSON, no uuid, timeout). Never rejects. The id is made safe as one topic level
 * (`/`, `+`, `#`, spaces and control characters become `_`).
 *
 * @param url the controller URL given to the stream, e.g. `https://eisy.local:8443`.
 * @throws TypeError only when `url` is not a valid controller URL.
 */
export async function defaultBaseTopic(url: string, options: DefaultBaseTopicOptions = {}): Promise<string> {
  const { baseUrl } = resolveEndpoint(url, undefined);
  const host = new URL(baseUrl).hostname.replace(/^\[(.*)\]$/, '$1');
  const logger = options.logger ?? silentLogger;
  const fetch = options.fetch ?? createNodeFetch(options.tls, logger);
  try {
    const response = await fetch(`${baseUrl}/api/config`, {
      method: 'GET',
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
    });
    const uuid = response.status === 200 ? uuidFromConfig(await response.text()) : undefined;
    if (uuid !== undefined) return `iox/${topicLevel(uuid)}`;
    logger.debug(`/api/config answered ${response.status} without a uuid; using the host name`);
  } catch (error) {
    logger.debug(`/api/config failed (${(error as Error).message}); using the host name`);
  }
  return `iox/${topicLevel(host)}`;
}
