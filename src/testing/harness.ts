import type { InspectionEvent } from 'xstate';
import { EventStreamStatus, type EventStream } from '../index';
import { transitionKey } from './chart';
import { LoopbackController } from './controller';
import { HarnessError } from './errors';
import { defaultRotation, type CauseRotation } from './hostile';
import type { StreamPath, StreamPathStep } from './paths';
import { bounded, SETTLE_MS, until } from './settle';
import { executeStep } from './steps';
import { settlePendingStop } from './stop';
import { World, type HarnessFrame } from './world';

/** Options of {@link createPathHarness}. */
export interface PathHarnessOptions {
  /**
   * How long the stream's polite close waits for the controller's answer before destroying the
   * socket, in ms (the stream's `closeGraceMs`). Default 100: the harness meets peers that never
   * answer, and a short grace keeps each such step short.
   */
  closeGraceMs?: number;
  /** Whose turn each hostile cause is; share one between harnesses. Default: one for the process. */
  rotation?: CauseRotation;
  /** Also receives every inspection event of the stream's actor system (XState's `inspect`). */
  inspect?: (event: InspectionEvent) => void;
}

/** A step as {@link PathHarness.run} reports it to `afterStep`, once the real stream has taken it. */
export interface HarnessStep extends StreamPathStep {
  /** Position in the path, from 0. */
  index: number;
  /** Simulated time (ms, the harness clock) at which the step's event took effect. */
  at: number;
  /** Frames the controller sent during the step that the stream must deliver, in order. */
  frames: readonly HarnessFrame[];
  /**
   * `true` once the harness saw the real stream settle in the step's chart state (sockets and
   * all). `false` only for a STOP issued together with the next START (`stop(); start()`
   * unawaited): then `afterStep` runs between the two calls, where `stream.status` is STOPPED but
   * the chart may not have taken the STOP yet.
   */
  settled: boolean;
}

/** Options of {@link PathHarness.run}. */
export interface RunOptions {
  /**
   * Called after each step, once the real stream is in the step's state: check your app here. It
   * may return a promise, which is awaited. For a STOP that the harness issues together with the
   * following START (`stop(); start()` unawaited, a hostile cause), it is called between the two,
   * synchronously (a returned promise is awaited after the START).
   */
  afterStep?: (step: HarnessStep) => void | Promise<void>;
}

/** The harness's simulated clock, read-only. */
export interface HarnessClock {
  /** Simulated now, in ms since the harness was created. */
  now(): number;
  /** Due times (simulated ms) of the chart's pending timers, ascending. */
  pending(): number[];
}

/** What the loopback controller saw, as counts. */
export interface HarnessController {
  /** `http://127.0.0.1:PORT`: where the stream connects. */
  readonly url: string;
  /** WebSockets open on the controller side now. */
  readonly openCount: number;
  /** TCP connections the controller holds now (both listeners, any phase). */
  readonly tcpCount: number;
  /** Most WebSockets open at once since the harness was created. */
  readonly peakOpen: number;
  /** Most TCP connections held at once since the harness was created. */
  readonly peakTcp: number;
  /** Upgrade requests received. */
  readonly upgrades: number;
}

/** What of the chart a harness's real stream walked (recorded from its actor's microsteps). */
export interface WalkedChart {
  /** State node ids entered (`stream.OPEN.phase.SYNCING`, ...; the root is not counted). */
  readonly states: ReadonlySet<string>;
  /** Transitions taken, as `source --event[i]--> targets` (`i`: which guarded alternative). */
  readonly transitions: ReadonlySet<string>;
}

