/**
 * `EventStream`: the chart (`machine/streamMachine.ts`) running with its actors, its frames fed to
 * the dispatcher, and the public face users hold. Its parts each have a module: the status users
 * hear (`statusFeed.ts`), replay vs live per frame (`replayDecider.ts`), the auth strategy's
 * clean-up after a stop (`authCleanup.ts`), and the one socket at the controller
 * (`services/subscriberSlot.ts`).
 */
import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import { legacyIsyUpgrade } from './auth/legacy';
import { AuthCleanup } from './authCleanup';
import type { Auth } from './auth/types';
import { EventDispatcher } from './dispatcher';
import type { ReplayClockStats } from './dispatcher/replayClock';
import { AuthRejectedError, type ErrorSummary } from './errors';
import { defaultLogger, safeLogger, type Logger } from './logger';
import { EventStreamStatus, statusOf } from './machine/status';
import { MAX_TIMER_MS } from './machine/policy';
import { streamMachine } from './machine/streamMachine';
import { DEFAULT_MAX_PAYLOAD, resolveEndpoint, resolvePolicy, type EventStreamOptions } from './options';
import { createConnectActor, createSlotReleaseActor } from './services/connect';
import { defaultTransport } from './services/defaultTransport';
import { createReaderActor, type FrameSink } from './services/reader';
import { ReplayDecider } from './replayDecider';
import { StatusFeed, type ConnectionStats, type StatusChange } from './statusFeed';
import { createRefreshAuthActor } from './services/refreshAuth';
import { SubscriberSlot, type Link } from './services/subscriberSlot';
import { waitForStatus, type WaitForOptions } from './waitFor';

/** Without `auth` a 401 is not wrong credentials but missing ones: say so, and how to give them. */
export const CREDENTIALS_REQUIRED =
  'the controller requires credentials (HTTP 401) and none were given: pass `auth`, e.g. new LocalAuth(user, password) or new PortalAuth({ email, password })';

/** `stream.stats`: connection counters and how frames were told replay from live. */
export interface StreamStats extends ConnectionStats {
  /** Replay vs live by the controller's clock, and how often it fell back to the quiet window. */
  replay: ReplayClockStats;
}

const NO_AUTH: Auth = {
  headers: () => ({}),
  handleUnauthorized: () => Promise.reject(new AuthRejectedError(CREDENTIALS_REQUIRED, 401)),
};

/** The running chart behind an {@link EventStream}: subscribe to it, or read its snapshot. */
export type StreamActor = Actor<typeof streamMachine>;

/**
 * A live, self-healing subscription to a controller's event stream.
 *
 * Create it with {@link createEventStream}. Its life cycle is the `streamMachine` statechart;
 * `actor` is that chart running, for inspection.
 */
export class EventStream {
  /** The running statechart (an XState actor). */
  readonly actor: StreamActor;
  /** Parses frames, keeps the status mirror and routes events to listeners. */
  readonly dispatcher: EventDispatcher;

  readonly #logger: Logger;
  readonly #auth: Auth;
  readonly #slot: SubscriberSlot;
  /** Bumped by every `stop()`: a reader delivers only while the run it was started in is current. */
  #run = 0;
  /** Bumped by every `start()`: a `stop()` skips auth clean-up once a later start() began. */
  #starts = 0;
  /** `stop()` published STOPPED; snapshots of the stopped run are not news until the chart gets there. */
  #awaitingStopped = false;
  /** The auth strategy's clean-up after a stop, cancelled by the next `start()`. */
  readonly #authCleanup: AuthCleanup;
  readonly #statusFeed: StatusFeed;
  #promiseClampLogged = false;
  readonly #replay: ReplayDecider;

