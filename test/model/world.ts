import { isDeepStrictEqual } from 'node:util';
import { SimulatedClock } from 'xstate';
import type { Step } from 'xstate/graph';
import {
  AuthRejectedError,
  AuthTransientError,
  createEventStream,
  silentLogger,
  type Auth,
  type EventStream,
} from '../../src';
import { EventStreamStatus } from '../../src/machine/status';
import { nodeTransport } from '../../src/services/nodeTransport';
import type { Transport } from '../../src/services/transport';
import { eventFrame, heartbeatFrame } from '../helpers/scriptedServer';
import { delayNameOf, transitionKey } from './chart';
import { exercised, rotate, type HostileCause } from './hostile';
import { POLICY, statusOfSnap, type ModelEvent, type Snap } from './model';
import type { ModelServer, ParkedUpgrade } from './server';

/**
 * The real world for one model path: a real `EventStream` (real connect / reader / auth actors,
 * real sockets to a real `ws` server on loopback) whose chart delays run on a simulated clock, the
 * executors that make each model event actually happen, and the checks that the real system then
 * is where the model says — and where the spec (issue 2) says, independently of the chart.
 */

/** Largest frame the stream accepts here; a bigger one is how the server makes the socket fail. */
const MAX_PAYLOAD = 4096;
/** Simulated time that passes before each non-timer event (a handshake, a gap between frames...). */
const DWELL_MS = 30;
/** Real-time bound on waiting for real I/O to settle after one step. */
const SETTLE_MS = 3000;
/** How long a polite close waits for a peer that never answers (real time): short, so half-open paths stay fast. */
const CLOSE_GRACE_MS = 100;
/** Real-time bound on a `stop()` whose polite close meets a peer that never answers: the close grace, plus slack. */
const STOP_BOUND_MS = CLOSE_GRACE_MS + 600;
/** A pin no certificate matches (the stalled TLS listener never shows one anyway). */
const NO_SUCH_PIN = 'AB'.repeat(32);

/** What every executed path walked, for the coverage test. */
export const walked = { transitions: new Set<string>(), states: new Set<string>(), paths: 0 };

// ---------------------------------------------------------------------------------------------
// Simulated clock that can say which chart timers are pending.

/**
 * XState's `SimulatedClock`, also recording when each pending timer is due, so the suite can
 * compare the real chart's timers with the spec's and advance exactly to the next deadline.
 */
export class ChartClock extends SimulatedClock {
  readonly #due = new Map<number, number>();

  override setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    let id = -1;
    id = super.setTimeout(() => {
      this.#due.delete(id);
      fn();
    }, timeout);
    this.#due.set(id, this.now() + timeout);
    return id;
  }

  override clearTimeout(id: number): void {
    this.#due.delete(id);
    super.clearTimeout(id);
  }

  /** Due times of every pending timer, ascending. */
  pending(): number[] {
    return [...this.#due.values()].sort((a, b) => a - b);
  }

  advanceTo(time: number): void {
    if (time > this.now()) this.set(time);
  }
}

// ---------------------------------------------------------------------------------------------
// Auth whose every answer is chosen by the model's next event.

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // An attempt abandoned by STOP or a timeout never reads its answer: that is not an error here.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

class ControlledAuth implements Auth {
  headersRequest: Deferred<Record<string, string>> | null = null;
  refreshRequest: Deferred<boolean> | null = null;
  /** The next opening frame waits for a token that never comes (a slow token source). */
  slowToken = false;
  openingRequest: Deferred<string | undefined> | null = null;

  openingFrame(): Promise<string | undefined> | undefined {
    if (!this.slowToken) return undefined;
    this.slowToken = false;
    this.openingRequest = deferred();
    return this.openingRequest.promise;
  }

  headers(): Promise<Record<string, string>> {
    // A new attempt supersedes an abandoned one's request.
    this.headersRequest?.reject(new Error('superseded'));
    this.headersRequest = deferred();
    return this.headersRequest.promise;
  }

  handleUnauthorized(): Promise<boolean> {
    this.refreshRequest?.reject(new Error('superseded'));
    this.refreshRequest = deferred();
    return this.refreshRequest.promise;
  }

  takeHeaders(): Deferred<Record<string, string>> | null {
    const request = this.headersRequest;
    this.headersRequest = null;
    return request;
  }

  takeRefresh(): Deferred<boolean> | null {
    const request = this.refreshRequest;
    this.refreshRequest = null;
    return request;
  }

