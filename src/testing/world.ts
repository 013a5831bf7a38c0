import { createEventStream, EventStreamStatus, silentLogger, type EventStream, type Transport } from '../index';
import { nodeTransport } from '../services/nodeTransport';
import { ControlledAuth, type Deferred } from './auth';
import { ChartClock } from './clock';
import type { LoopbackController, ParkedUpgrade } from './controller';
import { HarnessError } from './errors';
import { heartbeatFrame, OLD_STAMP, statusFrame } from './frames';
import type { CauseRotation } from './hostile';
import { POLICY, type ModelEvent } from './model';
import { until } from './settle';

/**
 * One harness's world: a real `EventStream` (real connect, reader and auth actors, real sockets to
 * the loopback controller) whose chart delays run on a simulated clock, and what the step runners
 * share: the frames sent, the deliveries seen, the pending hostile arrangements.
 */

/** Largest frame the stream accepts here; a bigger one is how the controller makes the socket fail. */
export const MAX_PAYLOAD = 4096;
/** A pin no certificate matches (the stalled TLS listener never shows one anyway). */
const NO_SUCH_PIN = 'AB'.repeat(32);

/** A frame the loopback controller sent that the stream must deliver (see `HarnessStep.frames`). */
export interface HarnessFrame {
  /** The frame's `<node>` (`MB <n> 1`), `''` for a heartbeat. */
  node: string;
  /** Simulated time (ms) when it was sent. */
  at: number;
  /** Wall-clock time (epoch ms) when it was sent. */
  sentAt: number;
  /** A heartbeat's promised silence, in seconds; absent for other frames. */
  heartbeatSec?: number;
  /** Stamped by the controller after the subscription began (a live change), not a replayed status. */
  live: boolean;
  /**
   * Part of the connect-time replay: sent while the stream was SYNCING, and not the live change
   * that ends it. The stream must deliver it with `info.replay` true, and an app must not act on it.
   */
  replay: boolean;
}

/** What the stream's inspector reports, read through the few fields the harness needs. */
export interface Inspection {
  type: string;
  rootId: string;
  actorRef: { sessionId: string };
  event?: { type: string };
}

export class World {
  readonly clock = new ChartClock();
  readonly auth = new ControlledAuth();
  readonly stream: EventStream;
  /** Events delivered to listeners so far (the harness's own count). */
  delivered = 0;
  /** FRAME events the chart received (each frame waits for its own). */
  chartFrames = 0;
  /** Deliveries at the moment the stream was last stopped; null while running. */
  deliveredAtStop: number | null = null;
  /** Frames of the step being run. */
  frames: HarnessFrame[] = [];
  /** The next connection goes to the listener that never answers TLS. */
  toStalledTls = false;
  /** The START of the next step was already issued, unawaited, right after stop(). */
  earlyStart = false;
  /** A stop() not awaited by its caller: it must still resolve within the close grace. */
  pendingStop: { since: number; promise: Promise<void> } | null = null;
  /** The path being run (a STOP looks one step ahead: followed by START, it can be `stop(); start()`). */
  events: readonly ModelEvent[] = [];
  /** Index of the step being run. */
  step = 0;
  #frameSeq = 0;
  /** Frames sent on the current socket, and the controller's last live stamp (epoch ms). */
  #framesOnSocket = 0;
  #lastStamp = 0;
  /** Real time of the accept and of the first frame on the current socket; whether that frame pinned the subscription. */
  #acceptedAt = 0;
  #firstFrameAt = 0;
  #pinned = false;

  constructor(
    readonly controller: LoopbackController,
    readonly rotation: CauseRotation,
    closeGraceMs: number,
    inspect?: (event: unknown) => void,
  ) {
    // The world decides per connection where it goes: the stalled-TLS cause redirects one.
    // It also lifts the transport's real-time handshake limit (the policy's connectTimeoutMs, in
    // real ms): in the harness, time is the simulated clock's, and the chart's connectTimeout is what
    // ends a stalled attempt. A real-time limit would race the steps on a loaded machine (an upgrade
    // parked for more than 400 real ms until the step accepts it).
    const transport: Transport = {
      open: (request, listener) => {
        const stalled = this.toStalledTls;
        this.toStalledTls = false;
        const to = stalled
          ? { ...request, url: controller.stalledTlsUrl, tls: { fingerprint256: NO_SUCH_PIN } }
          : request;
        return nodeTransport.open({ ...to, handshakeTimeoutMs: undefined }, listener);
      },
    };
    this.stream = createEventStream({
      url: controller.url,
      auth: this.auth,
      transport,
      ...POLICY,
      closeGraceMs,
      maxPayload: MAX_PAYLOAD,
      logger: silentLogger,
      clock: this.clock,
      random: () => 0,
      inspect: (ev) => {
        this.#inspect(ev);
        inspect?.(ev);
      },
    });
    this.stream.onEvent(() => this.delivered++);
  }