  constructor(options: EventStreamOptions) {
    if (options === null || typeof options !== 'object')
      throw new TypeError('createEventStream: options object required');
    const endpoint = resolveEndpoint(options.url, options.path);
    const policy = resolvePolicy(options);
    const legacy = options.legacyIsy ? legacyIsyUpgrade() : undefined;
    this.#logger = safeLogger(options.logger ?? defaultLogger);
    this.#statusFeed = new StatusFeed(this.#logger);
    this.#replay = new ReplayDecider({
      byClock: options.replayByClock !== false,
      logger: this.#logger,
      stopped: () => this.#statusFeed.status === EventStreamStatus.STOPPED,
    });
    this.#auth = options.auth ?? NO_AUTH;
    this.#authCleanup = new AuthCleanup(this.#auth);
    this.#auth.attach?.({ baseUrl: endpoint.baseUrl, tls: options.tls, logger: this.#logger });
    this.dispatcher = new EventDispatcher({ logger: this.#logger });
    this.#slot = new SubscriberSlot(options.transport ?? defaultTransport, { closeGraceMs: options.closeGraceMs });

    const machine = streamMachine.provide({
      actors: {
        connect: createConnectActor({
          url: endpoint.streamUrl,
          auth: this.#auth,
          tls: options.tls,
          logger: this.#logger,
          maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
          protocols: legacy?.protocols,
          headers: { ...legacy?.headers, ...options.headers },
          handshakeTimeoutMs: policy.connectTimeoutMs,
          slot: this.#slot,
        }),
        slotRelease: createSlotReleaseActor(() => this.#slotVacant()),
        refreshAuth: createRefreshAuthActor(this.#auth),
        reader: createReaderActor(() => this.#sinkForThisRun()),
      },
      actions: {
        beginReplay: ({ context }) => {
          const link = context.link as Link | null;
          this.#replay.begin({
            openedAt: link?.openedAt || Date.now(),
            requestedAt: link?.requestedAt || undefined,
            serverDate: link?.serverDate,
          });
          this.dispatcher.beginReplay();
        },
        endReplay: () => {
          this.#replay.connected();
          this.dispatcher.endReplay();
        },
        releaseLink: () => this.#slot.release(),
        abandonLink: () => this.#slot.abandon(),
      },
    });

    this.actor = createActor(machine, {
      input: { policy },
      ...(options.inspect ? { inspect: options.inspect } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.actor.subscribe({
      next: (snapshot) => this.#onSnapshot(snapshot),
      error: (error) => this.#logger.error('stream state machine failed', error),
    });
    this.actor.start();
  }

  /** The current life-cycle status. */
  get status(): EventStreamStatus {
    return this.#statusFeed.status;
  }

  /** True while live (CONNECTED). */
  get connected(): boolean {
    return this.#statusFeed.status === EventStreamStatus.CONNECTED;
  }

  /** When the last event was delivered, or null. */
  get lastEventAt(): Date | null {
    const at = this.dispatcher.lastEventAt;
    return at === null ? null : new Date(at);
  }

  /** Why the last attempt or connection ended (safe to show: no secrets). */
  get lastError(): ErrorSummary | null {
    return this.actor.getSnapshot().context.lastError;
  }

  /** The live status mirror: every node's current properties, programs and variables. */
  get mirror(): EventDispatcher['mirror'] {
    return this.dispatcher.mirror;
  }

  /** Connection counters and the replay classification's; `dispatcher.stats` has the frame counters. */
  get stats(): Readonly<StreamStats> {
    return { ...this.#statusFeed.stats, replay: { ...this.#replay.stats } };
  }

  /**
   * Start (or restart after STOPPED / FAILED). Idempotent while running. After a `stop()` that was
   * not awaited, the new connection waits (chart state `waitingForSlot`) until the previous one is
   * gone at the TCP level, at most the close grace (1 s): never two sockets at the controller.
   */
  start(): this {
    this.#starts++;
    // A logout still running for the previous run must not run under this one.
    this.#authCleanup.cancel();
    this.actor.send({ type: 'START' });
    return this;
  }

  /**
   * Stop: close the socket, cancel every timer, actor and auth request.
   *
   * It takes effect when called: no event or status listener is called after this call returns
   * (status listeners hear STOPPED during it), also when called from inside a listener. The
   * promise resolves once no socket of this stream is left at the TCP level (a polite close gets
   * at most the 1 s close grace), then runs the auth strategy's clean-up (e.g. portal logout)
   * unless `start()` was called meanwhile. Idempotent; every call's promise resolves.
   */
  async stop(): Promise<void> {
    const starts = this.#starts;
    this.#run++;
    this.#slot.silence();
    if (this.#statusFeed.status !== EventStreamStatus.STOPPED) {
      this.#awaitingStopped = true;
      this.#statusFeed.publish(EventStreamStatus.STOPPED, this.actor.getSnapshot().context.lastError);
    }
    this.actor.send({ type: 'STOP' });
    await this.#slot.whenVacant();
    if (this.#starts !== starts) return;
    await this.#authCleanup.run();
  }

  /**
   * Wait for a status, e.g. `await stream.waitFor('CONNECTED', { timeoutMs: 30_000 })`. Resolves
   * at once when the stream is in it. Rejects with a `WaitForError` (`code` `STREAM_FAILED`,
   * `STREAM_STOPPED` or `WAIT_TIMEOUT`, with the stream's `status` and `lastError`) when the stream
   * reaches FAILED or STOPPED instead, is in one of them already, or `timeoutMs` passes. LOST and
   * RECONNECTING are not an answer: the stream is still trying. Call it after `start()`.
   */
  waitFor(status: EventStreamStatus, options?: WaitForOptions): Promise<void> {
    return waitForStatus(this, status, options);
  }

  /** Every change of status (deduplicated). Returns an unsubscribe function. */
  onStatus(listener: (status: EventStreamStatus, change: StatusChange) => void): () => void {
    return this.#statusFeed.listen(listener);
  }

  /** Every parsed event; `info.replay` is true for the connect-time status replay. */
  onEvent: EventDispatcher['onEvent'] = (...args) => this.dispatcher.onEvent(...args);
  /** Property changes, optionally filtered by node and/or control. */
  onProperty: EventDispatcher['onProperty'] = (...args) => this.dispatcher.onProperty(...args);
  /** Program status changes (`_1`/`0`). */
  onProgramStatus: EventDispatcher['onProgramStatus'] = (...args) => this.dispatcher.onProgramStatus(...args);
  /** Variable value / init changes (`_1`/`6`, `_1`/`7`). */
  onVariable: EventDispatcher['onVariable'] = (...args) => this.dispatcher.onVariable(...args);
  /** Variable table changes (`_1`/`9`). */
  onVariableTableChange: EventDispatcher['onVariableTableChange'] = (...args) =>
    this.dispatcher.onVariableTableChange(...args);
  /** Node lifecycle events (`_3`). */
  onLifecycle: EventDispatcher['onLifecycle'] = (...args) => this.dispatcher.onLifecycle(...args);
  /** System status (`_5`). */
  onSystemStatus: EventDispatcher['onSystemStatus'] = (...args) => this.dispatcher.onSystemStatus(...args);
  /** Heartbeats (`_0`). */
  onHeartbeat: EventDispatcher['onHeartbeat'] = (...args) => this.dispatcher.onHeartbeat(...args);
  /** Sequence gaps within one subscription. */
  onGap: EventDispatcher['onGap'] = (...args) => this.dispatcher.onGap(...args);

  /** The previous run's connection is gone and its auth clean-up (if any) has finished. */
  async #slotVacant(): Promise<void> {
    await this.#slot.whenVacant();
    await this.#authCleanup.done;
  }

  /**
   * The frame sink for a reader starting now: it feeds the dispatcher only while no `stop()` has
   * been called since, so a stop from inside a listener cuts a burst short at once.
   */
  #sinkForThisRun(): FrameSink {
    const run = this.#run;
    return (raw, replay, liveArrived) => (run === this.#run ? this.#deliver(raw, replay, liveArrived) : null);
  }

  /**
   * Feeds one frame; returns the parsed event (`null` when dropped) so the reader can spot
   * heartbeats. `replay` is the chart's phase: the flag for frames whose timestamp cannot decide.
   */
  #deliver(raw: string, replay: boolean, liveArrived: () => void): ReturnType<EventDispatcher['feed']> {
    this.#replay.frame(replay, liveArrived);
    // The dispatcher never throws by contract; this guard keeps a bug there from killing the reader.
    try {
      return this.dispatcher.feed(raw, { replay: this.#replay.decide });
    } catch (error) {
      this.#logger.error('dispatcher failed on a frame', error);
      return null;
    }
  }

  /**
   * A controller may promise more silence than a timer can wait (options cannot: they are
   * validated); the chart then clamps its dead-link timer to 2^31-1 ms. Say so once per stream.
   */
  #noteClampedPromise(context: SnapshotFrom<typeof streamMachine>['context']): void {
    if (this.#promiseClampLogged || context.heartbeatPromiseMs + context.policy.heartbeatGraceMs <= MAX_TIMER_MS)
      return;
    this.#promiseClampLogged = true;
    this.#logger.warn(
      `the controller promises ${context.heartbeatPromiseMs / 1000} s between heartbeats, longer than a timer can wait: the dead-link check waits ${MAX_TIMER_MS} ms (~24.8 days) instead`,
    );
  }

  #onSnapshot(snapshot: SnapshotFrom<typeof streamMachine>): void {
    this.#noteClampedPromise(snapshot.context);
    const status = statusOf(snapshot);
    if (this.#awaitingStopped) {
      // stop() already said STOPPED: what the stopped run still does on its way there is not news.
      if (status !== EventStreamStatus.STOPPED) return;
      this.#awaitingStopped = false;
    }
    this.#statusFeed.publish(status, snapshot.context.lastError);
  }
}

/**
 * Create a stream. Nothing happens until `start()`.
 *
 * @example
 * const stream = createEventStream({ url: 'https://eisy.local:8443', auth: new LocalAuth('admin', 'secret') });
 * stream.onStatus((status) => console.log(status));
 * stream.onProperty((change, info) => { if (!info.replay) console.log(change); });
 * stream.start();
 */
export function createEventStream(options: EventStreamOptions): EventStream {
  return new EventStream(options);
}
