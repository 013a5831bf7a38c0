/**
 * Benchmark 1, the frame pipeline: bare fast-xml-parser `parse()`, `parseEventFrame` and
 * `EventDispatcher.feed` on the real captures in ../shared/fixtures/eisy6, repeated to ~200k
 * frames per timed run. The measuring itself is bench/dispatcher.ts (`benchDispatcher`).
 *
 * Alone: node --expose-gc --import tsx bench/pipeline.ts [--runs 5] [--frames 200000]
 */
import { resolve } from 'node:path';
import { benchDispatcher, formatRows, loadBenchFrames } from './dispatcher';
import { numArg, runStandalone } from './util';

export const FIXTURES = resolve(__dirname, '../../shared/fixtures/eisy6');

export async function benchPipeline(argv: readonly string[] = process.argv): Promise<string> {
  const runs = Math.max(5, numArg('runs', 5, argv));
  const target = numArg('frames', 200_000, argv);
  const perPass = loadBenchFrames(FIXTURES).length;
  const passes = Math.ceil(target / perPass);
  const rows = await benchDispatcher({ runs, passes, fixtures: FIXTURES });
  return [
    `### 1. Frame pipeline (${perPass} captured frames x ${passes} passes = ${(perPass * passes).toLocaleString('en-US')} frames per run, ${runs} runs)`,
    '',
    formatRows(rows),
  ].join('\n');
}

runStandalone(module, () => benchPipeline());
