import { performance } from 'node:perf_hooks';
import { createEventStream, type Auth, type Logger } from '../../src';
import { nodeTransport } from '../../src/services/nodeTransport';
import type { Transport } from '../../src/services/transport';
import { TcpTap } from './tap';
import type { SimSlot, SoakContext, Watched } from './types';

export const BACKOFF_MS = [20, 40, 80, 160, 320] as const;
export const GRACE_MS = 300;
const QUIET_MS = 60;
/** Each connect step's bound; the connect-timeout faults stay in their state past it. */
export const CONNECT_TIMEOUT_MS = 2000;
/** A pin no certificate matches (the stalled TLS listener never shows one anyway). */
const NO_SUCH_PIN = 'AB'.repeat(32);

/**
 * A strategy whose credentials a 401 can always repair (a token refresh that works), and whose
 * opening frame can be made to wait for a token that comes too late (the slow token source).
 */
export class SlowTokenAuth implements Auth {
  refreshes = 0;
  /** While set, each connection's opening frame waits this long for its token. */
  slowTokenMs = 0;
  headers(): Record<string, string> {
    return { Authorization: `Basic ${Buffer.from('soak:soak').toString('base64')}` };
  }
  openingFrame(signal?: AbortSignal): Promise<undefined> | undefined {
    if (this.slowTokenMs === 0) return undefined;
    const ms = this.slowTokenMs;
    // The simulator's /rest/subscribe wants no token frame: the wait is what matters here. The
    // stream aborts the wait when it gives up on the attempt; so does this source.
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve(undefined);
        },
        { once: true },
      );
    });
  }
  handleUnauthorized(): Promise<boolean> {
    this.refreshes++;
    return Promise.resolve(true);
  }
}

/** One stream of `slot`'s simulator, connected through its own TCP tap. */
export async function watchStream(ctx: SoakContext, slot: SimSlot, id: string): Promise<Watched> {
  const tap = await TcpTap.start(Number(new URL(slot.sim.url).port));
  const auth = new SlowTokenAuth();
  // The world decides per connection where it goes: the stalled-TLS fault redirects them.
  const transport: Transport = {
    open: (request, listener) =>
      nodeTransport.open(
        w.toStalledTls ? { ...request, url: tap.stalledTlsUrl, tls: { fingerprint256: NO_SUCH_PIN } } : request,
        listener,
      ),
  };
  const stream = createEventStream({
    url: `http://127.0.0.1:${tap.port}`,
    auth,
    transport,
    headers: { 'x-client-id': id },
    quietMs: QUIET_MS,
    syncMaxMs: 1000, // below the slow-replay fault's longest wait (the cap counts from the first frame)
    backoffMs: [...BACKOFF_MS],
    jitter: 0,
    heartbeatGraceMs: GRACE_MS,
    defaultHeartbeatPromiseMs: slot.promiseMs,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    logger: errorLogger(ctx, id),
  });
  const w: Watched = {
    id,
    sim: slot,
    stream,
    auth,
    tap,
    toStalledTls: false,
    delivered: 0,
    expectFailures: 1,
    lostAt: 0,
    lostFailures: 0,
    stallSince: null,
    detectionPending: false,
    lostSinceConnected: false,
  };
  stream.onEvent(() => {
    w.delivered++;
  });
  stream.onStatus((status, change) => observe(ctx, w, status, change.lastError?.code));
  return w;
}

function errorLogger(ctx: SoakContext, id: string): Logger {
  return {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message) => {
      // A FAILED stream is a soak failure; other errors (a listener, the dispatcher) too.
      ctx.violate(`${id} logged an error: ${message}`);
    },
  };
}

/** The rules checked on every status change: backoff steps, waits, dead-link detection. */
function observe(ctx: SoakContext, w: Watched, status: string, errorCode: string | undefined): void {
  const { result, violate } = ctx;
  const now = performance.now();
  const snapshot = w.stream.actor.getSnapshot().context;
  switch (status) {
    case 'LOST': {
      if (w.expectFailures !== null && snapshot.failures !== w.expectFailures) {
        violate(
          `${w.id}: backoff step ${snapshot.failures} at LOST, expected ${w.expectFailures} (controller kept failing)`,
        );
      }
      w.expectFailures = snapshot.failures + 1;
      w.lostAt = now;
      w.lostFailures = snapshot.failures;
      w.lostSinceConnected = true;
      if (w.detectionPending && w.stallSince !== null) {
        w.detectionPending = false;
        const lag = now - w.stallSince;
        if (errorCode !== 'HEARTBEAT_TIMEOUT') violate(`${w.id}: stalled link ended by ${errorCode}, not the watchdog`);
        result.detections++;
        result.maxDetectionLagMs = Math.max(result.maxDetectionLagMs, lag);
        const bound = w.sim.promiseMs + GRACE_MS + 1000;
        if (lag > bound) violate(`${w.id}: dead link detected after ${lag.toFixed(0)} ms > ${bound} ms`);
      }
      break;
    }
    case 'RECONNECTING': {
      const step = BACKOFF_MS[Math.min(Math.max(w.lostFailures, 1), BACKOFF_MS.length) - 1] as number;
      const waited = now - w.lostAt;
      // The exact step is checked through the failure counter above. This checks the wait really
      // happened; Node starts a timer from the event loop's cached clock, so under load it may
      // fire a few ms "early" against performance.now(): allow half a step (never 20 ms vs 320).
      if (waited < step / 2)
        violate(`${w.id}: waited ${waited.toFixed(1)} ms after failure ${w.lostFailures}, schedule says ${step} ms`);
      break;
    }
    case 'CONNECTED':
      if (snapshot.failures !== 0) violate(`${w.id}: CONNECTED with failures=${snapshot.failures}`);
      w.expectFailures = 1;
      if (w.lostSinceConnected) result.reconnects++;
      w.lostSinceConnected = false;
      break;
    case 'FAILED':
      violate(`${w.id}: FAILED (${errorCode})`);
      break;
    case 'STOPPED':
      w.expectFailures = 1;
      w.lostSinceConnected = false;
      break;
    default:
      break;
  }
}
