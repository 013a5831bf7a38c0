/**
 * Replay or live, by the controller's own clock.
 *
 * On every subscription the controller first replays the status of everything it knows, each frame
 * stamped with that item's *last-change* time, then sends live changes stamped with its current
 * time. So a frame is replay when its `timestamp` is at or before the moment the subscription began
 * on the controller's clock, and live when it is after. Measured on the real eisy capture
 * (`fixtures/eisy6/ws-frames.jsonl`, see BENCHMARKS.md): 422 of the 424 replayed frames are minutes
 * to weeks old, the other two (`_5` system status, the replay's 2nd and 3rd frames) are stamped at
 * the subscription itself, 57 and 117 ms before the replay's first frame arrived; all 37 live frames
 * are stamped 0.944-0.949 s *after* their arrival by this machine's clock: the controller's clock ran
 * 0.95 s ahead, steadily.
 *
 * The moment the subscription began, on the controller's clock (the reference), comes from:
 * - the *calibrated offset*: controller clock minus local clock, the largest `timestamp - arrival`
 *   seen on live frames (a frame never arrives before it was stamped, so every frame gives a lower
 *   bound, and fresh live frames, heartbeats included, make it tight to the link latency). It is
 *   steady, so it carries over to the next subscription: the replay began, at the latest, when its
 *   first frame arrived, so reference = that arrival + offset (+ {@link STAMP_JITTER_MS}).
 * - the upgrade response's `Date` header, when the controller sends one: second resolution only, so
 *   the reference is the end of that second plus the time the replay took to start.
 * - either way, the replay's *header* (its first {@link HEADER_FRAMES} frames) pins it to the
 *   millisecond: controllers stamp some of those system frames (`_5` on the eisy capture; `_26`,
 *   `_25`, `_28`, `_1`/`8`, `_3` in the PyISY log) at the subscription itself. A header frame that is
 *   replay by the rule above and stamped no earlier than the upgrade (the `Date` second, or the
 *   upgrade by the calibrated clock less {@link HEADER_PIN_MS}) becomes the reference.
 *
 * Where the timestamps cannot decide, the verdict is `undecided` and the stream falls back to the
 * quiet window for that frame: no `timestamp` (ISY994 v4), one that does not parse, no reference yet
 * (first subscription, no `Date` header), or a clock that jumped.
 *
 * Assumption (true of every capture we have, unverifiable otherwise): the controller sends a
 * subscription's whole replay before its first live frame. So once one frame is live, or the chart
 * reached CONNECTED, the replay is over and every later frame is live; one stamped at or before the
 * reference is only counted (`staleAfterReplay`).
 */

/** What the stamps say about one frame. */
export type ReplayVerdict = 'replay' | 'live' | 'undecided';

/** Why frames of a subscription could not be classified by their timestamp. */
export type ClockFallbackReason =
  /** The frame carried no `timestamp` (ISY994 v4). */
  | 'no-timestamp'
  /** The `timestamp` is not ISO 8601 with an offset, or names an impossible year. */
  | 'bad-timestamp'
  /** First subscription, no `Date` header: nothing yet tells the controller's clock from ours. */
  | 'no-reference'
  /** A frame was stamped later than the calibrated clock allows: the controller's clock jumped. */
  | 'clock-jump';

/** Where the reference of the current subscription comes from. */
export type ReplayReference = 'calibrated' | 'date-header' | 'none';

/** How the local side saw the subscription begin. */
export interface SubscriptionStart {
  /** Local epoch ms when the upgrade completed. */
  openedAt: number;
  /**
   * Local epoch ms when the connection was asked for, before the upgrade request went out. With a
   * `Date` header it bounds how late the replay can start after the controller answered, whatever
   * the delay between that answer and the local 'open' (network, a busy event loop). Without it,
   * `openedAt` is used, which that delay can make too tight.
   */
  requestedAt?: number;
  /** The upgrade response's `Date` header, verbatim, when there was one. */
  serverDate?: string;
}

/** Counters, for `stream.stats.replay`. */
export interface ReplayClockStats {
  /** Frames whose replay/live flag came from their timestamp. */
  byClock: number;
  /** Frames flagged by the chart's phase instead (quiet-window fallback). */
  byQuietWindow: number;
  /** Frames after the replay (delivered live) stamped at or before the subscription: a clock stepping back, or a controller interleaving its replay. */
  staleAfterReplay: number;
  /** Controller clock minus local clock in ms (a tight lower bound), once calibrated; else null. */
  clockOffsetMs: number | null;
  /** Where the current subscription's reference comes from. */
  reference: ReplayReference;
  /** Why the last undecided frame could not be classified; null while every frame was. */
  fallback: ClockFallbackReason | null;
}

/** The replay's first frames, where controllers put system status stamped at the subscription. */
export const HEADER_FRAMES = 8;
/** Stamps and arrivals are whole milliseconds: a frame stamped in the ms it arrived is still "before". */
export const STAMP_JITTER_MS = 10;
/** How far before the upgrade (by the calibrated clock) a header frame may be stamped and still pin the subscription. */
export const HEADER_PIN_MS = 250;
/** A live frame stamped this much later than the calibrated offset allows means the clock jumped. */
export const CLOCK_JUMP_MS = 2000;

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The controller's `timestamp` attribute (`2026-05-06T14:34:43.779036-07:00`) as epoch ms, or
 * `undefined` when it is absent or not ISO 8601 with an offset, or its year is before 2000 or after
 * 2200 (a controller that never got the time). Sub-millisecond digits are dropped.
 */
