import type { ErrorSummary } from '../errors';

/** Everything the chart reacts to, besides the done/error events of its invoked actors. */
export type StreamEvent =
  /** The user asked the stream to run. */
  | {
      /** `START` */
      type: 'START';
    }
  /** The user asked the stream to stop. */
  | {
      /** `STOP` */
      type: 'STOP';
    }
  /**
   * Frames arrived on the open socket (`count` of them, in one I/O turn: the reader coalesces a
   * burst into one event so the chart's cost does not grow with the frame rate). `heartbeatSec`
   * is set when one of them was a `_0` heartbeat.
   */
  | {
      /** `FRAME` */
      type: 'FRAME';
      /** Frames in this I/O turn, at least 1. */
      count: number;
      /** The promise of the last `_0` heartbeat among them, in seconds (its `<action>`). */
      heartbeatSec?: number;
    }
  /**
   * A live frame arrived: the controller stamped it after the subscription began, so the replay
   * (sent before any live change) is over. Sent by the reader before that frame is delivered.
   */
  | {
      /** `LIVE_FRAME` */
      type: 'LIVE_FRAME';
    }
  /** The open socket closed. */
  | {
      /** `SOCKET_CLOSED` */
      type: 'SOCKET_CLOSED';
      /** The WebSocket close code (RFC 6455; 1006 when the link died without a close frame). */
      code: number;
      /** The close reason text, possibly empty. */
      reason: string;
    }
  /** The open socket failed. */
  | {
      /** `SOCKET_ERROR` */
      type: 'SOCKET_ERROR';
      /** What failed, safe to log. */
      error: ErrorSummary;
    };

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
  /** The socket `connect` opened. */
  link: OpenLink;
}

/** What the chart tells the `reader`: the replay is over, frames from now on are live. */
export type ReaderEvent = {
  /** `LIVE` */
  type: 'LIVE';
};
