/**
 * The chaos soak engine, shared by the short soak in `npm test` (test/soak/soak.test.ts) and the
 * long one (`npm run soak -- --minutes N`, test/soak/run.ts).
 *
 * Several simulators on loopback, each with several streams, run at an accelerated clock (the
 * simulator's `speed`, small stream timings). A seeded random schedule injects one fault per round
 * (drops, half-open stalls, 401/500/503 on upgrade, accept-then-close, slow replays, garbage,
 * stop/start by the user), with live changes arriving all along. After each round, once every
 * stream is CONNECTED again, it checks:
 *   - mirror == simulator truth for every node and property;
 *   - no client ever had two sockets open at once (simulator per-client peak <= 1);
 *   - every dead link (stall) was detected within heartbeat promise + grace + 1 s;
 *   - backoff never fell back to the first step while the controller kept failing
 *     (the failure counter grows by one per LOST until CONNECTED, and each wait is the schedule's);
 *   - a stopped stream delivers nothing and holds no socket.
 * At the end every stream is stopped and the process must hold no more sockets, timers or handles
 * than before the soak (`process.getActiveResourcesInfo()`).
 */
import { performance } from 'node:perf_hooks';
import { createEventStream, type Auth, type EventStream, type Logger } from '../../src';
import { compareWithTruth, createPrng, startSimulator, type Simulator } from '../../src/simulator';

export interface SoakOptions {
  /** Seed of the fault schedule (and of the simulators' houses / live events). */
  seed?: number;
  /** Stop scheduling new faults after this long (the round in progress finishes). */
  durationMs: number;
  /** Simulators (fault domains). Default 2. */
  simulators?: number;
  /** Streams per simulator. Default 2. */
  streamsPerSimulator?: number;
  /** Simulator time compression. Default 60 (heartbeat every 0.5 s, promise 1.5 s). */
  speed?: number;
  /** Progress lines (one per round) go here. */
  log?: (line: string) => void;
}

export interface SoakResult {
  rounds: number;
  faults: number;
  reconnects: number;
  mirrorMismatches: number;
  doubleSockets: number;
  maxDetectionLagMs: number;
  detections: number;
  leakedHandles: number;
  /** Every broken rule, in words (empty on success). */
  violations: string[];
  faultCounts: Record<string, number>;
  elapsedMs: number;
  seed: number;
}

/** The line the issue asks for. */
export function summaryLine(r: SoakResult): string {
  return `soak: faults ${r.faults}, reconnects ${r.reconnects}, mirror mismatches ${r.mirrorMismatches}, double sockets ${r.doubleSockets}, max detection lag ${Math.round(r.maxDetectionLagMs)} ms, leaked handles ${r.leakedHandles}`;
}

// ---- small helpers ----------------------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** Counts of each active resource type (sockets, timers, servers, ...). */
function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** Resources now beyond the baseline, e.g. `{ Timeout: 1 }`. */
function excess(baseline: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [type, n] of resourceCounts()) {
    const extra = n - (baseline.get(type) ?? 0);
    if (extra > 0) out[type] = extra;
  }
  return out;
}
const total = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

/** A strategy whose credentials a 401 can always repair (a token refresh that works). */
class RecoverableAuth implements Auth {
  refreshes = 0;
  headers(): Record<string, string> {
    return { Authorization: `Basic ${Buffer.from('soak:soak').toString('base64')}` };
  }
  async handleUnauthorized(): Promise<boolean> {
    this.refreshes++;
    return true;
  }
}

// ---- timings ------------------------------------------------------------------------------------

const BACKOFF_MS = [20, 40, 80, 160, 320] as const;
const GRACE_MS = 300;
const QUIET_MS = 60;

// ---- one stream under observation ---------------------------------------------------------------

interface Watched {
  id: string;
  sim: SimSlot;
  stream: EventStream;
  auth: RecoverableAuth;
  delivered: number;
  /** Failure count expected at the next LOST (null: unknown, e.g. right after START). */
  expectFailures: number | null;
  lostAt: number;
  lostFailures: number;
  /** Set while a stall is being watched: when it began. */
  stallSince: number | null;
  detectionPending: boolean;
  /** A loss happened since the last CONNECTED. */
  lostSinceConnected: boolean;
}

