/**
 * The chaos soak engine, shared by the short soak in `npm test` (test/soak/soak.test.ts) and the
 * long one (`npm run soak -- --minutes N`, test/soak/run.ts).
 *
 * Several simulators on loopback, each with several streams, run at an accelerated clock (the
 * simulator's `speed`, small stream timings). Each stream reaches its simulator through its own
 * TCP tap (tap.ts), which counts its connections as a controller would and can turn hostile. A
 * seeded random schedule injects one fault per round (faults.ts), with live changes arriving all
 * along. After each round, once every stream is CONNECTED again, it checks (checks.ts, and the
 * status rules in streams.ts):
 *   - mirror == simulator truth for every node and property;
 *   - no client ever had two sockets open at once (simulator per-client peak <= 1, TCP tap peak <= 1);
 *   - every dead link (stall, half-open peer) was detected within heartbeat promise + grace + 1 s;
 *   - backoff never fell back to the first step while the controller kept failing
 *     (the failure counter grows by one per LOST until CONNECTED, and each wait is the schedule's);
 *   - a stopped stream delivers nothing and holds no socket; every stop() resolves within ~1 s.
 * At the end every stream is stopped and the process must hold no more sockets, timers or handles
 * than before the soak (`process.getActiveResourcesInfo()`).
 */
import { performance } from 'node:perf_hooks';
import { createPrng, startSimulator } from '../../src/simulator';
import { checkMirrors, checkSockets, liveBurst } from './checks';
import { createFaults } from './faults';
import { excess, resourceCounts, sleep, total, until } from './resources';
import { watchStream } from './streams';
import type { SimSlot, SoakContext, SoakOptions, SoakResult } from './types';

export type { SoakOptions, SoakResult } from './types';

/** The line the issue asks for. */
export function summaryLine(r: SoakResult): string {
  return `soak: faults ${r.faults}, reconnects ${r.reconnects}, mirror mismatches ${r.mirrorMismatches}, double sockets ${r.doubleSockets}, max detection lag ${Math.round(r.maxDetectionLagMs)} ms, max stop ${Math.round(r.maxStopMs)} ms, leaked handles ${r.leakedHandles}`;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const seed = options.seed ?? 1;
  const speed = options.speed ?? 60;
  const simCount = options.simulators ?? 2;
  const log = options.log ?? (() => {});
  const started = performance.now();
  const violations: string[] = [];
  const result: SoakResult = {
    rounds: 0,
    faults: 0,
    reconnects: 0,
    mirrorMismatches: 0,
    doubleSockets: 0,
    maxDetectionLagMs: 0,
    detections: 0,
    leakedHandles: 0,
    maxStopMs: 0,
    violations,
    faultCounts: {},
    elapsedMs: 0,
    seed,
  };
  const ctx: SoakContext = {
    rng: createPrng(seed),
    sims: [],
    watched: [],
    result,
    perSim: options.streamsPerSimulator ?? 2,
    violate: (what) => {
      if (violations.length < 200) violations.push(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${what}`);
    },
  };

  const baseline = resourceCounts();

  // ---- simulators and streams --------------------------------------------------------------
  for (let i = 0; i < simCount; i++) {
    const sim = await startSimulator({
      auth: { username: 'soak', password: 'soak' },
      speed,
      seed: seed * 31 + i,
      liveEvents: { intervalMs: 5000, commands: true },
    });
    const sentinelNode = [...sim.truth().keys()][0];
    const slot: SimSlot = { index: i, sim, promiseMs: (90 / speed) * 1000, sentinel: 0, sentinelNode };
    ctx.sims.push(slot);
    for (let j = 0; j < ctx.perSim; j++) ctx.watched.push(await watchStream(ctx, slot, `soak-${i}-${j}`));
  }
  const faults = createFaults(ctx);
  const faultNames = Object.keys(faults);

  // ---- run -------------------------------------------------------------------------------------
  const allConnected = (): boolean => ctx.watched.every((w) => w.stream.status === 'CONNECTED');
  for (const w of ctx.watched) w.stream.start();
  if (!(await until(allConnected, 15_000))) ctx.violate('streams never all reached CONNECTED at start');
  await checkMirrors(ctx);
  checkSockets(ctx);

  // The faults whose checks need them (a stalled or half-open link must be detected by the watchdog)
  // come first, then a seeded draw: on a loaded machine fewer rounds fit in the duration, and the
  // short soak must not end without ever testing dead-link detection.
  const firstRounds = ['stall', 'halfOpenPeer'].filter((name) => name in faults);
  while (performance.now() - started < options.durationMs) {
    result.rounds++;
    // One fault per round, sometimes on every simulator at once.
    const name = firstRounds[result.rounds - 1] ?? ctx.rng.pick(faultNames);
    const targets = ctx.rng.chance(0.25) ? ctx.sims : [ctx.rng.pick(ctx.sims)];
    await Promise.all(targets.map((slot) => faults[name](slot)));
    result.faults += targets.length;
    result.faultCounts[name] = (result.faultCounts[name] ?? 0) + targets.length;

    const recovered = await until(allConnected, 20_000);
    if (!recovered) {
      ctx.violate(
        `after ${name}: not all CONNECTED within 20 s (${ctx.watched.map((w) => `${w.id}=${w.stream.status}`).join(', ')})`,
      );
      break;
    }
    await checkMirrors(ctx);
    checkSockets(ctx);
    log(
      `round ${result.rounds}: ${name} on ${targets.map((t) => t.index).join('+')}; reconnects ${result.reconnects}, max detection lag ${Math.round(result.maxDetectionLagMs)} ms, violations ${violations.length}`,
    );
  }

  // ---- stop everything: nothing delivered, nothing left ---------------------------------------
  await Promise.all(ctx.watched.map((w) => w.stream.stop()));
  const deliveredAtStop = ctx.watched.map((w) => w.delivered);
  for (const slot of ctx.sims) liveBurst(ctx, slot, 20);
  await sleep(200);
  ctx.watched.forEach((w, i) => {
    if (w.stream.status !== 'STOPPED') ctx.violate(`${w.id}: ${w.stream.status} after stop()`);
    if (w.delivered !== deliveredAtStop[i]) ctx.violate(`${w.id}: delivered after stop()`);
    if (w.tap.open !== 0) ctx.violate(`${w.id}: ${w.tap.open} TCP connection(s) left after stop()`);
  });
  checkSockets(ctx);
  for (const w of ctx.watched) await w.tap.close();
  for (const slot of ctx.sims) await slot.sim.close();
  // Closing sockets takes an I/O turn or two; give it a bounded moment to settle.
  await until(() => total(excess(baseline)) === 0, 2000);
  const left = excess(baseline);
  result.leakedHandles = total(left);
  if (result.leakedHandles > 0) ctx.violate(`handles left after stop(): ${JSON.stringify(left)}`);

  result.elapsedMs = performance.now() - started;
  return result;
}
