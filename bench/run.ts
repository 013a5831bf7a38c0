/**
 * The benchmarks of BENCHMARKS.md, printed as markdown (the tables there).
 *
 *   npm run bench                                   # all of them
 *   npm run bench -- --only e2e                     # one (pipeline, e2e, connect, scale, idle, worst, replay, mqtt; comma-separated)
 *   npm run bench -- --only scale,idle --streams 1000 --idle-seconds 60
 *
 * Options: --runs N (>= 5), --frames N (pipeline), --e2e-frames N, --connects N, --quiet-ms N,
 * --streams N (scale, idle), --steady-seconds N (scale), --idle-seconds N, --worst-bytes N (worst),
 * --mqtt-events N, --latency-events N, --down-seconds N (mqtt).
 */
import { cpus, totalmem } from 'node:os';
import { benchConnect } from './connect';
import { benchE2e } from './e2e';
import { benchIdle } from './idle';
import { benchMqtt } from './mqtt';
import { benchPipeline } from './pipeline';
import { benchReplay } from './replay';
import { benchScale } from './scale';
import { benchWorst } from './worst';
import { arg, hasGc } from './util';

const BENCHES: Record<string, (argv: readonly string[]) => Promise<string>> = {
  pipeline: benchPipeline,
  e2e: benchE2e,
  connect: benchConnect,
  scale: benchScale,
  idle: benchIdle,
  worst: benchWorst,
  replay: benchReplay,
  mqtt: benchMqtt,
};

async function main(): Promise<void> {
  const only =
    arg('only')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? Object.keys(BENCHES);
  for (const name of only)
    if (!BENCHES[name]) throw new TypeError(`--only: unknown benchmark '${name}' (${Object.keys(BENCHES).join(', ')})`);
  const cpu = cpus();
  console.log(`## Benchmarks (${new Date().toISOString()})`);
  console.log('');
  console.log(
    `Node ${process.version}, ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM${hasGc() ? '' : ' — WARNING: run with --expose-gc (npm run bench does)'}`,
  );
  for (const name of only) {
    const started = Date.now();
    const out = await BENCHES[name](process.argv);
    console.log('');
    console.log(out);
    console.log('');
    console.log(`_(${name}: ${((Date.now() - started) / 1000).toFixed(0)} s)_`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