  abandonAll(): void {
    this.takeHeaders()?.reject(new Error('path over'));
    this.takeRefresh()?.reject(new Error('path over'));
    this.openingRequest?.reject(new Error('path over'));
    this.openingRequest = null;
  }
}

// ---------------------------------------------------------------------------------------------
// The spec, as an oracle independent of the chart.

type TimerName = 'connectTimeout' | 'backoff' | 'syncCap' | 'quietWindow' | 'heartbeatDeadline';
interface SpecTimer {
  name: TimerName;
  due: number;
}

/**
 * What issue 2 says should happen, written without looking at the chart: status, consecutive
 * failures, and when each timer is due. The chart (the model) and the real stream are both checked
 * against it, so a change to the chart that breaks a rule fails even though the model moves with it.
 */
export class Spec {
  status: EventStreamStatus = EventStreamStatus.NOT_STARTED;
  /** Consecutive failed attempts or drops since last CONNECTED (or START). */
  failures = 0;
  /** This attempt used its one 401 recovery. */
  authRecovered = false;
  /** The controller's promised silence: the last heartbeat's, else the default. */
  promiseMs: number = POLICY.defaultHeartbeatPromiseMs;
  /** When the current connect step (socket open or auth refresh) began. */
  stepAt = 0;
  /** The attempt waits for the subscriber slot (the previous connection to be gone): no timer runs. */
  waitingForSlot = false;
  lostAt = 0;
  openAt = 0;
  /** First and last frame on the current socket (null: none yet). */
  firstFrameAt: number | null = null;
  lastFrameAt: number | null = null;
  /** What `lastError.code` must be after the last step, when it ended in LOST / FAILED. */
  expectedErrorCode: string | null = null;

  start(now: number): void {
    this.failures = 0; // START after FAILED / STOPPED starts over
    this.status = EventStreamStatus.INITIALIZING;
    this.#beginAttempt(now);
  }

  stop(): void {
    this.status = EventStreamStatus.STOPPED;
  }

  connected(now: number): void {
    this.status = EventStreamStatus.SYNCING;
    this.openAt = now;
    this.firstFrameAt = null;
    this.lastFrameAt = null;
  }

  unauthorized(now: number): void {
    // One recovery per attempt; a second 401 is a verdict on the credentials.
    if (this.authRecovered) this.fail('HANDSHAKE_STATUS');
    else this.stepAt = now;
  }

  refreshed(): void {
    // The retry is a new connection: it too waits for the slot first.
    this.authRecovered = true;
    this.waitingForSlot = true;
  }

  /** The previous connection is gone: the connect step (and its timeout) starts. */
  slotFree(now: number): void {
    this.waitingForSlot = false;
    this.stepAt = now;
  }

  fail(code: string): void {
    this.status = EventStreamStatus.FAILED;
    this.expectedErrorCode = code;
  }

  /** Any failure that is not a verdict on the credentials: LOST, or FAILED at maxAttempts. */
  lose(now: number, code: string): void {
    this.failures++;
    if (this.failures >= POLICY.maxAttempts) return this.fail('MAX_ATTEMPTS');
    this.status = EventStreamStatus.LOST;
    this.lostAt = now;
    this.expectedErrorCode = code;
  }

  frame(now: number, heartbeatSec?: number): void {
    this.firstFrameAt ??= now;
    this.lastFrameAt = now;
    if (heartbeatSec !== undefined) this.promiseMs = heartbeatSec * 1000;
  }

  /**
   * Issue 14: a frame the controller stamped after the subscription began, arriving after the
   * replay's first frame, proves the replay over: SYNCING ends at once, without the quiet window.
   */
  endsReplay(live: boolean): boolean {
    return live && this.status === EventStreamStatus.SYNCING && this.firstFrameAt !== null;
  }

  /** SYNCING → CONNECTED: the one place the backoff resets. */
  live(): void {
    this.status = EventStreamStatus.CONNECTED;
    this.failures = 0;
  }

  reconnect(now: number): void {
    this.status = EventStreamStatus.RECONNECTING;
    this.#beginAttempt(now);
  }