  #inspect(ev: Inspection): void {
    if (ev.actorRef.sessionId !== ev.rootId) return; // only the stream's own chart, not its children
    if (ev.type === '@xstate.event' && ev.event?.type === 'FRAME') this.chartFrames++;
  }

  /** Simulated now, in ms. */
  get now(): number {
    return this.clock.now();
  }

  get open(): boolean {
    const s = this.stream.status;
    return s === EventStreamStatus.SYNCING || s === EventStreamStatus.CONNECTED;
  }

  socket() {
    const ws = this.controller.current;
    if (!ws)
      throw new HarnessError(
        'NO_SOCKET',
        `the step needs the stream's socket, but the controller has none (${this.stream.status})`,
      );
    return ws;
  }

  /** A new socket was accepted: its frames start over. */
  accepted(): void {
    this.#acceptedAt = Date.now();
    this.#framesOnSocket = 0;
    this.#pinned = false;
  }

  /** The next frame's text, counted. */
  nextFrame(heartbeatSec?: number, timestamp: string | null = null): { text: string; node: string } {
    const seq = this.#frameSeq++;
    return heartbeatSec === undefined
      ? { text: statusFrame(seq, timestamp), node: `MB ${seq} 1` }
      : { text: heartbeatFrame(seq, heartbeatSec, timestamp), node: '' };
  }

  /**
   * How the controller stamps the next frame: replayed frames with an old last-change time, except
   * the replay's first, stamped at the subscription (as the eisy does its `_5` status); live frames
   * (a live change, or anything after the replay) with its clock now; `null` for none.
   */
  #stamp(live: boolean, untimed: boolean, floor = 0): string | null | undefined {
    const first = this.#framesOnSocket++ === 0;
    if (first) this.#firstFrameAt = Date.now();
    if (untimed) return null;
    if (first) this.#pinned = true;
    const inReplay = this.stream.status === EventStreamStatus.SYNCING;
    if (inReplay && !live && !first) return undefined; // the fixed stamp, long past
    this.#lastStamp = Math.max(Date.now(), this.#lastStamp + 1, floor);
    return new Date(this.#lastStamp).toISOString();
  }

  /** Send one frame on the open socket and wait until the chart has it and listeners got it. */
  async sendFrame(heartbeatSec?: number, live = false, untimed = false): Promise<void> {
    const ws = this.socket();
    const seen = this.chartFrames;
    const delivered = this.delivered;
    const endsReplay = live && this.stream.status === EventStreamStatus.SYNCING && this.#framesOnSocket > 0;
    // No replayed frame was stamped at the subscription (the first one had no timestamp): the
    // stream only knows the subscription to the second of the Date header, so the live change is
    // stamped (not sent: no real second is waited) more than that second after the replay began.
    const floor =
      endsReplay && !this.#pinned ? this.#firstFrameAt + 1100 + Math.max(0, this.#firstFrameAt - this.#acceptedAt) : 0;
    const stamp = this.#stamp(live, untimed, floor);
    const frame = this.nextFrame(heartbeatSec, stamp === undefined ? OLD_STAMP : stamp);
    const replay = this.stream.status === EventStreamStatus.SYNCING && !endsReplay;
    this.frames.push({ node: frame.node, at: this.now, sentAt: Date.now(), heartbeatSec, live, replay });
    ws.send(frame.text);
    await until(
      () => this.chartFrames > seen && this.delivered > delivered,
      'STEP_NOT_REACHED',
      () => `frame ${frame.node || 'heartbeat'} to reach the chart and the listeners`,
    );
  }

  async headersRequest(): Promise<Deferred<Record<string, string>>> {
    await until(
      () => this.auth.headersRequest !== null,
      'STEP_NOT_REACHED',
      () => 'the connect attempt to ask auth for headers',
    );
    return this.auth.takeHeaders()!;
  }

  async refreshRequest(): Promise<Deferred<boolean>> {
    await until(
      () => this.auth.refreshRequest !== null,
      'STEP_NOT_REACHED',
      () => 'the stream to ask auth to recover from 401',
    );
    return this.auth.takeRefresh()!;
  }

  /** Let the attempt past auth and wait for its upgrade request to reach the controller. */
  async upgrade(): Promise<ParkedUpgrade> {
    (await this.headersRequest()).resolve({});
    await until(
      () => this.controller.parked !== undefined,
      'STEP_NOT_REACHED',
      () => 'the upgrade request to reach the controller',
    );
    return this.controller.parked!;
  }
}
