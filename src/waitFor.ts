import { IoxError, type ErrorSummary } from './errors';
import { isStatus, type EventStreamStatus } from './machine/status';

/** Options of `stream.waitFor()`. */
export interface WaitForOptions {
  /** Give up after this many milliseconds (real time). Default: wait as long as it takes. */
  timeoutMs?: number;
}

/** Why `waitFor` gave up: `code` is `WAIT_TIMEOUT`, `STREAM_FAILED` or `STREAM_STOPPED`. */
export class WaitForError extends IoxError {
  /** Why: the timeout passed, or the stream went FAILED or STOPPED first. */
  declare readonly code: 'WAIT_TIMEOUT' | 'STREAM_FAILED' | 'STREAM_STOPPED';
  /** The status that was waited for. */
  readonly expected: EventStreamStatus;
  /** The stream's status when the wait ended. */
  readonly status: EventStreamStatus;
  /** Why the stream's last attempt or connection ended, when known (never holds a secret). */
  readonly lastError: ErrorSummary | null;

  constructor(
    code: WaitForError['code'],
    expected: EventStreamStatus,
    status: EventStreamStatus,
    lastError: ErrorSummary | null,
    waitedMs?: number,
  ) {
    const why = lastError ? ` (last error: ${lastError.message})` : '';
    const message =
      code === 'WAIT_TIMEOUT'
        ? `waited ${waitedMs} ms for ${expected}; the stream is ${status}${why}`
        : `the stream went ${status} while waiting for ${expected}${why}`;
    super(code, message);
    this.expected = expected;
    this.status = status;
    this.lastError = lastError;
  }
}

/** The part of a stream that waiting needs. */
export interface StatusSource {
  readonly status: EventStreamStatus;
  readonly lastError: ErrorSummary | null;
  onStatus(listener: (status: EventStreamStatus) => void): () => void;
}

/** The statuses a stream stays in until `start()`: waiting in one for another is waiting forever. */
const END_CODES: Partial<Record<EventStreamStatus, 'STREAM_FAILED' | 'STREAM_STOPPED'>> = {
  FAILED: 'STREAM_FAILED',
  STOPPED: 'STREAM_STOPPED',
};

/**
 * Resolve once `source` reaches `expected` (at once if it is there). Reject with a
 * {@link WaitForError} when it reaches FAILED or STOPPED instead (unless that is `expected`), is
 * already there, or `timeoutMs` passes. LOST and RECONNECTING on the way are not an answer: the
 * stream is still trying.
 */
export function waitForStatus(
  source: StatusSource,
  expected: EventStreamStatus,
  options: WaitForOptions = {},
): Promise<void> {
  if (typeof expected !== 'string' || !isStatus(expected)) {
    return Promise.reject(new TypeError(`waitFor: unknown status ${JSON.stringify(expected)}`));
  }
  const { timeoutMs } = options ?? {};
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 0 && timeoutMs <= 2 ** 31 - 1)) {
    return Promise.reject(new TypeError('waitFor: `timeoutMs` must be a number of milliseconds from 0 to 2^31-1'));
  }
  const verdict = (status: EventStreamStatus): WaitForError | 'reached' | undefined => {
    if (status === expected) return 'reached';
    const code = END_CODES[status];
    return code && new WaitForError(code, expected, status, source.lastError);
  };

  const now = verdict(source.status);
  if (now === 'reached') return Promise.resolve();
  if (now) return Promise.reject(now);

  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = source.onStatus((status) => {
      const outcome = verdict(status);
      if (outcome === undefined) return;
      settle();
      if (outcome === 'reached') resolve();
      else reject(outcome);
    });
    const settle = () => {
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        settle();
        reject(new WaitForError('WAIT_TIMEOUT', expected, source.status, source.lastError, timeoutMs));
      }, timeoutMs);
    }
  });
}