  #beginAttempt(now: number): void {
    this.authRecovered = false;
    this.waitingForSlot = true;
    this.stepAt = now;
    this.expectedErrorCode = null;
  }

  timers(): SpecTimer[] {
    const s = this.status;
    const out: SpecTimer[] = [];
    const watchdog = (): SpecTimer => ({
      name: 'heartbeatDeadline',
      due: (this.lastFrameAt ?? this.openAt) + this.promiseMs + POLICY.heartbeatGraceMs,
    });
    if (s === EventStreamStatus.INITIALIZING || s === EventStreamStatus.RECONNECTING) {
      if (!this.waitingForSlot) out.push({ name: 'connectTimeout', due: this.stepAt + POLICY.connectTimeoutMs });
    } else if (s === EventStreamStatus.LOST) {
      const schedule = POLICY.backoffMs;
      out.push({ name: 'backoff', due: this.lostAt + schedule[Math.min(this.failures, schedule.length) - 1] });
    } else if (s === EventStreamStatus.SYNCING) {
      // Nothing counts down before the replay's first frame; then the quiet window restarts on
      // every frame and the cap counts from the first one.
      if (this.firstFrameAt !== null) out.push({ name: 'syncCap', due: this.firstFrameAt + POLICY.syncMaxMs });
      if (this.lastFrameAt !== null) out.push({ name: 'quietWindow', due: this.lastFrameAt + POLICY.quietMs });
      out.push(watchdog());
    } else if (s === EventStreamStatus.CONNECTED) {
      out.push(watchdog());
    }
    return out.sort((a, b) => a.due - b.due);
  }
}

// ---------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(predicate: () => boolean, what: () => string, timeoutMs = SETTLE_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await sleep(1);
  }
}

interface Delivery {
  node: string;
  replay: boolean;
}

interface InspectionEvent {
  type: string;
  rootId: string;
  actorRef: { sessionId: string };
  event?: { type: string };
  snapshot?: { _nodes?: Array<{ id: string }> };
  _transitions?: unknown[];
}

/** One path's world. Create, run `params()` through `TestModel.testPath`, then `finish()`. */
export class World {
  readonly clock = new ChartClock();
  readonly auth = new ControlledAuth();
  readonly spec = new Spec();
  readonly stream: EventStream;
  readonly delivered: Delivery[] = [];
  readonly expected: Delivery[] = [];
  /** FRAME events the chart received (each executor waits for its own). */
  chartFrames = 0;
  /** Deliveries at the moment the stream was last stopped. */
  #deliveredAtStop: number | null = null;
  #lastEventAt: number | null = null;
  #frameSeq = 0;
  /** Frames sent on the current socket, and the controller's last live stamp (epoch ms). */
  #framesOnSocket = 0;
  #lastStamp = 0;
  /** Real time of the accept and of the first frame on the current socket; whether that frame pinned the subscription. */
  #acceptedAt = 0;
  #firstFrameAt = 0;
  #pinned = false;
  readonly #server: ModelServer;
  /** The path's events, to look one step ahead (a STOP followed by START can be `stop(); start()`). */
  readonly #events: readonly ModelEvent[];
  #step = 0;
  /** The next connection goes to the listener that never answers TLS. */
  #toStalledTls = false;
  /** The START of the next step was already issued, unawaited, right after stop(). */
  #earlyStart = false;
  /** A stop() not awaited by its caller: it must still resolve within the close grace. */
  #pendingStop: { done: boolean; since: number; promise: Promise<void> } | null = null;

  constructor(server: ModelServer, events: readonly ModelEvent[] = []) {
    this.#server = server;
    this.#events = events;
    // The world decides per connection where it goes: the stalled-TLS cause redirects one.
    const transport: Transport = {
      open: (request, listener) => {
        const stalled = this.#toStalledTls;
        this.#toStalledTls = false;
        return nodeTransport.open(
          stalled ? { ...request, url: server.stalledTlsUrl, tls: { fingerprint256: NO_SUCH_PIN } } : request,
          listener,
        );
      },
    };
    this.stream = createEventStream({
      url: server.url,
      auth: this.auth,
      transport,
      ...POLICY,
      maxPayload: MAX_PAYLOAD,
      closeGraceMs: CLOSE_GRACE_MS,
      logger: silentLogger,
      clock: this.clock,
      random: () => 0,
      // XState's InspectionEvent, read through the few fields this world needs.
      inspect: (ev) => this.#inspect(ev as unknown as InspectionEvent),
    });
    this.stream.onEvent((event, info) => this.delivered.push({ node: event.node, replay: info.replay }));
    for (const node of this.stream.actor.getSnapshot()._nodes) if (node.id !== 'stream') walked.states.add(node.id);
  }

  /** Executors and the state check, in the shape `TestModel.testPath` wants. */
  params(eventTypes: readonly string[]): {
    events: Record<string, (step: Step<Snap, ModelEvent>) => Promise<void>>;
    states: Record<string, (state: Snap) => Promise<void>>;
  } {
    const events: Record<string, (step: Step<Snap, ModelEvent>) => Promise<void>> = {};
    for (const type of eventTypes) events[type] = (step) => this.execute(step.event);
    return { events, states: { '*': (state) => this.check(state) } };
  }

