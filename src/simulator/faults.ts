/**
 * Run-time fault injection. The pending faults (queued rejects, accept-then-close, slow replay,
 * login rejects) live here and are consumed by the server as requests arrive; the immediate ones
 * (drop, stall, garbage) act on the open sockets through a {@link FaultTarget}.
 */

/** Kinds of bad frames `faults.garbage()` can send. */
export type GarbageKind =
  /** A truncated `<Event>` (not well-formed XML). */
  | 'xml'
  /** A binary frame (the controller only ever sends text). */
  | 'binary'
  /** A text frame with invalid UTF-8 inside an otherwise normal event: a strict client closes with 1007. */
  | 'utf8'
  /** A real-world `_7` log frame with an unescaped `&` in `eventInfo`. */
  | 'ampersand';

/** What `faults` needs from the server to act on open sockets. */
export interface FaultTarget {
  dropAll(code: number | undefined, reason: string): number;
  stallAll(): number;
  resumeAll(): void;
  garbageAll(kinds: readonly GarbageKind[]): number;
}

/** Fault injection, callable at any time while the simulator runs. */
export interface SimulatorFaults {
  /**
   * Close every open socket. Default: abrupt (TCP destroyed, the client sees 1006, like a reboot or
   * a network loss); with `code`, a clean close frame with that code. Returns how many were closed.
   */
  drop(options?: { code?: number; reason?: string }): number;
  /**
   * Stop sending on every open socket while keeping it open: a half-open link. Frames (heartbeats
   * included) are held and pongs are not sent; the socket still reads, so the client's own close is
   * seen. With `newSockets: true`, subscriptions made during the stall are stalled too.
   * Returns how many sockets were stalled.
   */
  stall(options?: { newSockets?: boolean }): number;
  /** End a stall: held frames are delivered in order (as TCP would once the path comes back). */
  resume(): void;
  /** Answer the next `times` upgrades with HTTP `status` (401, 500, 503, ...) instead of switching protocols. */
  reject(status: number, times?: number): void;
  /** Complete the next `times` upgrades, then close at once (`close`: close frame 1011; `terminate`: abrupt). */
  acceptThenClose(times?: number, mode?: 'close' | 'terminate'): void;
  /** Send bad frames to every open socket, in the given order (default `xml`, `binary`, `utf8`). */
  garbage(kinds?: readonly GarbageKind[]): number;
  /**
   * Wait `ms` (real milliseconds, not scaled by `speed`) before the replay of the next `times`
   * subscriptions (default: every subscription until `slowReplay(0)`).
   */
  slowReplay(ms: number, times?: number): void;
  /** Answer the next `times` `POST /api/login` and `/api/jwt/refresh` requests with HTTP `status`. */
  rejectLogin(status: number, times?: number): void;
  /** Forget every pending fault and end a stall. */
  reset(): void;
}

interface Pending<T> {
  value: T;
  remaining: number;
}

function take<T>(queue: Array<Pending<T>>): T | undefined {
  const head = queue[0];
  if (!head) return undefined;
  if (--head.remaining <= 0) queue.shift();
  return head.value;
}

const positive = (times: number, what: string): number => {
  if (!Number.isInteger(times) || times < 1) throw new RangeError(`${what}: times must be a positive integer`);
  return times;
};

/** Pending-fault bookkeeping plus the public {@link SimulatorFaults} facade. */
export class FaultState implements SimulatorFaults {
  private readonly rejects: Array<Pending<number>> = [];
  private readonly loginRejects: Array<Pending<number>> = [];
  private readonly closes: Array<Pending<'close' | 'terminate'>> = [];
  private slow: Pending<number> | undefined;
  /** Stall subscriptions that start from now on (set by `stall({ newSockets: true })`). */
  stallNew = false;

  constructor(private readonly target: FaultTarget) {}

  drop(options: { code?: number; reason?: string } = {}): number {
    return this.target.dropAll(options.code, options.reason ?? 'simulated drop');
  }

  stall(options: { newSockets?: boolean } = {}): number {
    this.stallNew = options.newSockets ?? false;
    return this.target.stallAll();
  }

  resume(): void {
    this.stallNew = false;
    this.target.resumeAll();
  }

  reject(status: number, times = 1): void {
    if (!Number.isInteger(status) || status < 300 || status > 599)
      throw new RangeError('reject: status must be an HTTP error status');
    this.rejects.push({ value: status, remaining: positive(times, 'reject') });
  }

  acceptThenClose(times = 1, mode: 'close' | 'terminate' = 'close'): void {
    this.closes.push({ value: mode, remaining: positive(times, 'acceptThenClose') });
  }

  garbage(kinds: readonly GarbageKind[] = ['xml', 'binary', 'utf8']): number {
    return this.target.garbageAll(kinds);
  }

  slowReplay(ms: number, times = Number.POSITIVE_INFINITY): void {
    this.slow = ms > 0 ? { value: ms, remaining: times } : undefined;
  }

  rejectLogin(status: number, times = 1): void {
    if (!Number.isInteger(status) || status < 300 || status > 599)
      throw new RangeError('rejectLogin: status must be an HTTP error status');
    this.loginRejects.push({ value: status, remaining: positive(times, 'rejectLogin') });
  }

  reset(): void {
    this.rejects.length = 0;
    this.loginRejects.length = 0;
    this.closes.length = 0;
    this.slow = undefined;
    this.resume();
  }

  /** @internal The status to reject this upgrade with, if one is queued. */
  takeReject(): number | undefined {
    return take(this.rejects);
  }

  /** @internal The status to reject this login/refresh with, if one is queued. */
  takeLoginReject(): number | undefined {
    return take(this.loginRejects);
  }

  /** @internal How to close this freshly accepted socket, if an accept-then-close is queued. */
  takeAcceptThenClose(): 'close' | 'terminate' | undefined {
    return take(this.closes);
  }

  /** @internal Delay (ms) before this subscription's replay. */
  takeSlowReplay(): number {
    if (!this.slow) return 0;
    const ms = this.slow.value;
    if (--this.slow.remaining <= 0) this.slow = undefined;
    return ms;
  }
}
