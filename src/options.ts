import { assertTlsOptions } from './auth/fingerprint';
import type { Auth, TlsOptions } from './auth/types';
import type { ActorOptions, AnyActorLogic } from 'xstate';
import { basePathOf, streamPathOf } from './basePath';
import type { Logger } from './logger';
import { DEFAULT_POLICY, MAX_TIMER_MS, type StreamPolicy } from './machine/policy';
import type { Transport } from './services/transport';

/** Options of {@link createEventStream}. Only `url` is required. */
export interface EventStreamOptions {
  /**
   * Controller base URL, e.g. `https://eisy.local:8443` (http→ws, https→wss). A path is a prefix
   * the stream and auth endpoints live under (`https://my.isy.io/isy/<uuid>`, a reverse proxy),
   * with or without a trailing `/`. A `ws(s)://` URL with a path is used as is.
   */
  url: string;
  /** How to authenticate. Omit only for a controller (or simulator) that asks for nothing. */
  auth?: Auth;
  /** Stream endpoint. Default `/rest/subscribe` (raw XML); `/api/events/subscribe` is the JSON-envelope stream. */
  path?: string;
  /**
   * Quiet time that ends the connect-time replay (SYNCING → CONNECTED) when no live frame has ended
   * it first, and the rule for frames whose timestamp cannot tell replay from live. Default 1000 ms.
   */
  quietMs?: number;
  /**
   * Tell replay from live by each frame's `timestamp` against the moment the subscription began on
   * the controller's clock; the first live frame ends SYNCING. Default true. `false`: every frame
   * during SYNCING is replay and only the quiet window (or the cap) ends it, as before.
   */
  replayByClock?: boolean;
  /** Longest the replay may last, from its first frame. Default 10000 ms. */
  syncMaxMs?: number;
  /** Reconnect delays, the last one repeating. Default 1 s, 2 s, 5 s, 10 s, 30 s, 60 s. */
  backoffMs?: readonly number[];
  /** 0..1: shorten each backoff delay by up to this fraction at random. Default 0. */
  jitter?: number;
  /** Silence tolerated beyond the controller's heartbeat promise. Default 5000 ms. */
  heartbeatGraceMs?: number;
  /** Heartbeat promise assumed until the first `_0` frame. Default 90000 ms (an eisy's). */
  defaultHeartbeatPromiseMs?: number;
  /** Longest a connect step (socket open, or auth refresh) may take. Default 15000 ms. */
  connectTimeoutMs?: number;
  /** Give up (FAILED) after this many consecutive failures without reaching CONNECTED. Default: never. */
  maxAttempts?: number;
  /** Largest frame accepted, in bytes. Default 1 MiB. */
  maxPayload?: number;
  /**
   * How long a polite close (a close frame, on `stop()` or a reconnect) waits for the controller's
   * answer before the connection is destroyed, ms. Default 1000. The next connection waits for the
   * slot to be vacant, so a half-open peer delays it by at most this much.
   */
  closeGraceMs?: number;
  /** Extra headers on the WebSocket upgrade (e.g. `User-Agent`). Auth headers win on conflict. */
  headers?: Record<string, string>;
  /** Send the legacy ISY994 subprotocol `ISYSUB` and `Origin` on the upgrade. Default false. */
  legacyIsy?: boolean;
  /** TLS verification settings for `https`/`wss`. */
  tls?: TlsOptions;
  /**
   * How connections are made (see {@link Transport} for the contract). Default: the Node
   * transport (`ws` over a socket it connects and verifies itself); in the browser build (the
   * package's `browser` export condition), the DOM `WebSocket`.
   */
  transport?: Transport;
  /** Where the stream logs (console-compatible). Default: warnings and errors to the console. */
  logger?: Logger;
  /** Passed to XState's `createActor` (e.g. `@statelyai/inspect`'s `inspector.inspect`). */
  inspect?: ActorOptions<AnyActorLogic>['inspect'];
  /** Passed to XState's `createActor`: a `SimulatedClock` makes every delay deterministic in tests. */
  clock?: ActorOptions<AnyActorLogic>['clock'];
  /** Randomness for jitter (tests). Default `Math.random`. */
  random?: () => number;
}

export const DEFAULT_PATH = '/rest/subscribe';
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** Where to connect, derived from `url` and `path`. */
export interface Endpoint {
  /** `ws://` / `wss://` URL of the stream. */
  streamUrl: string;
  /** `http://` / `https://` base of the controller (for auth endpoints): origin plus path prefix, no trailing `/`. */
  baseUrl: string;
}

