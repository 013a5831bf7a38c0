/**
 * Benchmark 5, idle cost: `streams` (default 1,000) CONNECTED streams with nothing to say, at real
 * speed (simulator speed 1 in a child process: a `_0` heartbeat every 30 s per stream promising
 * 90 s, no live changes), watched for `idle-seconds` (default 60). Reports the CPU this process
 * used (process.cpuUsage), split into equal windows, the frames received (heartbeats only), the
 * event-loop utilisation and the active timers per stream: a polling timer would show up as CPU
 * that does not scale with frames, and as more than one timer per stream.
 *
 * Alone: node --expose-gc --import tsx bench/idle.ts [--streams 1000] [--idle-seconds 60]
 */
import { performance } from 'node:perf_hooks';
import { startChildSimulator, startFleet } from './fleet';
import { fmt, fmtSummary, numArg, runStandalone, settleGc, sleep, summarize, table } from './util';

function timers(): number {
  return process.getActiveResourcesInfo().filter((t) => t === 'Timeout').length;
}

async function cpuOver(ms: number): Promise<{ cpuMs: number; elu: number }> {
  const c0 = process.cpuUsage();
  const e0 = performance.eventLoopUtilization();
  await sleep(ms);
  const c = process.cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, elu: performance.eventLoopUtilization(e0).utilization };
}

export async function benchIdle(argv: readonly string[] = process.argv): Promise<string> {
  const n = numArg('streams', 1000, argv);
  const idleSeconds = numArg('idle-seconds', 60, argv);
  const windows = 6;
  const windowMs = (idleSeconds * 1000) / windows;
  const sim = await startChildSimulator({
    speed: 1,
    heartbeatSec: 30,
    heartbeatPromise: 90,
    liveEvents: false,
    seed: 11,
  });
  try {
    // The floor: this process with the simulator running and no stream.
    await settleGc();
    const timers0 = timers();
    const floor = await cpuOver(Math.min(windowMs, 5000));
    const floorPerWindow = (floor.cpuMs * windowMs) / Math.min(windowMs, 5000);

    const fleet = await startFleet(sim.url, n, {});
    await sleep(1500); // let the connect burst's garbage settle
    await settleGc();
    const timersPerStream = (timers() - timers0) / n;
    const f0 = fleet.framesFed();
    const perWindow: number[] = [];
    const elus: number[] = [];
    for (let w = 0; w < windows; w++) {
      const r = await cpuOver(windowMs);
      perWindow.push(r.cpuMs);
      elus.push(r.elu);
    }
    const frames = fleet.framesFed() - f0;
    const notConnected = fleet.streams.filter((s) => s.status !== 'CONNECTED').length;
    const timersAfter = (timers() - timers0) / n;
    await fleet.stop();
    if (notConnected > 0) throw new Error(`${notConnected} idle streams left CONNECTED`);
    const totalMs = perWindow.reduce((a, b) => a + b, 0);
    const w = summarize(perWindow);
    return [
      `### 5. Idle cost: ${fmt(n)} CONNECTED idle streams over ${idleSeconds} s (simulator at real speed in a child process: a heartbeat per stream every 30 s, no live changes)`,
      '',
      table(
        ['measure', 'value'],
        [
          [
            `CPU of this process over ${idleSeconds} s (all ${fmt(n)} streams)`,
            `${fmt(totalMs)} ms = ${((totalMs / (idleSeconds * 1000)) * 100).toFixed(2)}% of one core`,
          ],
          [`CPU per ${fmt(windowMs / 1000, 0)}-s window, median (min – max) of ${windows}`, fmtSummary(w, 1, ' ms')],
          [`the same process with no stream, per ${fmt(windowMs / 1000, 0)} s (floor)`, `${fmt(floorPerWindow, 1)} ms`],
          ['CPU per stream per minute', `${((totalMs / n) * (60 / idleSeconds)).toFixed(3)} ms`],
          [
            'frames received in the window (heartbeats)',
            `${fmt(frames)} (${((frames / n) * (60 / idleSeconds)).toFixed(1)} per stream per minute)`,
          ],
          ['CPU per frame received', frames > 0 ? `${((totalMs * 1000) / frames).toFixed(0)} µs` : 'n/a (no frame)'],
          ['event-loop utilisation, median of windows', `${(summarize(elus).median * 100).toFixed(2)}%`],
          [
            'active timers per stream (start / end of the window)',
            `${timersPerStream.toFixed(2)} / ${timersAfter.toFixed(2)}`,
          ],
        ],
        ['l', 'r'],
      ),
    ].join('\n');
  } finally {
    await sim.close();
  }
}

runStandalone(module, () => benchIdle());