interface SimSlot {
  index: number;
  sim: Simulator;
  promiseMs: number;
  sentinel: number;
  sentinelNode: string;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const seed = options.seed ?? 1;
  const rng = createPrng(seed);
  const speed = options.speed ?? 60;
  const simCount = options.simulators ?? 2;
  const perSim = options.streamsPerSimulator ?? 2;
  const log = options.log ?? (() => {});
  const started = performance.now();
  const violations: string[] = [];
  const violate = (what: string): void => {
    if (violations.length < 200) violations.push(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${what}`);
  };
  const result: SoakResult = {
    rounds: 0,
    faults: 0,
    reconnects: 0,
    mirrorMismatches: 0,
    doubleSockets: 0,
    maxDetectionLagMs: 0,
    detections: 0,
    leakedHandles: 0,
    violations,
    faultCounts: {},
    elapsedMs: 0,
    seed,
  };

  const baseline = resourceCounts();

  // ---- simulators and streams --------------------------------------------------------------
  const sims: SimSlot[] = [];
  for (let i = 0; i < simCount; i++) {
    const sim = await startSimulator({
      auth: { username: 'soak', password: 'soak' },
      speed,
      seed: seed * 31 + i,
      liveEvents: { intervalMs: 5000, commands: true },
    });
    const truth = sim.truth();
    const sentinelNode = [...truth.keys()][0];
    sims.push({ index: i, sim, promiseMs: (90 / speed) * 1000, sentinel: 0, sentinelNode });
  }

  const errorLogger = (id: string): Logger => ({
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message) => {
      // A FAILED stream is a soak failure; other errors (a listener, the dispatcher) too.
      violate(`${id} logged an error: ${message}`);
    },
  });

  const watched: Watched[] = [];
  for (const slot of sims) {
    for (let j = 0; j < perSim; j++) {
      const id = `soak-${slot.index}-${j}`;
      const auth = new RecoverableAuth();
      const stream = createEventStream({
        url: slot.sim.url,
        auth,
        headers: { 'x-client-id': id },
        quietMs: QUIET_MS,
        syncMaxMs: 1000, // below the slow-replay fault's longest wait (the cap counts from the first frame)
        backoffMs: [...BACKOFF_MS],
        jitter: 0,
        heartbeatGraceMs: GRACE_MS,
        defaultHeartbeatPromiseMs: slot.promiseMs,
        connectTimeoutMs: 2000,
        logger: errorLogger(id),
      });
      const w: Watched = {
        id,
        sim: slot,
        stream,
        auth,
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
      stream.onStatus((status, change) => observe(w, status, change.lastError?.code));
      watched.push(w);
    }
  }

  function observe(w: Watched, status: string, errorCode: string | undefined): void {
    const now = performance.now();
    const ctx = w.stream.actor.getSnapshot().context;
    switch (status) {
      case 'LOST': {
        if (w.expectFailures !== null && ctx.failures !== w.expectFailures) {
          violate(
            `${w.id}: backoff step ${ctx.failures} at LOST, expected ${w.expectFailures} (controller kept failing)`,
          );
        }
        w.expectFailures = ctx.failures + 1;
        w.lostAt = now;
        w.lostFailures = ctx.failures;
        w.lostSinceConnected = true;
        if (w.detectionPending && w.stallSince !== null) {
          w.detectionPending = false;
          const lag = now - w.stallSince;
          if (errorCode !== 'HEARTBEAT_TIMEOUT')
            violate(`${w.id}: stalled link ended by ${errorCode}, not the watchdog`);
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
        if (ctx.failures !== 0) violate(`${w.id}: CONNECTED with failures=${ctx.failures}`);
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

  // ---- checks -------------------------------------------------------------------------------
  const allConnected = (): boolean => watched.every((w) => w.stream.status === 'CONNECTED');

  const checkSockets = (): void => {
    for (const slot of sims) {
      for (const [client, peak] of slot.sim.stats.peakOpenPerClient) {
        if (peak > 1) {
          result.doubleSockets++;
          violate(`${client}: ${peak} sockets open at once`);
          slot.sim.stats.peakOpenPerClient.set(client, 1); // count each occurrence once
        }
      }
    }
  };

  /** Mirror vs truth, after flushing what is in flight with a sentinel change. */
  const checkMirrors = async (): Promise<void> => {
    for (const slot of sims) slot.sim.setLiveEvents(false);
    for (const slot of sims) {
      const value = String(++slot.sentinel);
      slot.sim.emitChange(slot.sentinelNode, 'GV99', value);
      const mine = watched.filter((w) => w.sim === slot);
      const arrived = await until(
        () => mine.every((w) => w.stream.mirror.nodes.get(slot.sentinelNode)?.get('GV99')?.value === value),
        5000,
      );
      if (!arrived) violate(`sim ${slot.index}: sentinel change never reached every stream`);
      const truth = slot.sim.truth();
      for (const w of mine) {
        const { mismatches: bad, samples } = compareWithTruth(w.stream.mirror.nodes, truth, 3);
        if (bad > 0) {
          result.mirrorMismatches += bad;
          violate(`${w.id}: ${bad} mirror mismatches, e.g. ${samples.join('; ')}`);
        }
      }
    }
    for (const slot of sims) slot.sim.setLiveEvents({ intervalMs: 5000, commands: true });
  };

  /** Live changes the stream must not lose, sent while a fault is in progress. */
  const liveBurst = (slot: SimSlot, n: number): void => {
    const addresses = [...slot.sim.house.nodes.keys()];
    for (let i = 0; i < n; i++) {
      const address = rng.pick(addresses);
      const node = slot.sim.house.nodes.get(address);
      if (!node || !node.properties.has('ST')) continue;
      slot.sim.emitChange(address, 'ST', rng.int(0, 255));
    }
  };

  /** Throughout a fault window: live changes at random moments. */
  const duringFault = async (slot: SimSlot, ms: number): Promise<void> => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      liveBurst(slot, rng.int(1, 4));
      await sleep(rng.int(10, 80));
    }
  };

  // ---- faults -------------------------------------------------------------------------------
  type Fault = (slot: SimSlot) => Promise<void>;
  const faults: Record<string, Fault> = {
    drop: async (slot) => {
      if (rng.chance(0.5)) slot.sim.faults.drop();
      else slot.sim.faults.drop({ code: rng.pick([1001, 1011, 1012]), reason: 'soak' });
      await duringFault(slot, rng.int(20, 200));
    },
    stall: async (slot) => {
      const t0 = performance.now();
      for (const w of watched) {
        if (w.sim !== slot) continue;
        const s = w.stream.status;
        if (s === 'CONNECTED' || s === 'SYNCING') {
          w.stallSince = t0;
          w.detectionPending = true;
        }
      }
      slot.sim.faults.stall({ newSockets: rng.chance(0.4) });
      const mine = watched.filter((w) => w.sim === slot);
      const bound = slot.promiseMs + GRACE_MS + 1000;
      const liveDuring = duringFault(slot, bound);
      const detected = await until(() => mine.every((w) => !w.detectionPending), bound + 500);
      await liveDuring;
      if (!detected) {
        for (const w of mine) {
          if (w.detectionPending) violate(`${w.id}: dead link not detected within ${bound} ms`);
          w.detectionPending = false;
        }
      }
      await sleep(rng.int(0, 300));
      slot.sim.faults.resume();
    },
    reject401: async (slot) => {
      slot.sim.faults.reject(401, 1);
      slot.sim.faults.drop();
      await duringFault(slot, rng.int(50, 200));
    },
    reject5xx: async (slot) => {
      slot.sim.faults.reject(rng.pick([500, 503]), rng.int(1, 6));
      slot.sim.faults.drop();
      await duringFault(slot, rng.int(50, 400));
    },
    acceptThenClose: async (slot) => {
      slot.sim.faults.acceptThenClose(rng.int(1, 5), rng.chance(0.5) ? 'close' : 'terminate');
      slot.sim.faults.drop();
      await duringFault(slot, rng.int(50, 400));
    },
    slowReplay: async (slot) => {
      slot.sim.faults.slowReplay(rng.int(50, 1500), perSim); // up to past syncMaxMs, short of the watchdog
      slot.sim.faults.drop();
      await duringFault(slot, rng.int(100, 500));
    },
    garbage: async (slot) => {
      const before = watched.filter((w) => w.sim === slot).map((w) => w.stream.stats.connections);
      const kinds = (['xml', 'binary', 'utf8', 'ampersand'] as const).filter(() => rng.chance(0.6));
      slot.sim.faults.garbage(kinds.length > 0 ? kinds : ['xml', 'binary', 'utf8']);
      await duringFault(slot, rng.int(50, 200));
      // Garbage is the dispatcher's to drop: it must never cost a reconnect (and a full replay).
      watched
        .filter((w) => w.sim === slot)
        .forEach((w, i) => {
          if (w.stream.stats.connections !== before[i]) violate(`${w.id}: garbage frames cost a reconnect`);
        });
    },
    combo: async (slot) => {
      slot.sim.faults.reject(503, rng.int(1, 3));
      slot.sim.faults.acceptThenClose(rng.int(1, 2));
      slot.sim.faults.reject(500, 1);
      slot.sim.faults.drop();
      await duringFault(slot, rng.int(100, 500));
    },
    stopStart: async (slot) => {
      const mine = watched.filter((w) => w.sim === slot);
      const w = rng.pick(mine);
      // Stop at a random point of a reconnect (LOST, RECONNECTING, SYNCING, ...) or while live.
      if (rng.chance(0.7)) slot.sim.faults.drop();
      await sleep(rng.int(0, 60));
      await w.stream.stop();
      const deliveredAtStop = w.delivered;
      if (w.stream.status !== 'STOPPED') violate(`${w.id}: status ${w.stream.status} after stop()`);
      await duringFault(slot, rng.int(60, 200));
      if (w.delivered !== deliveredAtStop)
        violate(`${w.id}: ${w.delivered - deliveredAtStop} events delivered after stop()`);
      const closed = await until(() => (slot.sim.stats.openPerClient.get(w.id) ?? 0) === 0, 1000);
      if (!closed) violate(`${w.id}: the simulator still sees its socket after stop()`);
      w.stream.start();
    },
  };
  const faultNames = Object.keys(faults);

  // ---- run -------------------------------------------------------------------------------------
  for (const w of watched) w.stream.start();
  if (!(await until(allConnected, 15_000))) violate('streams never all reached CONNECTED at start');
  await checkMirrors();
  checkSockets();

  while (performance.now() - started < options.durationMs) {
    result.rounds++;
    // One fault per round, sometimes on every simulator at once.
    const name = rng.pick(faultNames);
    const targets = rng.chance(0.25) ? sims : [rng.pick(sims)];
    await Promise.all(targets.map((slot) => faults[name](slot)));
    result.faults += targets.length;
    result.faultCounts[name] = (result.faultCounts[name] ?? 0) + targets.length;

    const recovered = await until(allConnected, 20_000);
    if (!recovered) {
      violate(
        `after ${name}: not all CONNECTED within 20 s (${watched.map((w) => `${w.id}=${w.stream.status}`).join(', ')})`,
      );
      break;
    }
    await checkMirrors();
    checkSockets();
    log(
      `round ${result.rounds}: ${name} on ${targets.map((t) => t.index).join('+')}; reconnects ${result.reconnects}, max detection lag ${Math.round(result.maxDetectionLagMs)} ms, violations ${violations.length}`,
    );
  }

  // ---- stop everything: nothing delivered, nothing left ---------------------------------------
  await Promise.all(watched.map((w) => w.stream.stop()));
  const deliveredAtStop = watched.map((w) => w.delivered);
  for (const slot of sims) liveBurst(slot, 20);
  await sleep(200);
  watched.forEach((w, i) => {
    if (w.stream.status !== 'STOPPED') violate(`${w.id}: ${w.stream.status} after stop()`);
    if (w.delivered !== deliveredAtStop[i]) violate(`${w.id}: delivered after stop()`);
  });
  checkSockets();
  for (const slot of sims) await slot.sim.close();
  // Closing sockets takes an I/O turn or two; give it a bounded moment to settle.
  await until(() => total(excess(baseline)) === 0, 2000);
  const left = excess(baseline);
  result.leakedHandles = total(left);
  if (result.leakedHandles > 0) violate(`handles left after stop(): ${JSON.stringify(left)}`);

  result.elapsedMs = performance.now() - started;
  return result;
}
