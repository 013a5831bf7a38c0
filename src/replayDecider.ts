/**
 * Replay or live, frame by frame, for one stream: the controller's clock first (a frame's
 * timestamp against the subscription's start, see `dispatcher/replayClock.ts`), else the chart's
 * phase (the quiet window). The first live frame tells the chart before it is delivered, so
 * CONNECTED, the mirror's sweep and then the live change happen in that order.
 */
import type { IoxEvent } from './dispatcher';
import {
  ReplayClock,
  type ClockFallbackReason,
  type ReplayClockStats,
  type SubscriptionStart,
} from './dispatcher/replayClock';
import type { Logger } from './logger';

/** Said once per stream when frames cannot be classified by their timestamp. */
const FALLBACK_NOTES: Record<ClockFallbackReason, string> = {
  'no-timestamp': 'frames carry no timestamp (ISY994 v4?)',
  'bad-timestamp': 'a frame timestamp is not ISO 8601 with an offset, or the controller clock is unset',
  'no-reference': "no Date header on the upgrade and the controller's clock is not calibrated yet",
  'clock-jump': "the controller's clock jumped; recalibrating on live frames",
};

/** What a {@link ReplayDecider} needs from its stream. */
export interface ReplayDeciderOptions {
  /** Classify by the controller's clock (the `replayByClock` option); false: by the chart's phase only. */
  byClock: boolean;
  /** Where the one-time fallback notes go. */
  logger: Logger;
  /** True once the stream is STOPPED (a status listener may stop it when the first live frame arrives). */
  stopped: () => boolean;
}

/** Decides `info.replay` for each event a stream delivers. */
export class ReplayDecider {
  readonly #clock = new ReplayClock();
  readonly #byClock: boolean;
  readonly #logger: Logger;
  readonly #stopped: () => boolean;
  readonly #fallbacksLogged = new Set<ClockFallbackReason>();
  /** The frame being delivered: its arrival, the chart's phase, and how to tell the chart it is live. */
  #arrivedAt = 0;
  #phaseReplay = true;
  #liveArrived: () => void = () => {};

  /**
   * `info.replay` for a parsed event of the current frame (give it to `dispatcher.feed`; made once,
   * so a frame allocates no closure). `null` drops the event: the stream was stopped meanwhile.
   */
  readonly decide = (event: IoxEvent): boolean | null => this.#classify(event);

  constructor(options: ReplayDeciderOptions) {
    this.#byClock = options.byClock;
    this.#logger = options.logger;
    this.#stopped = options.stopped;
  }

  /** Replay vs live counters, and the reason for falling back to the quiet window. */
  get stats(): Readonly<ReplayClockStats> {
    return this.#clock.stats;
  }

  /** A subscription opened (SYNCING). */
  begin(start: SubscriptionStart): void {
    this.#clock.begin(start);
  }

  /** The chart reached CONNECTED. */
  connected(): void {
    this.#clock.connected();
  }

  /** A frame arrives now: `replay` is the chart's phase, `liveArrived` tells the chart a live frame came. */
  frame(replay: boolean, liveArrived: () => void): void {
    this.#arrivedAt = Date.now();
    this.#phaseReplay = replay;
    this.#liveArrived = liveArrived;
  }

  #classify(event: IoxEvent): boolean | null {
    if (!this.#byClock) return this.#phaseReplay;
    const verdict = this.#clock.classify(event.timestamp, this.#arrivedAt);
    if (verdict === 'live') {
      if (this.#phaseReplay) {
        this.#liveArrived();
        if (this.#stopped()) return null;
      }
      return false;
    }
    if (verdict === 'replay') return true;
    const reason = this.#clock.stats.fallback;
    if (reason !== null && !this.#fallbacksLogged.has(reason)) {
      this.#fallbacksLogged.add(reason);
      this.#logger.info(`replay vs live by the quiet window: ${FALLBACK_NOTES[reason]}`);
    }
    return this.#phaseReplay;
  }
}
