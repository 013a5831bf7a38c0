/** The dispatcher's counters, and their starting values. */
import type { DropReason } from './envelope';

/** Counters, updated as frames are fed. */
export interface DispatcherStats {
  /** Every call to `feed`. */
  framesFed: number;
  /** Frames that produced an `IoxEvent`. */
  eventsParsed: number;
  /** Frames that did not, by reason (`not-event`, `malformed`, ...); every {@link DropReason} is present from the start. */
  dropped: Record<string, number>;
  /** Frames that parsed only after stray `&` were escaped. */
  repaired: number;
  /** Frames the fast tiers passed on, so fast-xml-parser parsed (or rejected) them. */
  fallbacks: number;
  /** Listener calls that threw. */
  listenerErrors: number;
  /** Sequence discontinuities reported on `onGap`. */
  gaps: number;
  /** Structured system events whose payload did not fit the decoder (delivered on `onEvent` only). */
  undecodable: number;
  /** Node mirror entries removed by the sweep at the end of replays. */
  swept: number;
}

const DROP_REASONS: readonly DropReason[] = [
  'not-string',
  'empty',
  'bad-envelope',
  'not-event',
  'not-event-root',
  'no-control',
  'malformed',
];

/** All counters at zero, with a `dropped` entry for every reason. */
export function newDispatcherStats(): DispatcherStats {
  const dropped: Record<string, number> = {};
  for (const reason of DROP_REASONS) dropped[reason] = 0;
  return {
    framesFed: 0,
    eventsParsed: 0,
    dropped,
    repaired: 0,
    fallbacks: 0,
    listenerErrors: 0,
    gaps: 0,
    undecodable: 0,
    swept: 0,
  };
}
