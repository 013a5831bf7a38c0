/**
 * Benchmark 3, time to CONNECTED with the real capture's replay timing: the simulator replays
 * ../shared/fixtures/eisy6/ws-frames.jsonl (425 frames over 1.67 s, real inter-frame timing) to a
 * fresh stream, `connects` times in a row. For each connect: lag = (CONNECTED) - (the last replay
 * frame handed to the dispatcher) - quietMs, i.e. what the stream adds on top of the quiet window.
 *
 * Alone: node --expose-gc --import tsx bench/connect.ts [--connects 50] [--quiet-ms 1000]
 */
import { performance } from 'node:perf_hooks';
import { createEventStream, silentLogger } from '../src';
import { startSimulator } from '../src/simulator';
import { fmt, numArg, percentile, runStandalone, summarize, table } from './util';
import { resolve } from 'node:path';

export const CAPTURE = resolve(__dirname, '../../shared/fixtures/eisy6/ws-frames.jsonl');

export async function benchConnect(argv: readonly string[] = process.argv): Promise<string> {
  const connects = numArg('connects', 50, argv);
  const quietMs = numArg('quiet-ms', 1000, argv);
  const sim = await startSimulator({ replay: CAPTURE, speed: 1, liveEvents: false });
  const lags: number[] = [];
  const totals: number[] = [];
  let replayFrames = 0;
  try {
    for (let i = 0; i < connects; i++) {
      const stream = createEventStream({
        url: sim.url,
        quietMs,
        logger: silentLogger,
        headers: { 'x-client-id': `connect-${i}` },
      });
      // Timestamp every frame the reader hands over (events and non-events alike).
      let lastFrameAt = 0;
      let frames = 0;
      const feed = stream.dispatcher.feed.bind(stream.dispatcher);
      stream.dispatcher.feed = (raw, info) => {
        if (info?.replay) {
          lastFrameAt = performance.now();
          frames++;
        }
        return feed(raw, info);
      };
      const startedAt = performance.now();
      await new Promise<void>((resolveConnected, reject) => {
        const timer = setTimeout(() => reject(new Error(`connect ${i}: still ${stream.status}`)), 15_000);
        stream.onStatus((status) => {
          if (status !== 'CONNECTED') return;
          const now = performance.now();
          clearTimeout(timer);
          lags.push(now - lastFrameAt - quietMs);
          totals.push(now - startedAt);
          resolveConnected();
        });
        stream.start();
      });
      replayFrames = frames;
      await stream.stop();
    }
  } finally {
    await sim.close();
  }
  const s = summarize(lags);
  const t = summarize(totals);
  const ms = (n: number): string => `${n.toFixed(2)} ms`;
  return [
    `### 3. Time to CONNECTED with the real capture's replay timing (${connects} connects, quietMs ${quietMs}, ${replayFrames} replay frames each)`,
    '',
    table(
      ['measure', 'p50', 'p99', 'min – max'],
      [
        [
          'lag: CONNECTED − last replay frame − quietMs',
          ms(percentile(lags, 50)),
          ms(percentile(lags, 99)),
          `${ms(s.min)} – ${ms(s.max)}`,
        ],
        [
          'start() → CONNECTED (replay 1.67 s + quietMs + handshake)',
          `${fmt(percentile(totals, 50))} ms`,
          `${fmt(percentile(totals, 99))} ms`,
          `${fmt(t.min)} – ${fmt(t.max)} ms`,
        ],
      ],
      ['l', 'r', 'r', 'r'],
    ),
    '',
    `Goal p99 < 20 ms: ${percentile(lags, 99) < 20 ? 'met' : 'NOT met'}.`,
  ].join('\n');
}

runStandalone(module, () => benchConnect());
