import { performance } from 'node:perf_hooks';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll until `predicate()` holds; false after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** Counts of each active resource type (sockets, timers, servers, ...). */
export function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** Resources now beyond the baseline, e.g. `{ Timeout: 1 }`. */
export function excess(baseline: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [type, n] of resourceCounts()) {
    const extra = n - (baseline.get(type) ?? 0);
    if (extra > 0) out[type] = extra;
  }
  return out;
}

export const total = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
