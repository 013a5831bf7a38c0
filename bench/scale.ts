/**
 * Benchmark 4, scale: `streams` (default 1,000) EventStreams in this process, each with its own
 * socket, against the simulator (its own child process, so this process holds only the streams) on
 * loopback, with an accelerated clock (simulator speed 10: replay in ~0.17 s, heartbeats every
 * 3 s promising 9 s, a live change broadcast every ~0.5 s). Per run: time until all are CONNECTED,
 * heap and RSS per connected stream after GC, CPU per 1,000 frames while connecting (the replay
 * burst) and in a steady window (heartbeats + live changes).
 *
 * Alone: node --expose-gc --import tsx bench/scale.ts [--streams 1000] [--runs 5] [--steady-seconds 5]
 */
import { performance } from 'node:perf_hooks';
import { startChildSimulator, startFleet } from './fleet';
import { fmt, fmtSummary, hasGc, numArg, runStandalone, settleGc, sleep, summarize, table } from './util';

const SPEED = 10;

interface RunResult {
  heapPerKiB: number;
  rssPerKiB: number;
  allConnectedMs: number;
  cpuConnectPer1k: number;
  cpuSteadyPer1k: number;
  steadyFps: number;
  replayFrames: number;
  maxPeak: number;
}

async function oneRun(n: number, steadySeconds: number, seed: number): Promise<RunResult> {
  const sim = await startChildSimulator({ speed: SPEED, seed });
  try {
    await settleGc();
    const heap0 = process.memoryUsage().heapUsed;
    const rss0 = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const fleet = await startFleet(sim.url, n, {
      quietMs: 100,
      syncMaxMs: 5000,
      heartbeatGraceMs: 1000,
      defaultHeartbeatPromiseMs: (90 / SPEED) * 1000,
      connectTimeoutMs: 10_000,
      backoffMs: [100, 200, 500],
    });
    const c = process.cpuUsage(cpu0);
    const framesAtConnect = fleet.framesFed();

    await settleGc();
    const mem = process.memoryUsage();

    // Steady state: heartbeats and live changes only.
    const f0 = fleet.framesFed();
    const s0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(steadySeconds * 1000);
    const s = process.cpuUsage(s0);
    const frames = fleet.framesFed() - f0;
    const seconds = (performance.now() - t0) / 1000;
    const notConnected = fleet.streams.filter((x) => x.status !== 'CONNECTED').length;
    if (notConnected > 0) throw new Error(`${notConnected} streams left CONNECTED during the steady window`);
    const maxPeak = (await sim.stats()).maxPeakPerClient;
    await fleet.stop();
    return {
      heapPerKiB: (mem.heapUsed - heap0) / n / 1024,
      rssPerKiB: (mem.rss - rss0) / n / 1024,
      allConnectedMs: fleet.allConnectedMs,
      cpuConnectPer1k: (c.user + c.system) / 1000 / (framesAtConnect / 1000),
      cpuSteadyPer1k: (s.user + s.system) / 1000 / (frames / 1000),
      steadyFps: frames / seconds,
      replayFrames: Math.round(framesAtConnect / n),
      maxPeak,
    };
  } finally {
    await sim.close();
  }
}

export async function benchScale(argv: readonly string[] = process.argv): Promise<string> {
  const n = numArg('streams', 1000, argv);
  const runs = Math.max(5, numArg('runs', 5, argv));
  const steadySeconds = numArg('steady-seconds', 5, argv);
  const heapPer: number[] = [];
  const rssPer: number[] = [];
  const connectMs: number[] = [];
  const cpuConnect: number[] = [];
  const cpuSteady: number[] = [];
  const steadyFps: number[] = [];
  let replayFrames = 0;
  let maxPeak = 0;
  for (let r = 0; r < runs; r++) {
    // One run per call: its fleet is unreachable once the call returns (an async function's
    // locals would otherwise live on into the next run and skew its heap baseline).
    const run = await oneRun(n, steadySeconds, 7 + r);
    heapPer.push(run.heapPerKiB);
    rssPer.push(run.rssPerKiB);
    connectMs.push(run.allConnectedMs);
    cpuConnect.push(run.cpuConnectPer1k);
    cpuSteady.push(run.cpuSteadyPer1k);
    steadyFps.push(run.steadyFps);
    replayFrames = run.replayFrames;
    maxPeak = Math.max(maxPeak, run.maxPeak);
  }
  const h = summarize(heapPer);
  const t = summarize(connectMs);
  return [
    `### 4. Scale: ${fmt(n)} concurrent streams, simulator at speed ${SPEED} in a child process (${runs} runs, ${replayFrames} replay frames per stream)`,
    '',
    table(
      ['measure', 'median (min – max)', 'goal'],
      [
        [
          `time until all ${fmt(n)} are CONNECTED`,
          fmtSummary(t, 0, ' ms'),
          `< 10,000 ms: ${t.max < 10_000 ? 'met' : 'NOT met'}`,
        ],
        [
          'heap per connected stream, after GC (mirror of ~150 nodes included)',
          fmtSummary(h, 1, ' KiB'),
          `< 256 KiB: ${h.max < 256 ? 'met' : 'NOT met'}${hasGc() ? '' : ' (no --expose-gc!)'}`,
        ],
        ['RSS per connected stream', fmtSummary(summarize(rssPer), 1, ' KiB'), ''],
        ['CPU per 1,000 frames while connecting (replay burst)', fmtSummary(summarize(cpuConnect), 2, ' ms'), ''],
        [
          `CPU per 1,000 frames, steady (${fmt(summarize(steadyFps).median)} frames/s: heartbeats + live changes)`,
          fmtSummary(summarize(cpuSteady), 2, ' ms'),
          '',
        ],
        ['simulator: most sockets one client had open at once', String(maxPeak), '1'],
      ],
      ['l', 'r', 'l'],
    ),
  ].join('\n');
}

runStandalone(module, () => benchScale());
