import type { ErrorSummary } from '../errors';

/** Everything the chart reacts to, besides the done/error events of its invoked actors. */
export type StreamEvent =
  /** The user asked the stream to run. */
  | { type: 'START' }
  /** The user asked the stream to stop. */
  | { type: 'STOP' }
  /**
   * Frames arrived on the open socket (`count` of them, in one I/O turn: the reader coalesces a
   * burst into one event so the chart's cost does not grow with the frame rate). `heartbeatSec`
   * is set when one of them was a `_0` heartbeat.
   */
  | { type: 'FRAME'; count: number; heartbeatSec?: number }
  /**
   * A live frame arrived: the controller stamped it after the subscription began, so the replay
   * (sent before any live change) is over. Sent by the reader before that frame is delivered.
   */
  | { type: 'LIVE_FRAME' }
  /** The open socket closed. */
  | { type: 'SOCKET_CLOSED'; code: number; reason: string }
  /** The open socket failed. */
  | { type: 'SOCKET_ERROR'; error: ErrorSummary };

/**
 * What the `connect` actor hands to the `reader` actor: an open socket. The chart only carries it
 * from one to the other and never looks inside, so it stays free of I/O.
 */
export interface OpenLink {
  /** Drop the link at once, without a closing handshake (for a link already known dead). */
  abandon(): void;
}

/** Input of the `connect` actor. */
export interface ConnectInput {
  /** 0 for the first attempt after START or CONNECTED, then 1, 2, ... */
  failures: number;
}

/** Input of the `reader` actor. */
export interface ReaderInput {
  link: OpenLink;
}

/** What the chart tells the `reader`: the replay is over, frames from now on are live. */
export type ReaderEvent = { type: 'LIVE' };
