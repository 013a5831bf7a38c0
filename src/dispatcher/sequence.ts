/**
 * Sequence-number tracking. `seqnum` counts up by one per frame within a subscription and
 * restarts at 0 with every new subscription, so a discontinuity is only meaningful within one
 * `sid`, and only since the current socket opened (`reset()`): the controller may reuse a `sid`
 * such as `uuid:1` across reconnects.
 */
import type { IoxEvent, SequenceGap } from './types';

/** Detects gaps and backward steps in `seqnum`. */
export class SequenceTracker {
  private sid: string | null = null;
  private last = -1;

  /** Forget the baseline (a new socket opened). */
  reset(): void {
    this.sid = null;
    this.last = -1;
  }

  /** Feeds one event; returns the discontinuity it reveals, if any. Events without a seqnum are ignored. */
  check(event: IoxEvent): SequenceGap | null {
    const received = event.seqnum;
    if (received < 0) return null;
    if (event.sid !== this.sid) {
      // A new subscription: its numbering starts over, nothing to compare with.
      this.sid = event.sid;
      this.last = received;
      return null;
    }
    const expected = this.last + 1;
    // Follow the stream even after a discontinuity, so one gap is reported once.
    this.last = received;
    if (received === expected) return null;
    return received > expected
      ? { sid: event.sid, expected, received, kind: 'gap', missed: received - expected }
      : { sid: event.sid, expected, received, kind: 'backwards', missed: 0 };
  }
}
