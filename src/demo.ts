/**
 * `npm start`: the whole product in one command, no controller needed.
 *
 * Starts the built-in simulator (time compressed 10x), connects a stream and prints what
 * `iox-events` prints (same renderer): NOT_STARTED → INITIALIZING → SYNCING (the replay is counted,
 * not shown as live) → CONNECTED, live events, then three faults — a drop, a stall caught by the
 * heartbeat watchdog, and an HTTP 401 on reconnect that the auth strategy repairs — and finally a
 * summary that checks the mirror against the simulator's truth. Exits by itself in about 15 s:
 * 0 when every promised status was seen and the mirror matches, 1 otherwise.
 */
import type { Auth } from './auth/types';
import { shouldColor } from './cli/colors';
import { Renderer } from './cli/render';
import { settleAndCompare, watchStream } from './cli/watch';
import { silentLogger } from './logger';
import type { EventStreamStatus } from './machine/status';
import { startSimulator } from './simulator';
import { createEventStream, type EventStream } from './stream';

/** Time compression of the simulator: a 30 s heartbeat period becomes 3 s, and so on. */
const SPEED = 10;
/** Heartbeat every 1 s (10 s / SPEED), promising the next within 2 s (20 s / SPEED). */
const HEARTBEAT_SEC = 10;
const HEARTBEAT_PROMISE_SEC = 20;
const PROMISE_MS = (HEARTBEAT_PROMISE_SEC / SPEED) * 1000;
const GRACE_MS = 600;
/** The whole demo must end by then, whatever happens. */
const DEADLINE_MS = 30_000;
/** Every status the demo promises to show. */
const PROMISED: readonly EventStreamStatus[] = [
  'NOT_STARTED',
  'INITIALIZING',
  'SYNCING',
  'CONNECTED',
  'LOST',
  'RECONNECTING',
  'STOPPED',
];

const USER = 'demo';
const PASSWORD = 'demo';

/**
 * Basic credentials that can "refresh" once after a 401, the way a token strategy would: the
 * demo's 401 is injected, so the retry with the same credentials succeeds.
 */
class DemoAuth implements Auth {
  constructor(private readonly onRefresh: () => void) {}
  headers(): Record<string, string> {
    return { Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
  }
  async handleUnauthorized(): Promise<boolean> {
    this.onRefresh();
    return true;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves the next time `stream` enters `status`; rejects after `timeoutMs`. */
function next(stream: EventStream, status: EventStreamStatus, timeoutMs = 8000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`demo: ${status} not reached within ${timeoutMs} ms (now ${stream.status})`));
    }, timeoutMs);
    const off = stream.onStatus((s) => {
      if (s !== status) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

async function main(): Promise<number> {
  const startedAt = Date.now();
  const tty = process.stdout.isTTY === true;
  const renderer = new Renderer({ out: process.stdout, tty, color: shouldColor(tty), relativeTo: startedAt });

  const sim = await startSimulator({
    auth: { username: USER, password: PASSWORD },
    speed: SPEED,
    heartbeatSec: HEARTBEAT_SEC,
    heartbeatPromise: HEARTBEAT_PROMISE_SEC,
    liveEvents: { intervalMs: 6000 },
  });
  const stream = createEventStream({
    url: sim.url,
    auth: new DemoAuth(() =>
      renderer.note(
        'auth: the upgrade got HTTP 401 — the auth strategy refreshes its credentials, one immediate retry',
      ),
    ),
    // Default quiet window and cap: the first live change or heartbeat, stamped after the subscription
    // began, ends SYNCING (the simulator's changes come every ~0.6 s, so a quiet window would not).
    backoffMs: [400, 800, 1600],
    heartbeatGraceMs: GRACE_MS,
    defaultHeartbeatPromiseMs: PROMISE_MS,
    connectTimeoutMs: 3000,
    logger: silentLogger,
  });

  const watch = watchStream(stream, renderer);
  const deadline = setTimeout(() => {
    renderer.note(`the demo did not finish within ${DEADLINE_MS / 1000} s: stopping`);
    process.exitCode = 1;
    void shutdown().finally(() => process.exit(1));
  }, DEADLINE_MS);
  deadline.unref();
  let shutting: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (shutting ??= (async () => {
      await stream.stop();
      renderer.close();
      await sim.close();
    })());
  const onSignal = (): void => {
    void shutdown().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    renderer.note(
      `simulator: ${sim.house.nodes.size} nodes on ${sim.url}, ${SPEED}x speed, a heartbeat every ${HEARTBEAT_SEC / SPEED} s promising the next within ${PROMISE_MS / 1000} s`,
    );
    const connected = next(stream, 'CONNECTED');
    stream.start();
    await connected;
    await sleep(2500);

    renderer.note('fault 1/3 — drop: the controller closes every socket abruptly (a reboot, a network loss)');
    let recovered = next(stream, 'CONNECTED');
    sim.faults.drop();
    await recovered;
    await sleep(2000);

    renderer.note(
      `fault 2/3 — stall: the socket stays open but nothing arrives (a half-open link); the watchdog allows ${PROMISE_MS} ms promised + ${GRACE_MS} ms grace`,
    );
    const lost = next(stream, 'LOST');
    recovered = next(stream, 'CONNECTED', 12_000);
    sim.faults.stall();
    await lost;
    await recovered;
    sim.faults.resume();
    await sleep(2000);

    renderer.note('fault 3/3 — the controller drops the link and answers the next upgrade with HTTP 401');
    recovered = next(stream, 'CONNECTED');
    sim.faults.reject(401, 1);
    sim.faults.drop();
    await recovered;
    await sleep(1500);

    renderer.note('live changes paused; one last change sent and awaited; comparing the mirror with the simulator');
    watch.stopEvents(); // the check's sentinel change is not a live event of the house
    const matches = await settleAndCompare(stream, sim);
    await shutdown();
    const summary = watch.summary({ mirrorMatchesTruth: matches });
    renderer.summary(summary);
    const missing = PROMISED.filter((s) => !summary.statuses.includes(s));
    if (missing.length > 0) renderer.note(`missing statuses: ${missing.join(', ')}`);
    return missing.length === 0 && matches ? 0 : 1;
  } catch (error) {
    renderer.note(error instanceof Error ? error.message : String(error));
    await shutdown();
    renderer.summary(watch.summary());
    return 1;
  } finally {
    clearTimeout(deadline);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
