import { fromCallback } from 'xstate';
import type { IoxEvent } from '../dispatcher/types';
import type { ReaderEvent, ReaderInput } from '../machine/events';
import { decodeHeartbeat } from '../dispatcher/decoders';
import type { Link } from './subscriberSlot';

/**
 * Receives every frame, in order, with whether the chart still considers it part of the
 * connect-time replay (the flag for frames whose timestamp cannot decide), and returns what it
 * parsed to (`null` when dropped): the reader learns a heartbeat's promise from the parsed `_0`
 * event, so no frame is read twice. It calls `liveArrived` when the controller's clock proves a
 * frame live, *before* delivering that frame, so CONNECTED comes before the first live change.
 */
export type FrameSink = (raw: string, replay: boolean, liveArrived: () => void) => IoxEvent | null;

/**
 * The `reader` actor: reads the open link for as long as the chart stays in OPEN.
 *
 * Every frame goes straight to `deliver` (the dispatcher), which flags it replay or live by its
 * timestamp, or by the chart's phase (replay until the chart says LIVE) where the timestamp cannot
 * decide. A frame proved live while the chart is still syncing is told at once (LIVE_FRAME); a
 * `_0` heartbeat among them tells the watchdog its promise. The chart itself hears one
 * FRAME per I/O turn, not one per frame: a burst of frames read
 * from one TCP chunk arrives at the same instant anyway, so the quiet window and the watchdog stay
 * exact while the chart's cost stops growing with the frame rate.
 *
 * The end of the socket becomes SOCKET_CLOSED or SOCKET_ERROR. The clean-up only lets go of the
 * link (nothing is delivered after it); ending the connection is the chart's own business
 * (`releaseLink` when OPEN is left, `abandonLink` when the link is dead), on the subscriber slot
 * that owns it.
 */
export function createReaderActor(sinkForThisRun: () => FrameSink) {
  return fromCallback<ReaderEvent, ReaderInput>(({ input, sendBack, receive }) => {
    const link = input.link as Link;
    const deliver = sinkForThisRun();
    let replay = true;
    let pending = 0;
    let heartbeatSec: number | undefined;

    const flush = () => {
      if (pending === 0) return;
      const event =
        heartbeatSec === undefined
          ? { type: 'FRAME' as const, count: pending }
          : { type: 'FRAME' as const, count: pending, heartbeatSec };
      pending = 0;
      heartbeatSec = undefined;
      sendBack(event);
    };

    receive((event) => {
      if (event.type === 'LIVE') replay = false;
    });
    const liveArrived = () => {
      if (replay) sendBack({ type: 'LIVE_FRAME' });
    };

    link.attach({
      frame: (raw) => {
        const event = deliver(raw, replay, liveArrived);
        if (event !== null && event.control === '_0') {
          const heartbeat = decodeHeartbeat(event);
          if (heartbeat !== null) heartbeatSec = heartbeat.maxSilenceSeconds;
        }
        if (pending++ === 0) queueMicrotask(flush);
      },
      closed: (code, reason) => {
        flush();
        sendBack({ type: 'SOCKET_CLOSED', code, reason });
      },
      failed: (error) => {
        flush();
        sendBack({ type: 'SOCKET_ERROR', error });
      },
    });

    // Nothing reaches the chart after the clean-up: a detached link calls no handler, and xstate
    // drops a stopped callback actor's sendBack (the flush already queued for this turn included).
    return () => link.detach();
  });
}
