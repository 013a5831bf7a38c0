/**
 * Why a path harness gave up on a step. Every code names something the real stream (or its
 * controller link) did that the chart's path does not allow, or a step the harness could not make
 * happen in the real world.
 *
 * - `STEP_NOT_REACHED`: after a step, the real stream did not reach the step's chart state within
 *   the settle bound (default 3000 ms of real time).
 * - `SOCKETS`: the controller holds the wrong number of sockets for the step's status (one while
 *   SYNCING or CONNECTED, none otherwise), or saw two TCP connections of the stream at once.
 * - `DELIVERED_AFTER_STOP`: an event reached the stream's listeners after `stop()`.
 * - `OPENED_AFTER_STOP`: an auth answer that arrived after `stop()` opened a connection.
 * - `STOP_TIMEOUT`: `stop()` did not resolve in time (a socket it cannot close).
 * - `DEAD_LINK`: a link declared dead (heartbeat deadline, connect timeout) was not destroyed at
 *   once, or a close frame was sent to a peer that had stopped answering.
 * - `TIMER`: the step fires a chart timer that is not pending, or not the first to fire, or a timer
 *   changed the stream's state before its deadline.
 * - `NO_SOCKET`: the step needs the open controller socket (a frame, a drop) and there is none.
 * - `UNKNOWN_EVENT`: the path holds an event the harness has no way to cause.
 * - `LEFT_OPEN`: after `close()`, a socket or a chart timer was still there.
 * - `CLOSED`: `run()` on a harness that is closed.
 */
export type HarnessErrorCode =
  | 'STEP_NOT_REACHED'
  | 'SOCKETS'
  | 'DELIVERED_AFTER_STOP'
  | 'OPENED_AFTER_STOP'
  | 'STOP_TIMEOUT'
  | 'DEAD_LINK'
  | 'TIMER'
  | 'NO_SOCKET'
  | 'UNKNOWN_EVENT'
  | 'LEFT_OPEN'
  | 'CLOSED';

/** Thrown by `createPathHarness()`'s `run()` and `close()`; `code` says what went wrong (see {@link HarnessErrorCode}). */
export class HarnessError extends Error {
  /** What went wrong. */
  readonly code: HarnessErrorCode;

  /** @param code what went wrong; @param message the details (states, counts, times). */
  constructor(code: HarnessErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'HarnessError';
    this.code = code;
  }
}
