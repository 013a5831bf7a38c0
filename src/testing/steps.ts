import { AuthRejectedError, AuthTransientError } from '../index';
import { delayNameOf } from './chart';
import { HarnessError } from './errors';
import type { ModelEvent } from './model';
import { executeStop } from './stop';
import { dwell, fireTimer } from './timers';
import { MAX_PAYLOAD, type World } from './world';
import { until } from './settle';

/**
 * The step runners: make the real world do what one chart event of a path means. Each returns the
 * simulated time (ms) the event took effect at.
 */

/** How a runner is told about the step's surroundings. */
export interface StepContext {
  /** Real-time bound on a stop() whose polite close meets a peer that never answers, ms. */
  stopBoundMs: number;
  /** Runs after an unawaited stop(), before the start() that follows it. */
  between: () => void;
}

export async function executeStep(world: World, event: ModelEvent, context: StepContext): Promise<number> {
  const type = event.type;
  const delay = delayNameOf(type);
  if (delay !== null) return fireTimer(world, delay);
  if (type === 'START' && world.earlyStart) {
    // Issued with the stop, at the same simulated moment.
    world.earlyStart = false;
    world.deliveredAtStop = null;
    return world.now;
  }
  // The slot frees itself (the previous connection closes): no simulated time passes first.
  if (type === 'xstate.done.actor.slotRelease') {
    await until(
      () => !JSON.stringify(world.stream.actor.getSnapshot().value).includes('waitingForSlot'),
      'STEP_NOT_REACHED',
      () => `the subscriber slot to be vacant (the controller holds ${world.controller.rawCount} TCP connection(s))`,
    );
    return world.now;
  }
  dwell(world);
  const now = world.now;
  const error = (event as { error?: { code?: string; status?: number } }).error;
  switch (type) {
    case 'START':
      world.stream.start();
      world.deliveredAtStop = null;
      return now;
    case 'STOP':
      await executeStop(world, context.stopBoundMs, context.between);
      return now;
    case 'FRAME': {
      const frame = event as { heartbeatSec?: number; untimed?: boolean };
      await world.sendFrame(frame.heartbeatSec, false, frame.untimed === true);
      return now;
    }
    case 'LIVE_FRAME':
      await world.sendFrame(undefined, true);
      return now;
    case 'SOCKET_CLOSED':
      world.socket().close(4000, 'harness');
      return now;
    case 'SOCKET_ERROR':
      // Over maxPayload: `ws` fails the socket (error, then close 1009).
      world.socket().send('x'.repeat(MAX_PAYLOAD + 1));
      return now;
    case 'xstate.done.actor.connect': {
      const upgrade = await world.upgrade();
      world.accepted();
      await world.controller.accept(upgrade);
      return now;
    }
    case 'xstate.error.actor.connect': {
      if (error?.code === 'HANDSHAKE_STATUS') {
        world.controller.reject(await world.upgrade(), error.status ?? 500);
        return now;
      }
      const request = await world.headersRequest();
      if (error?.code === 'AUTH_REJECTED') request.reject(new AuthRejectedError('harness: credentials rejected', 401));
      else request.reject(new AuthTransientError('harness: auth endpoint answered 503', 503));
      return now;
    }
    case 'xstate.done.actor.refreshAuth':
      (await world.refreshRequest()).resolve((event as { output?: unknown }).output === true);
      return now;
    case 'xstate.error.actor.refreshAuth': {
      const request = await world.refreshRequest();
      if (error?.code === 'AUTH_REJECTED') request.reject(new AuthRejectedError('harness: login rejected', 401));
      else request.reject(new AuthTransientError('harness: refresh endpoint unreachable'));
      return now;
    }
    default:
      throw new HarnessError('UNKNOWN_EVENT', `no way to cause ${type}`);
  }
}