/** A real stream, a loopback controller and a simulated clock; see {@link createPathHarness}. */
export interface PathHarness {
  /** The stream under test: subscribe your app to it as in production. Not started: paths start it. */
  readonly stream: EventStream;
  /** The simulated clock the stream's chart runs on. */
  readonly clock: HarnessClock;
  /** The loopback controller's counts. */
  readonly controller: HarnessController;
  /** What of the chart the real stream walked so far. */
  readonly walked: WalkedChart;
  /**
   * Drive every step of `path` for real and wait, after each, for the stream to be in the step's
   * chart state; then call `afterStep`. Rejects with a {@link HarnessError} when the stream or the
   * world does not follow (and closes the harness), or with whatever `afterStep` throws.
   */
  run(path: StreamPath, options?: RunOptions): Promise<void>;
  /**
   * Stop the stream and the controller. Rejects with a {@link HarnessError} (`LEFT_OPEN`,
   * `STOP_TIMEOUT`, `DELIVERED_AFTER_STOP`, `SOCKETS`) when the stream left a socket or a timer
   * behind or delivered after stop(); everything is released either way. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * A harness for one path: a real `EventStream` (its real connect, reader and auth actors) talking
 * over real sockets to a loopback controller on 127.0.0.1 (port 0) that accepts, rejects with
 * 401 or 500, drops, goes silent, replays and sends live frames as the path's steps say, with the
 * chart's delays on a simulated clock that the steps advance. Policy: {@link HARNESS_POLICY}.
 * Create one per path; `close()` it after.
 */
export async function createPathHarness(options: PathHarnessOptions = {}): Promise<PathHarness> {
  const closeGraceMs = options.closeGraceMs ?? 100;
  const stopBoundMs = closeGraceMs + 600;
  const controller = await LoopbackController.start();
  const walked = { states: new Set<string>(), transitions: new Set<string>() };
  const record = (event: InspectionEvent) => {
    if (event.type !== '@xstate.microstep' || event.actorRef.sessionId !== event.rootId) return;
    const micro = event as unknown as { _transitions?: unknown[]; snapshot: { _nodes?: Array<{ id: string }> } };
    for (const t of micro._transitions ?? []) walked.transitions.add(transitionKey(t as never));
    for (const node of micro.snapshot._nodes ?? []) if (node.id !== 'stream') walked.states.add(node.id);
  };
  const world = new World(controller, options.rotation ?? defaultRotation, closeGraceMs, (event) => {
    record(event as InspectionEvent);
    options.inspect?.(event as InspectionEvent);
  });
  for (const node of world.stream.actor.getSnapshot()._nodes) if (node.id !== 'stream') walked.states.add(node.id);
  let closed = false;

  const dispose = async () => {
    closed = true;
    world.auth.abandonAll();
    // Controller side first: a socket the stream failed to close would otherwise keep stop() waiting.
    controller.reset();
    await bounded(world.stream.stop(), SETTLE_MS, 'STOP_TIMEOUT', 'stop()').catch(() => {});
    await controller.close();
  };

  const settle = async (step: StreamPathStep) => {
    await settlePendingStop(world, stopBoundMs);
    const real = () => JSON.stringify(world.stream.actor.getSnapshot().value);
    const want = JSON.stringify(step.state);
    // The real slot is usually vacant already, so the real chart may have passed `waitingForSlot`
    // (the path's next step, slotRelease.done, then only confirms it).
    const reached = () =>
      world.stream.status === step.status &&
      (real() === want || (want.includes('waitingForSlot') && real() === want.replace('waitingForSlot', 'connecting')));
    await until(
      reached,
      'STEP_NOT_REACHED',
      () =>
        `${step.status} ${want} (the stream is ${world.stream.status} ${real()}, last error: ${world.stream.lastError?.message ?? 'none'})`,
    );
    const open = step.status === EventStreamStatus.SYNCING || step.status === EventStreamStatus.CONNECTED;
    await until(
      () => controller.openCount === (open ? 1 : 0) && controller.rawCount === (open ? 1 : 0),
      'SOCKETS',
      () =>
        `the controller to hold ${open ? 1 : 0} socket(s) in ${step.status} (open ${controller.openCount}, tcp ${controller.rawCount})`,
    );
    checkPeaks();
    if (world.deliveredAtStop !== null && world.delivered !== world.deliveredAtStop) {
      throw new HarnessError(
        'DELIVERED_AFTER_STOP',
        `${world.delivered - world.deliveredAtStop} event(s) delivered after stop()`,
      );
    }
  };

  const checkPeaks = () => {
    if (controller.peakOpen > 1 || controller.peakTcp > 1) {
      throw new HarnessError(
        'SOCKETS',
        `the controller saw ${controller.peakTcp} TCP connections (${controller.peakOpen} WebSockets) at once`,
      );
    }
  };

  const run = async (path: StreamPath, runOptions: RunOptions = {}) => {
    if (closed) throw new HarnessError('CLOSED', 'run() after close()');
    const afterStep = runOptions.afterStep ?? (() => {});
    world.events = path.events;
    let i = 0;
    try {
      for (; i < path.steps.length; i++) {
        world.step = i;
        world.frames = [];
        const report = (at: number, settled: boolean): HarnessStep => ({
          ...path.steps[i],
          index: i,
          at,
          frames: world.frames,
          settled,
        });
        let early: { result: void | Promise<void> } | null = null;
        const between = () => {
          early = { result: afterStep(report(world.now, false)) };
        };
        const at = await executeStep(world, path.events[i], { stopBoundMs, between });
        checkPeaks();
        if (early !== null) {
          await (early as { result: void | Promise<void> }).result;
          continue;
        }
        await settle(path.steps[i]);
        await afterStep(report(at, true));
      }
    } catch (error) {
      await dispose();
      // Say where in the path the world did not follow (the step's own checks say where already).
      if (error instanceof HarnessError) {
        throw new HarnessError(
          error.code,
          `step ${i} (${path.steps[i]?.event}): ${error.message.slice(error.code.length + 2)}`,
        );
      }
      throw error;
    }
  };

  const close = async () => {
    if (closed) return;
    try {
      await settlePendingStop(world, stopBoundMs);
      const delivered = world.delivered;
      await bounded(world.stream.stop(), SETTLE_MS, 'STOP_TIMEOUT', 'stop()');
      world.auth.abandonAll();
      await until(
        () => controller.rawCount === 0,
        'LEFT_OPEN',
        () => `the controller's ${controller.rawCount} socket(s) to close after stop()`,
      );
      if (world.clock.pending().length > 0) {
        throw new HarnessError(
          'LEFT_OPEN',
          `chart timers still pending after stop(): ${JSON.stringify(world.clock.pending())}`,
        );
      }
      if (world.delivered !== delivered)
        throw new HarnessError('DELIVERED_AFTER_STOP', 'an event was delivered after stop()');
      checkPeaks();
    } finally {
      await dispose();
    }
  };

  return {
    stream: world.stream,
    clock: { now: () => world.clock.now(), pending: () => world.clock.pending() },
    controller: {
      url: controller.url,
      get openCount() {
        return controller.openCount;
      },
      get tcpCount() {
        return controller.rawCount;
      },
      get peakOpen() {
        return controller.peakOpen;
      },
      get peakTcp() {
        return controller.peakTcp;
      },
      get upgrades() {
        return controller.upgrades;
      },
    },
    walked,
    run,
    close,
  };
}