  #inspect(ev: InspectionEvent): void {
    if (ev.actorRef.sessionId !== ev.rootId) return; // only the stream's own chart, not its children
    if (ev.type === '@xstate.microstep') {
      for (const t of ev._transitions ?? []) walked.transitions.add(transitionKey(t as never));
      for (const node of ev.snapshot?._nodes ?? []) if (node.id !== 'stream') walked.states.add(node.id);
    } else if (ev.type === '@xstate.event' && ev.event?.type === 'FRAME') {
      this.chartFrames++;
    }
  }

  get #now(): number {
    return this.clock.now();
  }

  // -------------------------------------------------------------------------------------------
  // Executors: make the real world do what the model's event means.

  async execute(event: ModelEvent): Promise<void> {
    const type = event.type;
    this.#step++;
    const delay = delayNameOf(type);
    if (delay !== null) return this.#fireTimer(delay as TimerName);
    if (type === 'START' && this.#earlyStart) {
      // Issued with the stop, at the same simulated moment.
      this.#earlyStart = false;
      this.spec.start(this.#now);
      this.#deliveredAtStop = null;
      return;
    }
    // The slot frees itself (the previous connection closes): no simulated time passes first.
    if (type === 'xstate.done.actor.slotRelease') return this.#slotReleased();
    this.#dwell();
    const error = (event as { error?: { code?: string; status?: number } }).error;
    switch (type) {
      case 'START':
        this.stream.start();
        this.spec.start(this.#now);
        this.#deliveredAtStop = null;
        return;
      case 'STOP':
        return this.#executeStop();
      case 'FRAME': {
        const frame = event as { heartbeatSec?: number; untimed?: boolean };
        return this.#sendFrame(frame.heartbeatSec, false, frame.untimed === true);
      }
      case 'LIVE_FRAME':
        return this.#sendFrame(undefined, true);
      case 'SOCKET_CLOSED':
        this.#socket().close(4000, 'model');
        this.spec.lose(this.#now, 'SOCKET_CLOSED');
        return;
      case 'SOCKET_ERROR':
        // Over maxPayload: `ws` fails the socket (error, then close 1009).
        this.#socket().send('x'.repeat(MAX_PAYLOAD + 1));
        this.spec.lose(this.#now, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
        return;
      case 'xstate.done.actor.connect': {
        const upgrade = await this.#upgrade();
        const now = this.#now;
        this.#acceptedAt = Date.now();
        await this.#server.accept(upgrade);
        this.#framesOnSocket = 0;
        this.#pinned = false;
        this.spec.connected(now);
        return;
      }
      case 'xstate.error.actor.connect': {
        if (error?.code === 'HANDSHAKE_STATUS') {
          const upgrade = await this.#upgrade();
          this.#server.reject(upgrade, error.status!);
          if (error.status === 401) this.spec.unauthorized(this.#now);
          else this.spec.lose(this.#now, 'HANDSHAKE_STATUS');
          return;
        }
        const request = await this.#headersRequest();
        if (error?.code === 'AUTH_REJECTED') {
          request.reject(new AuthRejectedError('model: credentials rejected', 401));
          this.spec.fail('AUTH_REJECTED');
        } else {
          request.reject(new AuthTransientError('model: auth endpoint answered 503', 503));
          this.spec.lose(this.#now, 'AUTH_TRANSIENT');
        }
        return;
      }
      case 'xstate.done.actor.refreshAuth': {
        const request = await this.#refreshRequest();
        const repaired = (event as { output?: unknown }).output === true;
        request.resolve(repaired);
        if (repaired) this.spec.refreshed();
        else this.spec.fail('AUTH_REJECTED');
        return;
      }
      case 'xstate.error.actor.refreshAuth': {
        const request = await this.#refreshRequest();
        if (error?.code === 'AUTH_REJECTED') {
          request.reject(new AuthRejectedError('model: login rejected', 401));
          this.spec.fail('AUTH_REJECTED');
        } else {
          request.reject(new AuthTransientError('model: refresh endpoint unreachable'));
          this.spec.lose(this.#now, 'AUTH_TRANSIENT');
        }
        return;
      }
      default:
        throw new Error(`no executor for ${type}`);
    }
  }

  /**
   * STOP, the hostile ways in rotation: awaited; against a half-open peer (the polite close is
   * never answered: stop() must still resolve within the close grace); from inside an event
   * listener; and, when the path's next step is START, `stop(); start()` without awaiting (from a
   * listener when a socket is open).
   */
  async #executeStop(): Promise<void> {
    const open = this.spec.status === EventStreamStatus.SYNCING || this.spec.status === EventStreamStatus.CONNECTED;
    const nextIsStart = this.#events[this.#step]?.type === 'START';
    const ways: Array<'plain' | HostileCause> = ['plain'];
    if (open) ways.push('half-open peer on stop', 'stop() from a listener');
    if (nextIsStart) ways.push('stop(); start() unawaited');
    const way = rotate(`STOP open=${open} nextIsStart=${nextIsStart}`, ways);
    if (way === 'plain') return this.#stopPlain();
    exercised(way);
    if (way === 'half-open peer on stop') {
      this.#server.goHalfOpen(this.#socket());
      const at = performance.now();
      await this.#stopPlain();
      expect(performance.now() - at).toBeLessThan(STOP_BOUND_MS);
      return;
    }
    const restart = way === 'stop(); start() unawaited';
    let stopping: Promise<void> | null = null;
    const stopNow = () => {
      stopping = this.stream.stop();
      if (restart) this.stream.start();
    };
    if (open) {
      if (restart) exercised('stop() from a listener');
      // The listener that stops runs for the next frame: that frame is delivered, nothing after it.
      const off = this.stream.onEvent(() => {
        if (stopping === null) stopNow();
      });
      this.expected.push({ node: `MB ${this.#frameSeq} 1`, replay: this.spec.status === EventStreamStatus.SYNCING });
      this.#socket().send(this.#nextFrame());
      await until(
        () => stopping !== null,
        () => 'the listener to call stop()',
      );
      off();
    } else {
      stopNow();
    }
    this.spec.stop();
    this.#deliveredAtStop = this.delivered.length;
    if (restart) {
      this.#earlyStart = true;
      const pending = { done: false, since: performance.now(), promise: stopping! };
      pending.promise = stopping!.then(() => {
        pending.done = true;
      });
      this.#pendingStop = pending;
    } else {
      await this.#bounded(stopping!, SETTLE_MS, 'stop() called from a listener');
    }
  }

  /** STOP, awaited; a frame races it, and the abandoned attempt's auth answers arrive late. */
  async #stopPlain(): Promise<void> {
    const ws = this.#server.current;
    const stopping = this.#stop();
    // A frame racing the stop: the socket may still carry it, the stream must not deliver it.
    ws?.send(this.#nextFrame());
    await stopping;
    this.spec.stop();
    this.#deliveredAtStop = this.delivered.length;
    // The abandoned attempt's auth answers arrive late: they must not open anything.
    const lateHeaders = this.auth.takeHeaders();
    const lateRefresh = this.auth.takeRefresh();
    if (lateHeaders || lateRefresh) {
      const upgrades = this.#server.upgrades;
      lateHeaders?.resolve({});
      lateRefresh?.resolve(true);
      await sleep(5);
      expect(this.#server.upgrades).toBe(upgrades);
    }
    return;
  }

  /** An unawaited stop() must resolve within the close grace of its call. */
  async #settlePendingStop(): Promise<void> {
    const pending = this.#pendingStop;
    if (!pending) return;
    await this.#bounded(pending.promise, pending.since + STOP_BOUND_MS - performance.now(), 'an unawaited stop()');
    this.#pendingStop = null;
  }

  async #bounded(promise: Promise<void>, ms: number, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not resolve in time`)), Math.max(ms, 0));
    });
    try {
      await Promise.race([promise, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The real chart leaves `waitingForSlot` by itself once the previous connection is gone. */
  async #slotReleased(): Promise<void> {
    await until(
      () => !this.#inWaitingForSlot(),
      () => `the subscriber slot to be vacant (server holds ${this.#server.rawCount} TCP connection(s))`,
    );
    this.spec.slotFree(this.#now);
  }

  /** The spec's timers had the slot been freed now (the real chart is one step ahead). */
  #specAfterSlotFree(): SpecTimer[] {
    const waiting = this.spec.waitingForSlot;
    const stepAt = this.spec.stepAt;
    this.spec.slotFree(this.#now);
    const timers = this.spec.timers();
    this.spec.waitingForSlot = waiting;
    this.spec.stepAt = stepAt;
    return timers;
  }

  #inWaitingForSlot(): boolean {
    return JSON.stringify(this.stream.actor.getSnapshot().value).includes('waitingForSlot');
  }

  /**
   * Let simulated time pass before an event, as it does in the world, but never up to a pending
   * deadline (that would be another event). In SYNCING, also keep every frame at least one quiet
   * window before the sync cap, so the quiet window can still be the first timer to fire.
   */
  #dwell(): void {
    const timers = this.spec.timers();
    let limit = Number.POSITIVE_INFINITY;
    for (const t of timers)
      limit = Math.min(limit, t.due - 1, t.name === 'syncCap' ? t.due - POLICY.quietMs - 1 : Number.POSITIVE_INFINITY);
    const to = Math.min(this.#now + DWELL_MS, limit);
    this.clock.advanceTo(to);
  }

  #socket() {
    const ws = this.#server.current;
    if (!ws) throw new Error('the model says a socket is open, but the server has none');
    return ws;
  }

  #nextFrame(heartbeatSec?: number, timestamp?: string | null): string {
    const seq = this.#frameSeq++;
    return heartbeatSec === undefined
      ? eventFrame('ST', String(seq % 256), `MB ${seq} 1`, { seqnum: seq, timestamp })
      : heartbeatFrame(heartbeatSec, seq, timestamp);
  }

  /**
   * How the controller stamps the next frame: replayed frames with an old last-change time, except
   * the replay's first, stamped at the subscription (as the eisy does its `_5` status); live frames
   * (a live change, or anything after the replay) with its clock now; `null` for none.
   */
  #stamp(live: boolean, untimed: boolean): string | null | undefined {
    const first = this.#framesOnSocket++ === 0;
    if (first) this.#firstFrameAt = Date.now();
    if (untimed) return null;
    if (first) this.#pinned = true;
    const inReplay = this.spec.status === EventStreamStatus.SYNCING;
    if (inReplay && !live && !first) return undefined; // the fixed stamp, long past
    this.#lastStamp = Math.max(Date.now(), this.#lastStamp + 1);
    return new Date(this.#lastStamp).toISOString();
  }

  async #sendFrame(heartbeatSec?: number, live = false, untimed = false): Promise<void> {
    const ws = this.#socket();
    const seen = this.chartFrames;
    const endsReplay = this.spec.endsReplay(live);
    if (endsReplay && !this.#pinned) {
      // No replayed frame was stamped at the subscription (the first one had no timestamp): the
      // stream only knows it to the second of the Date header, so a live change must come later.
      const openedFor = Math.max(0, this.#firstFrameAt - this.#acceptedAt);
      await sleep(Math.max(0, this.#firstFrameAt + 1100 + openedFor - Date.now()));
    }
    const frame = this.#nextFrame(heartbeatSec, this.#stamp(live, untimed));
    // Spec: frames that arrive while SYNCING are the replay, except the live frame that ends it.
    this.expected.push({
      node: heartbeatSec === undefined ? `MB ${this.#frameSeq - 1} 1` : '',
      replay: this.spec.status === EventStreamStatus.SYNCING && !endsReplay,
    });
    const sentAt = Date.now();
    ws.send(frame);
    await until(
      () => this.chartFrames > seen && this.delivered.length >= this.expected.length,
      () =>
        `frame ${this.#frameSeq - 1} to reach the chart (${this.chartFrames} FRAME events, ${this.delivered.length}/${this.expected.length} delivered)`,
    );
    this.spec.frame(this.#now, heartbeatSec);
    if (endsReplay) this.spec.live();
    // lastEventAt is wall-clock time of the delivery: not before the frame was sent.
    expect(this.stream.lastEventAt?.getTime()).toBeGreaterThanOrEqual(sentAt);
  }

  async #headersRequest(): Promise<Deferred<Record<string, string>>> {
    await until(
      () => this.auth.headersRequest !== null,
      () => 'the connect attempt to ask auth for headers',
    );
    return this.auth.takeHeaders()!;
  }

  async #refreshRequest(): Promise<Deferred<boolean>> {
    await until(
      () => this.auth.refreshRequest !== null,
      () => 'the stream to ask auth to recover from 401',
    );
    return this.auth.takeRefresh()!;
  }

  /** Let the attempt past auth and wait for its upgrade request to reach the server. */
  async #upgrade(): Promise<ParkedUpgrade> {
    (await this.#headersRequest()).resolve({});
    await until(
      () => this.#server.parked !== undefined,
      () => 'the upgrade request to reach the server',
    );
    return this.#server.parked!;
  }

  /**
   * Make one chart timer fire: advance the clock exactly to its spec deadline, checking one
   * millisecond before that nothing has happened yet. The sync cap during a replay is reached the
   * way a slow controller reaches it: frames keep coming, each just before the quiet window (and
   * the watchdog) would end.
   */
  async #fireTimer(name: TimerName): Promise<void> {
    // A connect attempt times out on an upgrade the server never answers, a TLS handshake that
    // never completes, or a token that never comes.
    let slowTokenSocket = false;
    if (name === 'connectTimeout' && this.auth.headersRequest !== null) {
      const cause = rotate('connectTimeout', ['silent upgrade', 'stalled TLS', 'slow token'] as const);
      exercised(cause);
      if (cause === 'silent upgrade') await this.#upgrade();
      else if (cause === 'stalled TLS') {
        this.#toStalledTls = true;
        (await this.#headersRequest()).resolve({});
        await until(
          () => this.#server.stalledCount === 1,
          () => 'the connection to reach the stalled TLS listener',
        );
      } else {
        this.auth.slowToken = true;
        await this.#server.accept(await this.#upgrade());
        await until(
          () => this.auth.openingRequest !== null,
          () => 'the attempt to ask for its token',
        );
        slowTokenSocket = true;
      }
    }
    // A dead link's peer is half-open: a close frame would never be answered, so none may be sent.
    let droppedByDeadPeer: (() => number) | null = null;
    if (name === 'heartbeatDeadline') {
      exercised('half-open peer on dead link');
      droppedByDeadPeer = this.#server.goHalfOpen(this.#socket());
    }
    for (;;) {
      const [first, second] = this.spec.timers();
      if (!first) throw new Error(`the model fires ${name}, but the spec has no timer pending in ${this.spec.status}`);
      if (first.name === name && (second === undefined || second.due > first.due)) break;
      const deferrable =
        this.spec.status === EventStreamStatus.SYNCING && this.spec.lastFrameAt !== null && name === 'syncCap';
      if (!deferrable)
        throw new Error(`the model fires ${name}, but per spec ${first.name} (due ${first.due}) fires first`);
      this.clock.advanceTo(first.due - 1);
      await this.#sendFrame();
    }
    const timer = this.spec.timers()[0];
    const before = this.stream.actor.getSnapshot().value;
    const statusBefore = this.stream.status;
    this.clock.advanceTo(timer.due - 1);
    if (!isDeepStrictEqual(this.stream.actor.getSnapshot().value, before) || this.stream.status !== statusBefore) {
      throw new Error(
        `${name} fired early: at ${timer.due - 1} (due ${timer.due}) the stream is already ${this.stream.status} ${JSON.stringify(this.stream.actor.getSnapshot().value)}`,
      );
    }
    const now = timer.due;
    this.clock.advanceTo(now);
    if (droppedByDeadPeer !== null || slowTokenSocket) {
      // Destroyed at once: well before any close grace could end it.
      await until(
        () => this.#server.rawCount === 0,
        () => `the ${name === 'heartbeatDeadline' ? 'dead link' : 'attempt'} to be destroyed at once`,
        500,
      );
      if (droppedByDeadPeer !== null) expect(droppedByDeadPeer()).toBe(0);
    }
    switch (name) {
      case 'quietWindow':
      case 'syncCap':
        return this.spec.live();
      case 'heartbeatDeadline':
        return this.spec.lose(now, 'HEARTBEAT_TIMEOUT');
      case 'connectTimeout':
        return this.spec.lose(now, 'CONNECT_TIMEOUT');
      case 'backoff':
        return this.spec.reconnect(now);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The state check: the real system against the model (the chart) and the spec.

  async check(model: Snap): Promise<void> {
    const status = statusOfSnap(model);
    // The controller never sees two TCP connections of this stream, whatever phase they are in.
    expect(this.#server.peakTcp).toBeLessThanOrEqual(1);
    if (this.#earlyStart && status === EventStreamStatus.STOPPED) {
      // start() was already called after this stop(): the real stream is past STOPPED.
      expect(this.delivered).toEqual(this.expected);
      return;
    }
    await this.#settlePendingStop();
    const where = () =>
      `[model ${JSON.stringify(model.value)} f=${model.context.failures}; real ${this.stream.status} ${JSON.stringify(this.stream.actor.getSnapshot().value)}]`;
    if (this.spec.status !== status) {
      throw new Error(
        `chart and spec disagree: the chart is in ${status}, the spec says ${this.spec.status} (failures per spec: ${this.spec.failures}) ${where()}`,
      );
    }
    // The real slot is usually vacant already, so the real chart may have passed `waitingForSlot`
    // (the model's next step, slotRelease.done, then only confirms it). A busy slot holds it there.
    const passedSlotWait = () =>
      JSON.stringify(model.value).includes('waitingForSlot') &&
      JSON.stringify(this.stream.actor.getSnapshot().value) ===
        JSON.stringify(model.value).replace('waitingForSlot', 'connecting');
    await until(
      () =>
        this.stream.status === status &&
        (isDeepStrictEqual(this.stream.actor.getSnapshot().value, model.value) || passedSlotWait()),
      () => `the real stream to reach ${status} ${where()}`,
    );
    const open = status === EventStreamStatus.SYNCING || status === EventStreamStatus.CONNECTED;
    expect(this.stream.connected).toBe(status === EventStreamStatus.CONNECTED);

    // Timers: the real chart's pending deadlines are exactly the spec's.
    const specDues = (passedSlotWait() ? this.#specAfterSlotFree() : this.spec.timers()).map((t) => t.due);
    if (!isDeepStrictEqual(this.clock.pending(), specDues)) {
      throw new Error(
        `timers differ at t=${this.#now}: real chart ${JSON.stringify(this.clock.pending())}, spec ${JSON.stringify(this.spec.timers())} ${where()}`,
      );
    }
    const realFailures = this.stream.actor.getSnapshot().context.failures;
    if (status !== EventStreamStatus.FAILED && realFailures !== this.spec.failures) {
      throw new Error(`consecutive failures: real ${realFailures}, spec ${this.spec.failures} ${where()}`);
    }

    // Sockets on the server side: one while OPEN, none otherwise; never two.
    await until(
      () => this.#server.openCount === (open ? 1 : 0) && this.#server.rawCount === (open ? 1 : 0),
      () =>
        `server to hold ${open ? 1 : 0} socket(s) (open ${this.#server.openCount}, tcp ${this.#server.rawCount}) ${where()}`,
    );
    expect(this.#server.peakOpen).toBeLessThanOrEqual(1);
    expect(this.#server.peakTcp).toBeLessThanOrEqual(1);

    // Deliveries: every frame exactly once, replay flag per spec; nothing after STOPPED.
    expect(this.delivered).toEqual(this.expected);
    if (this.#deliveredAtStop !== null) expect(this.delivered.length).toBe(this.#deliveredAtStop);
    const lastEventAt = this.stream.lastEventAt?.getTime() ?? null;
    if (this.delivered.length === 0) expect(lastEventAt).toBeNull();
    else {
      expect(lastEventAt).not.toBeNull();
      if (this.#lastEventAt !== null) expect(lastEventAt!).toBeGreaterThanOrEqual(this.#lastEventAt);
    }
    this.#lastEventAt = lastEventAt;

    if (status === EventStreamStatus.LOST || status === EventStreamStatus.FAILED) {
      expect(this.stream.lastError?.code).toBe(this.spec.expectedErrorCode);
    }
  }

  /** End of path: stop, and prove nothing is left open and nothing more is delivered. */
  async finish(): Promise<void> {
    walked.paths++;
    await this.#settlePendingStop();
    const count = this.delivered.length;
    await this.#stop();
    this.auth.abandonAll();
    await until(
      () => this.#server.rawCount === 0,
      () => `server sockets to close after stop (${this.#server.rawCount})`,
    );
    expect(this.clock.pending()).toEqual([]);
    expect(this.delivered.length).toBe(count);
    expect(this.#server.peakOpen).toBeLessThanOrEqual(1);
    expect(this.#server.peakTcp).toBeLessThanOrEqual(1);
  }

  /** Whatever happened, leave nothing behind for the next path. */
  async dispose(): Promise<void> {
    this.auth.abandonAll();
    // Server side first: a socket the stream failed to close would otherwise keep stop() waiting.
    this.#server.reset();
    await this.#stop().catch(() => {});
    this.#server.reset();
    await until(
      () => this.#server.rawCount === 0,
      () => 'server sockets to close',
    ).catch(() => {});
    this.#server.resetPeaks();
  }

  /** `stream.stop()`, failing (not hanging) if it does not resolve: a socket it cannot close. */
  async #stop(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`stop() did not resolve within ${SETTLE_MS} ms: a socket of the stream is still open`)),
        SETTLE_MS,
      );
    });
    try {
      await Promise.race([this.stream.stop(), bound]);
    } finally {
      clearTimeout(timer);
    }
  }
}
