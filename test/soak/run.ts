/**
 * The long chaos soak: `npm run soak -- --minutes 30 [--seed 7] [--simulators 2] [--streams 2] [--quiet]`.
 * Prints one progress line per round (unless --quiet), then the summary line; exits non-zero when
 * any rule was broken.
 */
import { runSoak, summaryLine } from './engine';

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const minutes = Number(arg('minutes') ?? '1');
  const seed = Number(arg('seed') ?? String(Date.now() % 100_000));
  const quiet = process.argv.includes('--quiet');
  if (!(minutes > 0)) throw new TypeError('--minutes must be > 0');
  console.log(`soak: seed ${seed}, ${minutes} min`);
  const started = Date.now();
  const result = await runSoak({
    seed,
    durationMs: minutes * 60_000,
    simulators: Number(arg('simulators') ?? '2'),
    streamsPerSimulator: Number(arg('streams') ?? '2'),
    log: quiet ? undefined : (line) => console.log(line),
  });
  for (const v of result.violations) console.log(`VIOLATION ${v}`);
  console.log(
    `rounds ${result.rounds}, dead links detected ${result.detections}, faults by kind ${JSON.stringify(result.faultCounts)}, ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${seed}`,
  );
  console.log(summaryLine(result));
  if (result.violations.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
