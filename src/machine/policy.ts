/**
 * Timing and retry policy. The chart reads every number from here, so tests can shrink time and
 * apps can tune it without touching the chart.
 */
export interface StreamPolicy {
  /** SYNCING ends once this long passes with no frame after the first one. */
  quietMs: number;
  /** SYNCING never lasts longer than this. */
  syncMaxMs: number;
  /** Delay before reconnect attempt N (1-based) is `backoffMs[N-1]`, staying at the last entry. */
  backoffMs: readonly number[];
  /** 0..1: each backoff delay is shortened by up to this fraction, at random, to spread herds. */
  jitter: number;
  /** Extra silence tolerated beyond the controller's heartbeat promise before the link is dead. */
  heartbeatGraceMs: number;
  /**
   * The silence we expect a controller to promise before its first `_0` heartbeat arrives. Once a
   * heartbeat was seen its promise is kept across reconnects: it is the same controller.
   */
  defaultHeartbeatPromiseMs: number;
  /**
   * Each step of a connect attempt (opening the socket, or one auth refresh) that takes longer
   * than this fails the attempt. An attempt with a 401 recovery has three steps.
   */
  connectTimeoutMs: number;
  /** Give up (FAILED) after this many consecutive failed attempts without reaching CONNECTED. */
  maxAttempts: number;
  /** Source of randomness for jitter; injectable for deterministic tests. */
  random: () => number;
}

/**
 * The longest delay a timer can hold: `setTimeout` (Node and browsers) stores it as a signed 32-bit
 * number of milliseconds (~24.8 days), and anything longer fires after 1 ms instead.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A delay as a timer can hold it: at most {@link MAX_TIMER_MS} (a longer one, e.g. a controller
 * promising weeks of silence, waits the longest a timer can instead of firing at once), never
 * negative. Options are validated against the same bound; this guards the values that come from
 * the controller or from arithmetic on two valid values (promise + grace).
 */
export function timerMs(ms: number): number {
  if (!(ms > 0)) return 0;
  return ms > MAX_TIMER_MS ? MAX_TIMER_MS : ms;
}

/** The policy used for every field an `EventStreamOptions` or `StreamMachineInput` leaves out. */
export const DEFAULT_POLICY: StreamPolicy = {
  quietMs: 1000,
  syncMaxMs: 10_000,
  backoffMs: [1000, 2000, 5000, 10_000, 30_000, 60_000],
  jitter: 0,
  heartbeatGraceMs: 5000,
  defaultHeartbeatPromiseMs: 90_000,
  connectTimeoutMs: 15_000,
  maxAttempts: Number.POSITIVE_INFINITY,
  random: Math.random,
};

/**
 * The wait before the next attempt, after `failures` consecutive failures (1 = the first).
 * Jitter only ever shortens the delay, so the schedule stays an upper bound.
 */
export function backoffDelay(policy: StreamPolicy, failures: number): number {
  const schedule = policy.backoffMs;
  const base = schedule[Math.min(Math.max(failures, 1), schedule.length) - 1] ?? 0;
  if (policy.jitter <= 0) return base;
  return Math.round(base * (1 - policy.jitter * randomFraction(policy.random)));
}

/**
 * A draw from the user's `random` in [0, 1]; a `random` that throws or returns anything else
 * (NaN, 7, a string) counts as 0, i.e. no jitter: it must never break the backoff.
 */
export function randomFraction(random: () => number): number {
  let value: unknown;
  try {
    value = random();
  } catch {
    return 0;
  }
  return typeof value === 'number' && value >= 0 && value <= 1 ? value : 0;
}
