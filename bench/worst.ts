/**
 * Benchmark 6, worst-case frames: the cost of `EventDispatcher.feed` (every decoder subscribed)
 * per KiB of frame, for the typical frame and for each hostile frame of `worstFrames.ts` at
 * `maxPayload` and at a quarter of it. Linear work shows as the same µs/KiB at both sizes
 * (growth ≈ 1.0x); the quadratic paths this replaced grew ~4x per 2x of size.
 *
 * Alone: node --expose-gc --import tsx bench/worst.ts [--runs 5] [--worst-bytes 1048576]
 */
import { EventDispatcher } from '../src/dispatcher';
import { DEFAULT_MAX_PAYLOAD } from '../src/options';
import { TYPICAL_FRAME, WORST_CASES } from './worstFrames';
import { fmt, numArg, runStandalone, summarize, table } from './util';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function subscribed(): EventDispatcher {
  const dispatcher = new EventDispatcher({ logger: silent });
  const noop = (): void => {};
  dispatcher.onEvent(noop);
  dispatcher.onProperty(noop);
  dispatcher.onProgramStatus(noop);
  dispatcher.onVariable(noop);
  dispatcher.onVariableTableChange(noop);
  dispatcher.onLifecycle(noop);
  dispatcher.onSystemStatus(noop);
  dispatcher.onHeartbeat(noop);
  return dispatcher;
}

/** Median µs per KiB of feeding `raw` `repeat` times per run. */
function microsPerKiB(raw: string, runs: number, repeat: number): { median: number; min: number; max: number } {
  const dispatcher = subscribed();
  for (let i = 0; i < Math.min(repeat, 3); i++) dispatcher.feed(raw);
  const kib = Buffer.byteLength(raw) / 1024;
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < repeat; i++) dispatcher.feed(raw);
    samples.push(Number(process.hrtime.bigint() - start) / 1e3 / repeat / kib);
  }
  return summarize(samples);
}

export async function benchWorst(argv: readonly string[] = process.argv): Promise<string> {
  const runs = Math.max(5, numArg('runs', 5, argv));
  const bytes = numArg('worst-bytes', DEFAULT_MAX_PAYLOAD, argv);
  const typical = microsPerKiB(TYPICAL_FRAME, runs, 20_000);
  const rows: string[][] = [
    [
      `typical frame (${Buffer.byteLength(TYPICAL_FRAME)} B, a status change)`,
      `${fmt(typical.median, 2)} (${fmt(typical.min, 2)} – ${fmt(typical.max, 2)})`,
      '',
      '',
      '1.0x',
    ],
  ];
  for (const c of WORST_CASES) {
    const big = c.build(bytes);
    const small = c.build(bytes / 4);
    const atMax = microsPerKiB(big, runs, 1);
    const atQuarter = microsPerKiB(small, runs, 4);
    rows.push([
      `${c.name}: ${c.what}`,
      `${fmt(atMax.median, 2)} (${fmt(atMax.min, 2)} – ${fmt(atMax.max, 2)})`,
      fmt(atQuarter.median, 2),
      `${(atMax.median / atQuarter.median).toFixed(2)}x`,
      `${fmt(atMax.median / typical.median, 1)}x`,
    ]);
    await Promise.resolve();
  }
  return [
    `### 6. Worst-case frames (feed with every decoder subscribed; ${fmt(bytes / 1024)} KiB frames, ${runs} runs)`,
    '',
    table(
      ['frame', 'µs/KiB at maxPayload, median (min – max)', 'µs/KiB at 1/4', 'growth 1/4 → max', 'vs typical'],
      rows,
      ['l', 'r', 'r', 'r', 'r'],
    ),
  ].join('\n');
}

runStandalone(module, () => benchWorst());
