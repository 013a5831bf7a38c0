/** Shared helpers of the benchmarks: arguments, statistics, tables, GC. */
import { performance } from 'node:perf_hooks';

/** `--name value` from argv, or undefined. */
export function arg(name: string, argv: readonly string[] = process.argv): string | undefined {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1] : undefined;
}

export function numArg(name: string, fallback: number, argv: readonly string[] = process.argv): number {
  const raw = arg(name, argv);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new TypeError(`--${name} must be a positive number`);
  return n;
}

/** Median / min / max of a sample. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n === 0 ? NaN : n % 2 ? sorted[(n - 1) >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[n - 1] ?? NaN, n };
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `median (min – max)` */
export function fmtSummary(s: Summary, digits = 0, unit = ''): string {
  return `${fmt(s.median, digits)}${unit} (${fmt(s.min, digits)} – ${fmt(s.max, digits)})`;
}

/** A markdown table. */
export function table(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  align?: readonly ('l' | 'r')[],
): string {
  const sep = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(predicate: () => boolean, timeoutMs: number, what: string, pollMs = 10): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

/** Full GC (needs --expose-gc), a few times so finalizers and weak maps settle. */
export async function settleGc(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
}

export const hasGc = (): boolean => typeof (globalThis as { gc?: unknown }).gc === 'function';

/** Runs `main` when a benchmark file is executed directly; prints its markdown. */
export function runStandalone(mod: NodeModule, main: () => Promise<string>): void {
  if (require.main !== mod) return;
  main()
    .then((out) => console.log(out))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
