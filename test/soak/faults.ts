import { performance } from 'node:perf_hooks';
import { duringFault } from './checks';
import { sleep, until } from './resources';
import { CONNECT_TIMEOUT_MS, GRACE_MS } from './streams';
import type { SimSlot, SoakContext, Watched } from './types';

/** One fault, injected on one simulator's streams. */
export type Fault = (slot: SimSlot) => Promise<void>;

/** A `stop()` must resolve within the close grace (1 s) plus slack for a loaded machine. */
const STOP_BOUND_MS = 1500;

/**
 * The fault mix: the controller's own failures (drops, stalls, 401/5xx, accept-then-close, slow
 * replays, garbage), the user's stop/start in every form (awaited, from a listener, `stop();
 * start()` unawaited), and the hostile network of issue 11 (a half-open peer, a TLS handshake
 * that never completes, an upgrade that never answers, a slow token source).
 */
export function createFaults(ctx: SoakContext): Record<string, Fault> {
  const { rng, violate } = ctx;
  const streamsOf = (slot: SimSlot): Watched[] => ctx.watched.filter((w) => w.sim === slot);

  /** Watch the streams of `slot` that are up now: each must see its link die within the bound. */
  const expectDetection = async (slot: SimSlot): Promise<void> => {
    const t0 = performance.now();
    for (const w of streamsOf(slot)) {
      const s = w.stream.status;
      if (s === 'CONNECTED' || s === 'SYNCING') {
        w.stallSince = t0;
        w.detectionPending = true;
      }
    }
    const bound = slot.promiseMs + GRACE_MS + 1000;
    const liveDuring = duringFault(ctx, slot, bound);
    const detected = await until(() => streamsOf(slot).every((w) => !w.detectionPending), bound + 500);
    await liveDuring;
    if (!detected) {
      for (const w of streamsOf(slot)) {
        if (w.detectionPending) violate(`${w.id}: dead link not detected within ${bound} ms`);
        w.detectionPending = false;
      }
    }
  };

  /** Make every stream of `slot` reconnect into `hostile` for longer than one connect timeout. */
  const reconnectInto = async (slot: SimSlot, hostile: (w: Watched) => void, calm: (w: Watched) => void) => {
    for (const w of streamsOf(slot)) hostile(w);
    slot.sim.faults.drop();
    await duringFault(ctx, slot, CONNECT_TIMEOUT_MS + rng.int(100, 600));
    for (const w of streamsOf(slot)) calm(w);
  };

  const timedStop = async (w: Watched, stopping: Promise<void>): Promise<void> => {
    const at = performance.now();
    await stopping;
    const ms = performance.now() - at;
    ctx.result.maxStopMs = Math.max(ctx.result.maxStopMs, ms);
    if (ms > STOP_BOUND_MS) violate(`${w.id}: stop() took ${ms.toFixed(0)} ms`);
  };

  return {
    drop: async (slot) => {
      if (rng.chance(0.5)) slot.sim.faults.drop();
      else slot.sim.faults.drop({ code: rng.pick([1001, 1011, 1012]), reason: 'soak' });
      await duringFault(ctx, slot, rng.int(20, 200));
    },
    stall: async (slot) => {
      slot.sim.faults.stall({ newSockets: rng.chance(0.4) });
      await expectDetection(slot);
      await sleep(rng.int(0, 300));
      slot.sim.faults.resume();
    },
    reject401: async (slot) => {
      slot.sim.faults.reject(401, 1);
      slot.sim.faults.drop();
      await duringFault(ctx, slot, rng.int(50, 200));
    },
    reject5xx: async (slot) => {
      slot.sim.faults.reject(rng.pick([500, 503]), rng.int(1, 6));
      slot.sim.faults.drop();
      await duringFault(ctx, slot, rng.int(50, 400));
    },
    acceptThenClose: async (slot) => {
      slot.sim.faults.acceptThenClose(rng.int(1, 5), rng.chance(0.5) ? 'close' : 'terminate');
      slot.sim.faults.drop();
      await duringFault(ctx, slot, rng.int(50, 400));
    },
    slowReplay: async (slot) => {
      slot.sim.faults.slowReplay(rng.int(50, 1500), ctx.perSim); // up to past syncMaxMs, short of the watchdog
      slot.sim.faults.drop();
      await duringFault(ctx, slot, rng.int(100, 500));
    },
    garbage: async (slot) => {
      const before = streamsOf(slot).map((w) => w.stream.stats.connections);
      const kinds = (['xml', 'binary', 'utf8', 'ampersand'] as const).filter(() => rng.chance(0.6));
      slot.sim.faults.garbage(kinds.length > 0 ? kinds : ['xml', 'binary', 'utf8']);
      await duringFault(ctx, slot, rng.int(50, 200));
      // Garbage is the dispatcher's to drop: it must never cost a reconnect (and a full replay).
      streamsOf(slot).forEach((w, i) => {
        if (w.stream.stats.connections !== before[i]) violate(`${w.id}: garbage frames cost a reconnect`);
      });
    },
    combo: async (slot) => {
      slot.sim.faults.reject(503, rng.int(1, 3));
      slot.sim.faults.acceptThenClose(rng.int(1, 2));
      slot.sim.faults.reject(500, 1);
      slot.sim.faults.drop();
      await duringFault(ctx, slot, rng.int(100, 500));
    },
    stopStart: async (slot) => {
      const w = rng.pick(streamsOf(slot));
      // Stop at a random point of a reconnect (LOST, RECONNECTING, SYNCING, ...) or while live.
      if (rng.chance(0.7)) slot.sim.faults.drop();
      await sleep(rng.int(0, 60));
      const how = rng.pick(['awaited', 'from a listener', 'unawaited stop(); start()'] as const);
      if (how === 'unawaited stop(); start()') {
        // The next connection must wait for the previous one: the taps count it.
        const stopping = w.stream.stop();
        w.stream.start();
        await timedStop(w, stopping);
        return;
      }
      let stopping: Promise<void> | null = null;
      if (how === 'from a listener' && w.stream.status === 'CONNECTED') {
        const off = w.stream.onEvent(() => {
          if (stopping === null) stopping = w.stream.stop();
        });
        liveBurst(slot);
        if (!(await until(() => stopping !== null, 2000))) stopping = w.stream.stop();
        off();
      } else {
        stopping = w.stream.stop();
      }
      // Nothing after stop(): not even the rest of the burst the listener was called for.
      const deliveredAtStop = w.delivered;
      await timedStop(w, stopping!);
      if (w.stream.status !== 'STOPPED') violate(`${w.id}: status ${w.stream.status} after stop()`);
      await duringFault(ctx, slot, rng.int(60, 200));
      if (w.delivered !== deliveredAtStop)
        violate(`${w.id}: ${w.delivered - deliveredAtStop} events delivered after stop()`);
      if (w.tap.open !== 0) violate(`${w.id}: ${w.tap.open} TCP connection(s) left after stop() resolved`);
      w.stream.start();
    },
    halfOpenPeer: async (slot) => {
      // The path dies silently and the peer never answers a close frame: destroyed, not closed.
      for (const w of streamsOf(slot)) w.tap.halfOpen();
      await expectDetection(slot);
    },
    stalledTls: (slot) =>
      reconnectInto(
        slot,
        (w) => (w.toStalledTls = true),
        (w) => (w.toStalledTls = false),
      ),
    silentUpgrade: (slot) =>
      reconnectInto(
        slot,
        (w) => (w.tap.silent = true),
        (w) => (w.tap.silent = false),
      ),
    slowToken: (slot) =>
      reconnectInto(
        slot,
        (w) => (w.auth.slowTokenMs = CONNECT_TIMEOUT_MS + 1000),
        (w) => (w.auth.slowTokenMs = 0),
      ),
  };

  function liveBurst(slot: SimSlot): void {
    const node = slot.sentinelNode;
    for (let i = 0; i < 5; i++) slot.sim.emitChange(node, 'GV98', String(rng.int(0, 1_000_000)));
  }
}