/** Resolve the endpoint; throws a TypeError that never echoes credentials. */
export function resolveEndpoint(url: unknown, path: unknown): Endpoint {
  if (typeof url !== 'string' || url.length === 0)
    throw new TypeError('createEventStream: `url` must be a non-empty string');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError('createEventStream: `url` is not a valid URL (expected e.g. https://eisy.local:8443)');
  }
  if (parsed.username || parsed.password) {
    throw new TypeError(
      'createEventStream: put credentials in `auth` (e.g. new LocalAuth(user, password)), not in the URL',
    );
  }
  const scheme = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' }[parsed.protocol];
  if (!scheme)
    throw new TypeError(`createEventStream: unsupported URL scheme '${parsed.protocol}' (use http, https, ws or wss)`);
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new TypeError("createEventStream: `path` must start with '/'");
  }
  // The prefix of a controller behind the portal or a proxy (`http://host/isy/<id>`) is kept.
  const prefix = basePathOf(parsed);
  const stream = new URL(parsed.toString());
  stream.protocol = scheme;
  if (path !== undefined) stream.pathname = prefix + path;
  else if (parsed.pathname === '/' || parsed.protocol.startsWith('http'))
    stream.pathname = prefix + (streamPathOf(parsed.pathname.replace(/\/+$/, '')) ?? DEFAULT_PATH);
  const secure = scheme === 'wss:';
  return { streamUrl: stream.toString(), baseUrl: `${secure ? 'https' : 'http'}://${parsed.host}${prefix}` };
}

/** Every duration option ends up in a timer, which holds at most 2^31-1 ms (~24.8 days) and fires at once past it. */
function checkDuration(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIMER_MS) {
    throw new TypeError(
      `createEventStream: \`${name}\` must be a number of milliseconds from 0 to ${MAX_TIMER_MS} (2^31-1, the longest timer)`,
    );
  }
}

/** Validate the timing options and merge them over the defaults. */
export function resolvePolicy(options: EventStreamOptions): StreamPolicy {
  for (const name of [
    'quietMs',
    'syncMaxMs',
    'heartbeatGraceMs',
    'defaultHeartbeatPromiseMs',
    'connectTimeoutMs',
    'closeGraceMs',
  ] as const) {
    checkDuration(name, options[name]);
  }
  // The dead-link timer waits for both together.
  const deadSilence =
    (options.defaultHeartbeatPromiseMs ?? DEFAULT_POLICY.defaultHeartbeatPromiseMs) +
    (options.heartbeatGraceMs ?? DEFAULT_POLICY.heartbeatGraceMs);
  if (deadSilence > MAX_TIMER_MS) {
    throw new TypeError(
      `createEventStream: \`defaultHeartbeatPromiseMs\` + \`heartbeatGraceMs\` must be at most ${MAX_TIMER_MS} ms (2^31-1, the longest timer)`,
    );
  }
  if (options.backoffMs !== undefined) {
    // Checked through an `unknown` copy: Array.isArray would narrow the option itself to any[].
    const backoff: unknown = options.backoffMs;
    if (!Array.isArray(backoff) || backoff.length === 0) {
      throw new TypeError('createEventStream: `backoffMs` must be a non-empty array of delays');
    }
    options.backoffMs.forEach((delay, i) => checkDuration(`backoffMs[${i}]`, delay));
  }
  if (
    options.jitter !== undefined &&
    (typeof options.jitter !== 'number' || !(options.jitter >= 0 && options.jitter <= 1))
  ) {
    throw new TypeError('createEventStream: `jitter` must be a number from 0 to 1');
  }
  const max = options.maxAttempts;
  if (max !== undefined && !(max === Number.POSITIVE_INFINITY || (Number.isInteger(max) && max >= 1))) {
    throw new TypeError('createEventStream: `maxAttempts` must be a whole number >= 1 (or Infinity)');
  }
  if (options.maxPayload !== undefined && !(Number.isInteger(options.maxPayload) && options.maxPayload > 0)) {
    throw new TypeError('createEventStream: `maxPayload` must be a whole number of bytes > 0');
  }
  if (options.headers !== undefined && (options.headers === null || typeof options.headers !== 'object')) {
    throw new TypeError('createEventStream: `headers` must be an object of header names to values');
  }
  if (options.tls !== undefined) assertTlsOptions(options.tls);
  if (
    options.auth !== undefined &&
    (typeof options.auth?.headers !== 'function' || typeof options.auth?.handleUnauthorized !== 'function')
  ) {
    throw new TypeError('createEventStream: `auth` must implement headers() and handleUnauthorized()');
  }
  return {
    quietMs: options.quietMs ?? DEFAULT_POLICY.quietMs,
    syncMaxMs: options.syncMaxMs ?? DEFAULT_POLICY.syncMaxMs,
    backoffMs: options.backoffMs ? [...options.backoffMs] : DEFAULT_POLICY.backoffMs,
    jitter: options.jitter ?? DEFAULT_POLICY.jitter,
    heartbeatGraceMs: options.heartbeatGraceMs ?? DEFAULT_POLICY.heartbeatGraceMs,
    defaultHeartbeatPromiseMs: options.defaultHeartbeatPromiseMs ?? DEFAULT_POLICY.defaultHeartbeatPromiseMs,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_POLICY.connectTimeoutMs,
    maxAttempts: options.maxAttempts ?? DEFAULT_POLICY.maxAttempts,
    random: options.random ?? DEFAULT_POLICY.random,
  };
}