export function parseControllerTime(timestamp: string): number | undefined {
  const m = ISO_8601.exec(timestamp);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  const year = Number(y);
  if (year < 2000 || year > 2200) return undefined;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60)
    return undefined;
  const ms = frac === '' ? 0 : Number(frac.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s), ms);
  if (zone === 'Z') return utc;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  return utc - sign * offsetMin * 60_000;
}

/** An HTTP `Date` header as epoch ms (second resolution), or undefined. */
function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Classifies the frames of one stream, subscription after subscription. `begin()` at every new
 * socket, `classify()` for every event in arrival order, `connected()` when the chart reaches
 * CONNECTED. Pure bookkeeping: no timers, the caller passes arrival times.
 */
export class ReplayClock {
  /** How frames were classified so far, and on what evidence (live object, updated in place). */
  readonly stats: ReplayClockStats = {
    byClock: 0,
    byQuietWindow: 0,
    staleAfterReplay: 0,
    clockOffsetMs: null,
    reference: 'none',
    fallback: null,
  };

  /** Controller minus local clock, from live frames; carried across subscriptions. */
  #offset: number | undefined;
  #start: SubscriptionStart = { openedAt: 0 };
  #dateMs: number | undefined;
  #firstArrival: number | undefined;
  /** The latest header frame stamped at the subscription: the reference, once there is one. */
  #pin = Number.NEGATIVE_INFINITY;
  #position = 0;
  /** A live frame (by its stamp) or CONNECTED ended this subscription's replay. */
  #replayOver = false;
  #jumped = false;

  /** A new socket is open: its replay is about to begin. */
  begin(start: SubscriptionStart): void {
    this.#start = start;
    this.#dateMs = parseHttpDate(start.serverDate);
    this.#firstArrival = undefined;
    this.#pin = Number.NEGATIVE_INFINITY;
    this.#position = 0;
    this.#replayOver = false;
    this.#jumped = false;
    this.stats.reference =
      this.#offset !== undefined ? 'calibrated' : this.#dateMs !== undefined ? 'date-header' : 'none';
  }

  /** The chart reached CONNECTED (by a live frame, the quiet window or the cap). */
  connected(): void {
    this.#replayOver = true;
  }

  /**
   * The verdict for one event, given its `timestamp` attribute and its local arrival time (epoch ms).
   * Call it for every event in arrival order: positions matter.
   */
  classify(timestamp: string, arrivedAt: number): ReplayVerdict {
    const position = this.#position++;
    this.#firstArrival ??= arrivedAt;
    const stamp = timestamp === '' ? undefined : parseControllerTime(timestamp);
    if (stamp === undefined) return this.#undecided(timestamp === '' ? 'no-timestamp' : 'bad-timestamp');

    if (this.#offset !== undefined && stamp - arrivedAt > this.#offset + CLOCK_JUMP_MS) {
      // Stamped well after it arrived by the calibrated clock: the controller's clock stepped forward.
      // Nothing this subscription measured can be trusted; learn the clock again from live frames.
      this.#offset = undefined;
      this.stats.clockOffsetMs = null;
      this.#jumped = true;
    }
    const reference = this.#jumped ? undefined : this.#reference();
    if (this.#replayOver) {
      // Past the replay every frame is live (FIFO); live frames keep the clock calibrated.
      if (reference !== undefined && stamp <= reference) this.stats.staleAfterReplay++;
      this.#learn(stamp, arrivedAt);
      return reference === undefined
        ? this.#undecided(this.#jumped ? 'clock-jump' : 'no-reference')
        : this.#decided('live');
    }
    if (reference === undefined) return this.#undecided(this.#jumped ? 'clock-jump' : 'no-reference');
    if (stamp <= reference) {
      if (position < HEADER_FRAMES && stamp > this.#pin && stamp >= this.#freshFloor()) this.#pin = stamp;
      return this.#decided('replay');
    }
    this.#replayOver = true;
    this.#learn(stamp, arrivedAt);
    return this.#decided('live');
  }

  /** The moment the subscription began on the controller's clock, as well as it is known. */
  #reference(): number | undefined {
    if (this.#pin > Number.NEGATIVE_INFINITY) return this.#pin;
    const first = this.#firstArrival ?? this.#start.openedAt;
    if (this.#offset !== undefined) return first + this.#offset + STAMP_JITTER_MS;
    // The Date header names the second the upgrade was answered in: the subscription began within
    // it, plus however long the replay took to start. That is at most the local time from the
    // request to the first frame (the answer came after the request, the first frame was stamped
    // before it arrived); measured from 'open' instead, a late 'open' (the answer at :00.980, seen at
    // :01.020) would call the replay's first frames live.
    const since = this.#start.requestedAt ?? this.#start.openedAt;
    if (this.#dateMs !== undefined) return this.#dateMs + 1000 + Math.max(0, first - since);
    return undefined;
  }

  /** How early a header frame may be stamped and still count as stamped at the subscription. */
  #freshFloor(): number {
    if (this.#offset !== undefined) return this.#start.openedAt + this.#offset - HEADER_PIN_MS;
    return this.#dateMs ?? Number.POSITIVE_INFINITY;
  }

  #learn(stamp: number, arrivedAt: number): void {
    const offset = stamp - arrivedAt;
    if (this.#offset === undefined || offset > this.#offset) {
      this.#offset = offset;
      this.stats.clockOffsetMs = offset;
    }
  }

  #decided(verdict: ReplayVerdict): ReplayVerdict {
    this.stats.byClock++;
    return verdict;
  }

  #undecided(reason: ClockFallbackReason): ReplayVerdict {
    this.stats.byQuietWindow++;
    this.stats.fallback = reason;
    return 'undecided';
  }
}
