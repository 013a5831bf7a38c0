import { isDeepStrictEqual } from 'node:util';
import { EventStreamStatus } from '../../src';
import type { HarnessStep, PathHarness, StreamPath } from '../../src/testing';
import { delayNameOf } from './chart';
import { Spec, type SpecTimer } from './spec';

/**
 * The model suite's `afterStep`: after each step the harness drove, move the spec (`Spec`, issue
 * 2's rules written without the chart) by what the world did, and check the real stream against
 * it: status, the chart's pending deadlines, consecutive failures, every frame delivered exactly
 * once with the right `replay` flag, `lastEventAt`, `lastError.code`. The harness has already
 * checked that the stream is in the step's chart state and holds the right sockets.
 */

interface Delivery {
  node: string;
  replay: boolean;
}

export class Oracle {
  readonly spec = new Spec();
  readonly delivered: Delivery[] = [];
  readonly expected: Delivery[] = [];
  #deliveredAtStop: number | null = null;
  #lastEventAt: number | null = null;

  constructor(
    private readonly h: PathHarness,
    private readonly path: StreamPath,
  ) {
    h.stream.onEvent((event, info) => this.delivered.push({ node: event.node, replay: info.replay }));
  }

  /** The `afterStep` callback. */
  readonly afterStep = (step: HarnessStep): void => {
    this.#apply(step);
    if (step.settled) this.#check(step);
    else expect(this.delivered).toEqual(this.expected);
  };

  /** Move the spec by the step: its frames, then its event. */
  #apply(step: HarnessStep): void {
    const spec = this.spec;
    for (const frame of step.frames) {
      // Frames that arrive while SYNCING are the replay, except the live frame that ends it.
      const endsReplay = spec.endsReplay(frame.live);
      this.expected.push({ node: frame.node, replay: spec.status === EventStreamStatus.SYNCING && !endsReplay });
      spec.frame(frame.at, frame.heartbeatSec);
      if (endsReplay) spec.live();
    }
    const event = this.path.events[step.index] as {
      type: string;
      output?: unknown;
      error?: { code?: string; status?: number };
    };
    const at = step.at;
    const delay = delayNameOf(event.type);
    if (delay === 'quietWindow' || delay === 'syncCap') return spec.live();
    if (delay === 'heartbeatDeadline') return spec.lose(at, 'HEARTBEAT_TIMEOUT');
    if (delay === 'connectTimeout') return spec.lose(at, 'CONNECT_TIMEOUT');
    if (delay === 'backoff') return spec.reconnect(at);
    if (delay !== null) throw new Error(`the spec knows no timer ${delay}`);
    const code = event.error?.code;
    switch (event.type) {
      case 'START':
        this.#deliveredAtStop = null;
        return spec.start(at);
      case 'STOP':
        this.#deliveredAtStop = this.delivered.length;
        return spec.stop();
      case 'FRAME':
      case 'LIVE_FRAME':
        return;
      case 'SOCKET_CLOSED':
        return spec.lose(at, 'SOCKET_CLOSED');
      case 'SOCKET_ERROR':
        return spec.lose(at, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
      case 'xstate.done.actor.slotRelease':
        return spec.slotFree(at);
      case 'xstate.done.actor.connect':
        return spec.connected(at);
      case 'xstate.error.actor.connect':
        if (code === 'HANDSHAKE_STATUS') {
          if (event.error?.status === 401) return spec.unauthorized(at);
          return spec.lose(at, 'HANDSHAKE_STATUS');
        }
        if (code === 'AUTH_REJECTED') return spec.fail('AUTH_REJECTED');
        return spec.lose(at, 'AUTH_TRANSIENT');
      case 'xstate.done.actor.refreshAuth':
        if (event.output === true) return spec.refreshed();
        return spec.fail('AUTH_REJECTED');
      case 'xstate.error.actor.refreshAuth':
        if (code === 'AUTH_REJECTED') return spec.fail('AUTH_REJECTED');
        return spec.lose(at, 'AUTH_TRANSIENT');
      default:
        throw new Error(`the spec knows no event ${event.type}`);
    }
  }

  /** The real system against the spec, once the harness has it in the step's chart state. */
  #check(step: HarnessStep): void {
    const { h, spec } = this;
    const real = h.stream.actor.getSnapshot();
    const where = () => `[chart ${JSON.stringify(step.state)}; real ${h.stream.status} ${JSON.stringify(real.value)}]`;
    if (spec.status !== step.status) {
      throw new Error(
        `chart and spec disagree: the chart is in ${step.status}, the spec says ${spec.status} (failures per spec: ${spec.failures}) ${where()}`,
      );
    }
    expect(h.stream.connected).toBe(step.status === EventStreamStatus.CONNECTED);
    // Timers: the real chart's pending deadlines are exactly the spec's. The real chart may be one
    // step ahead, past `waitingForSlot` (the slot was already vacant).
    const passedSlotWait =
      JSON.stringify(step.state).includes('waitingForSlot') && !isDeepStrictEqual(real.value, step.state);
    const specTimers = passedSlotWait ? this.#specAfterSlotFree() : spec.timers();
    if (
      !isDeepStrictEqual(
        h.clock.pending(),
        specTimers.map((t) => t.due),
      )
    ) {
      throw new Error(
        `timers differ at t=${h.clock.now()}: real chart ${JSON.stringify(h.clock.pending())}, spec ${JSON.stringify(specTimers)} ${where()}`,
      );
    }
    if (step.status !== EventStreamStatus.FAILED && real.context.failures !== spec.failures) {
      throw new Error(`consecutive failures: real ${real.context.failures}, spec ${spec.failures} ${where()}`);
    }
    // Deliveries: every frame exactly once, replay flag per spec; nothing after STOPPED.
    expect(this.delivered).toEqual(this.expected);
    if (this.#deliveredAtStop !== null) expect(this.delivered.length).toBe(this.#deliveredAtStop);
    const lastEventAt = h.stream.lastEventAt?.getTime() ?? null;
    if (this.delivered.length === 0) expect(lastEventAt).toBeNull();
    else {
      expect(lastEventAt).not.toBeNull();
      if (this.#lastEventAt !== null) expect(lastEventAt!).toBeGreaterThanOrEqual(this.#lastEventAt);
      // lastEventAt is wall-clock time of the delivery: not before the frame was sent.
      for (const frame of step.frames) expect(lastEventAt!).toBeGreaterThanOrEqual(frame.sentAt);
    }
    this.#lastEventAt = lastEventAt;
    if (step.status === EventStreamStatus.LOST || step.status === EventStreamStatus.FAILED) {
      expect(h.stream.lastError?.code).toBe(spec.expectedErrorCode);
    }
  }

  /** The spec's timers had the slot been freed now (the real chart is one step ahead). */
  #specAfterSlotFree(): SpecTimer[] {
    const { waitingForSlot, stepAt } = this.spec;
    this.spec.slotFree(this.h.clock.now());
    const timers = this.spec.timers();
    this.spec.waitingForSlot = waitingForSlot;
    this.spec.stepAt = stepAt;
    return timers;
  }
}
