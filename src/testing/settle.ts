import { HarnessError, type HarnessErrorCode } from './errors';

/** Real-time waits of the harness: real I/O settles within bounds, or the step fails with a code. */

/** Real-time bound on waiting for real I/O to settle after one step, in ms. */
export const SETTLE_MS = 3000;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll every millisecond until `predicate()` holds; throw `HarnessError(code)` after `timeoutMs`. */
export async function until(
  predicate: () => boolean,
  code: HarnessErrorCode,
  what: () => string,
  timeoutMs = SETTLE_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new HarnessError(code, `timed out waiting for ${what()}`);
    await sleep(1);
  }
}

/** Wait for `promise`, but throw `HarnessError(code)` if it has not settled within `ms`. */
export async function bounded<T>(promise: Promise<T>, ms: number, code: HarnessErrorCode, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HarnessError(code, `${what} did not resolve within ${ms} ms`)),
      Math.max(ms, 0),
    );
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}
