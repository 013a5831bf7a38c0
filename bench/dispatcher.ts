/**
 * Dispatcher benchmark: frames per second for fast-xml-parser's bare `parse()`, `parseEventFrame`
 * and `EventDispatcher.feed` (parse + classify + mirror + one listener), all on the same captured
 * frames in the same process, plus heap after GC.
 *
 * Run alone:  node --expose-gc --import tsx bench/dispatcher.ts
 * Or call `benchDispatcher()` from bench/run.ts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { EventDispatcher, parseEventFrame } from '../src/dispatcher';
import { unwrapFrame } from '../src/dispatcher/envelope';
import { parseEventFrameWithFallback } from '../src/dispatcher/parse';

/** One benchmark line. */
export interface Row {
  /** What was measured. */
  name: string;
  /** Median frames per second over the runs. */
  medianFps: number;
  /** Slowest run. */
  minFps: number;
  /** Fastest run. */
  maxFps: number;
  /** Number of timed runs. */
  runs: number;
  /** Extra note (ratio, heap, ...). */
  note?: string;
}

/** Options for `benchDispatcher`. */
export interface BenchOptions {
  /** Timed runs per case (median reported); at least 5. */
  runs?: number;
  /** Passes over the frame set per run. */
  passes?: number;
  /** Fixture directory; defaults to `../shared/fixtures/eisy6` next to the repo. */
  fixtures?: string;
}

/** Every received frame of both captures, as the stream would hand them to `feed`. */
export function loadBenchFrames(dir: string): string[] {
  const frames: string[] = [];
  for (const line of readFileSync(resolve(dir, 'ws-frames.jsonl'), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { direction?: string; data?: unknown };
    if (record.direction === 'receive' && typeof record.data === 'string') frames.push(record.data);
  }
  for (const line of readFileSync(resolve(dir, 'ws-frames-pyisy.log'), 'utf8').split('\n')) {
    if (line.trim() !== '') frames.push(line);
  }
  return frames;
}

function timeRuns(
  name: string,
  frames: readonly string[],
  runs: number,
  passes: number,
  work: (frame: string) => unknown,
): Row {
  // Warm-up so the JIT has compiled the hot paths before timing.
  for (let p = 0; p < Math.max(3, passes >> 2); p++) for (const f of frames) work(f);
  const fps: number[] = [];
  let sink = 0;
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    for (let p = 0; p < passes; p++) {
      for (let k = 0; k < frames.length; k++) if (work(frames[k]) !== undefined) sink++;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    fps.push((frames.length * passes) / seconds);
  }
  if (sink < 0) console.log(sink); // keeps the results observable so nothing is optimised away
  fps.sort((a, b) => a - b);
  return { name, medianFps: fps[Math.floor(fps.length / 2)], minFps: fps[0], maxFps: fps[fps.length - 1], runs };
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/** Runs the dispatcher benchmark and returns one row per case. */
export async function benchDispatcher(options: BenchOptions = {}): Promise<Row[]> {
  const runs = Math.max(5, options.runs ?? 7);
  const passes = options.passes ?? 40;
  const dir = options.fixtures ?? resolve(__dirname, '../../shared/fixtures/eisy6');
  const frames = loadBenchFrames(dir);
  // The bare parser gets the XML already unwrapped (its JSON.parse is not timed): the baseline is generous.
  const xmlFrames = frames.map((f) => unwrapFrame(f)).flatMap((u) => (typeof u === 'string' ? [u] : []));
  const bareDefault = new XMLParser();
  const bareAttributes = new XMLParser({ ignoreAttributes: false });

  const rows: Row[] = [];
  rows.push(
    timeRuns('fast-xml-parser parse() (default options, XML pre-unwrapped)', xmlFrames, runs, passes, (x) =>
      bareDefault.parse(x),
    ),
  );
  rows.push(
    timeRuns('fast-xml-parser parse() (ignoreAttributes: false, XML pre-unwrapped)', xmlFrames, runs, passes, (x) =>
      bareAttributes.parse(x),
    ),
  );
  rows.push(
    timeRuns('parseEventFrame via fallback only (validator + fast-xml-parser)', frames, runs, passes, (f) =>
      parseEventFrameWithFallback(f),
    ),
  );
  rows.push(timeRuns('parseEventFrame', frames, runs, passes, (f) => parseEventFrame(f)));

  let delivered = 0;
  const dispatcher = new EventDispatcher();
  dispatcher.onEvent(() => {
    delivered++;
  });
  rows.push(timeRuns('EventDispatcher.feed (+ mirror + 1 listener)', frames, runs, passes, (f) => dispatcher.feed(f)));
  if (delivered === 0) throw new Error('benchmark listener never ran');

  const baseline = Math.max(rows[0].medianFps, rows[1].medianFps);
  for (const row of rows.slice(2)) row.note = `${(row.medianFps / baseline).toFixed(1)}x bare parse()`;

  // Heap: retained size of a dispatcher whose mirror holds every captured node, averaged over
  // several instances kept alive at once so allocator noise averages out.
  const copies = 20;
  const before = heapAfterGc();
  const kept: EventDispatcher[] = [];
  for (let c = 0; c < copies; c++) {
    const fresh = new EventDispatcher();
    for (const f of frames) fresh.feed(f);
    kept.push(fresh);
  }
  const after = heapAfterGc();
  const gcNote = (globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc for meaningful numbers)';
  rows.push({
    name: `heap after GC: ${(after / 1048576).toFixed(1)} MiB in use; one dispatcher with the mirror of ${kept[0].mirror.nodes.size} nodes retains ${((after - before) / copies / 1024).toFixed(0)} KiB${gcNote}`,
    medianFps: NaN,
    minFps: NaN,
    maxFps: NaN,
    runs: 0,
  });
  return rows;
}

/** Markdown table of the rows. */
export function formatRows(rows: readonly Row[]): string {
  const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '');
  const lines = ['| case | frames/s (median) | min – max | runs | note |', '| --- | ---: | ---: | ---: | --- |'];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${fmt(r.medianFps)} | ${Number.isFinite(r.minFps) ? `${fmt(r.minFps)} – ${fmt(r.maxFps)}` : ''} | ${r.runs || ''} | ${r.note ?? ''} |`,
    );
  }
  return lines.join('\n');
}

if (require.main === module) {
  benchDispatcher()
    .then((rows) => console.log(formatRows(rows)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
