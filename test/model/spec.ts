import { EventStreamStatus } from '../../src';
import { HARNESS_POLICY as POLICY } from '../../src/testing';

/**
 * The spec (issue 2) as an oracle independent of the chart.
 */

export type TimerName = 'connectTimeout' | 'backoff' | 'syncCap' | 'quietWindow' | 'heartbeatDeadline';
export interface SpecTimer {
  name: TimerName;
  due: number;
}

/**
 * What issue 2 says should happen, written without looking at the chart: status, consecutive
 * failures, and when each timer is due. The chart (the model) and the real stream are both checked
 * against it, so a change to the chart that breaks a rule fails even though the model moves with it.
 */
export class Spec {
  status: EventStreamStatus = EventStreamStatus.NOT_STARTED;
  /** Consecutive failed attempts or drops since last CONNECTED (or START). */
  failures = 0;
  /** This attempt used its one 401 recovery. */
  authRecovered = false;
  /** The controller's promised silence: the last heartbeat's, else the default. */
  promiseMs: number = POLICY.defaultHeartbeatPromiseMs;
  /** When the current connect step (socket open or auth refresh) began. */
  stepAt = 0;
  /** The attempt waits for the subscriber slot (the previous connection to be gone): no timer runs. */
  waitingForSlot = false;
  lostAt = 0;
  openAt = 0;
  /** First and last frame on the current socket (null: none yet). */
  firstFrameAt: number | null = null;
  lastFrameAt: number | null = null;
  /** What `lastError.code` must be after the last step, when it ended in LOST / FAILED. */
  expectedErrorCode: string | null = null;

  start(now: number): void {
    this.failures = 0; // START after FAILED / STOPPED starts over
    this.status = EventStreamStatus.INITIALIZING;
    this.#beginAttempt(now);
  }

  stop(): void {
    this.status = EventStreamStatus.STOPPED;
  }

  connected(now: number): void {
    this.status = EventStreamStatus.SYNCING;
    this.openAt = now;
    this.firstFrameAt = null;
    this.lastFrameAt = null;
  }

  unauthorized(now: number): void {
    // One recovery per attempt; a second 401 is a verdict on the credentials.
    if (this.authRecovered) this.fail('HANDSHAKE_STATUS');
    else this.stepAt = now;
  }

  refreshed(): void {
    // The retry is a new connection: it too waits for the slot first.
    this.authRecovered = true;
    this.waitingForSlot = true;
  }

  /** The previous connection is gone: the connect step (and its timeout) starts. */
  slotFree(now: number): void {
    this.waitingForSlot = false;
    this.stepAt = now;
  }

  fail(code: string): void {
    this.status = EventStreamStatus.FAILED;
    this.expectedErrorCode = code;
  }

  /** Any failure that is not a verdict on the credentials: LOST, or FAILED at maxAttempts. */
  lose(now: number, code: string): void {
    this.failures++;
    if (this.failures >= POLICY.maxAttempts) return this.fail('MAX_ATTEMPTS');
    this.status = EventStreamStatus.LOST;
    this.lostAt = now;
    this.expectedErrorCode = code;
  }

  frame(now: number, heartbeatSec?: number): void {
    this.firstFrameAt ??= now;
    this.lastFrameAt = now;
    if (heartbeatSec !== undefined) this.promiseMs = heartbeatSec * 1000;
  }

  /**
   * Issue 14: a frame the controller stamped after the subscription began, arriving after the
   * replay's first frame, proves the replay over: SYNCING ends at once, without the quiet window.
   */
  endsReplay(live: boolean): boolean {
    return live && this.status === EventStreamStatus.SYNCING && this.firstFrameAt !== null;
  }

  /** SYNCING → CONNECTED: the one place the backoff resets. */
  live(): void {
    this.status = EventStreamStatus.CONNECTED;
    this.failures = 0;
  }

  reconnect(now: number): void {
    this.status = EventStreamStatus.RECONNECTING;
    this.#beginAttempt(now);
  }

  #beginAttempt(now: number): void {
    this.authRecovered = false;
    this.waitingForSlot = true;
    this.stepAt = now;
    this.expectedErrorCode = null;
  }

  timers(): SpecTimer[] {
    const s = this.status;
    const out: SpecTimer[] = [];
    const watchdog = (): SpecTimer => ({
      name: 'heartbeatDeadline',
      due: (this.lastFrameAt ?? this.openAt) + this.promiseMs + POLICY.heartbeatGraceMs,
    });
    if (s === EventStreamStatus.INITIALIZING || s === EventStreamStatus.RECONNECTING) {
      if (!this.waitingForSlot) out.push({ name: 'connectTimeout', due: this.stepAt + POLICY.connectTimeoutMs });
    } else if (s === EventStreamStatus.LOST) {
      const schedule = POLICY.backoffMs;
      out.push({ name: 'backoff', due: this.lostAt + schedule[Math.min(this.failures, schedule.length) - 1] });
    } else if (s === EventStreamStatus.SYNCING) {
      // Nothing counts down before the replay's first frame; then the quiet window restarts on
      // every frame and the cap counts from the first one.
      if (this.firstFrameAt !== null) out.push({ name: 'syncCap', due: this.firstFrameAt + POLICY.syncMaxMs });
      if (this.lastFrameAt !== null) out.push({ name: 'quietWindow', due: this.lastFrameAt + POLICY.quietMs });
      out.push(watchdog());
    } else if (s === EventStreamStatus.CONNECTED) {
      out.push(watchdog());
    }
    return out.sort((a, b) => a.due - b.due);
  }
}
