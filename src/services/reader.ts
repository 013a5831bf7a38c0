import { fromCallback } from 'xstate';
import type { IoxEvent } from '../dispatcher/types';
import type { ReaderEvent, ReaderInput, StreamEvent } from '../machine/events';
import { decodeHeartbeat } from '../dispatcher/decoders';
import type { SocketLink } from './socketLink';

type ReaderFrame = Extract<StreamEvent, { type: 'FRAME' }>;

/** What became of one frame: the parsed event (`null` when dropped), and whether its timestamp proved it live. */
export interface FrameOutcome {
  event: IoxEvent | null;
  /** The controller's clock says this frame is a live change: the replay is over. */
  live: boolean;
}

/**
 * Receives every frame, in order, with whether the chart still considers it part of the
 * connect-time replay (the fallback when its timestamp cannot decide), and says what became of it:
 * the reader learns a heartbeat's promise from the parsed `_0` event, so no frame is read twice.
 */
export type FrameSink = (raw: string, replay: boolean) => FrameOutcome;

/**
 * The `reader` actor: reads the open link for as long as the chart stays in OPEN.
 *
 * Every frame goes straight to `deliver` (the dispatcher), which flags it replay or live by its
 * timestamp, or by the chart's phase (replay until the chart says LIVE) where the timestamp cannot
 * decide; a frame proved live, or a `_0` heartbeat, among them is told to the chart. The chart itself hears one
 * FRAME per I/O turn, not one per frame: a burst of frames read
 * from one TCP chunk arrives at the same instant anyway, so the quiet window and the watchdog stay
 * exact while the chart's cost stops growing with the frame rate.
 *
 * The end of the socket becomes SOCKET_CLOSED or SOCKET_ERROR. The clean-up closes the link, so
 * leaving OPEN for any reason (STOP, dead link, a close) can never leak a socket, and nothing is
 * delivered after it.
 */
export function createReaderActor(deliver: FrameSink) {
  return fromCallback<ReaderEvent, ReaderInput>(({ input, sendBack, receive }) => {
    const link = input.link as SocketLink;
    let replay = true;
    let active = true;
    let pending = 0;
    let heartbeatSec: number | undefined;
    let live = false;

    const flush = () => {
      if (!active || pending === 0) return;
      const event: ReaderFrame = { type: 'FRAME', count: pending };
      if (heartbeatSec !== undefined) event.heartbeatSec = heartbeatSec;
      if (live) event.live = true;
      pending = 0;
      heartbeatSec = undefined;
      live = false;
      sendBack(event);
    };

    receive((event) => {
      if (event.type === 'LIVE') replay = false;
    });

    link.attach({
      frame: (raw) => {
        if (!active) return;
        const outcome = deliver(raw, replay);
        const event = outcome.event;
        if (outcome.live) live = true;
        if (event !== null && event.control === '_0') {
          const heartbeat = decodeHeartbeat(event);
          if (heartbeat !== null) heartbeatSec = heartbeat.maxSilenceSeconds;
        }
        if (pending++ === 0) queueMicrotask(flush);
      },
      closed: (code, reason) => {
        flush();
        if (active) sendBack({ type: 'SOCKET_CLOSED', code, reason });
      },
      failed: (error) => {
        flush();
        if (active) sendBack({ type: 'SOCKET_ERROR', error });
      },
    });

    return () => {
      active = false;
      link.release();
    };
  });
}
