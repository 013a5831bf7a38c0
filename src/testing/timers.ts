import { EventStreamStatus } from '../index';
import { chartTimers, type ChartTimer } from './clock';
import { HarnessError } from './errors';
import { POLICY } from './model';
import { until } from './settle';
import type { World } from './world';

/**
 * Simulated time: how it passes between events, and how a step makes one chart timer fire.
 */

/** Simulated time that passes before each non-timer event (a handshake, a gap between frames...), ms. */
const DWELL_MS = 30;

function timers(world: World): ChartTimer[] {
  return chartTimers(world.clock, world.stream.actor);
}

/**
 * Let simulated time pass before an event, as it does in the world, but never up to a pending
 * deadline (that would be another event). In SYNCING, also keep every frame at least one quiet
 * window before the sync cap, so the quiet window can still be the first timer to fire.
 */
export function dwell(world: World): void {
  let limit = Number.POSITIVE_INFINITY;
  for (const t of timers(world)) {
    limit = Math.min(limit, t.due - 1, t.name === 'syncCap' ? t.due - POLICY.quietMs - 1 : Number.POSITIVE_INFINITY);
  }
  world.clock.advanceTo(Math.min(world.now + DWELL_MS, limit));
}

/** A connect attempt times out on an upgrade never answered, a TLS handshake never completed, or a token that never comes. */
async function stallAttempt(world: World): Promise<boolean> {
  const cause = world.rotation.next('connectTimeout', ['silent upgrade', 'stalled TLS', 'slow token'] as const);
  world.rotation.count(cause);
  if (cause === 'silent upgrade') {
    await world.upgrade();
    return false;
  }
  if (cause === 'stalled TLS') {
    world.toStalledTls = true;
    (await world.headersRequest()).resolve({});
    await until(
      () => world.controller.stalledCount === 1,
      'STEP_NOT_REACHED',
      () => 'the connection to reach the stalled TLS listener',
    );
    return false;
  }
  world.auth.slowToken = true;
  await world.controller.accept(await world.upgrade());
  await until(
    () => world.auth.openingRequest !== null,
    'STEP_NOT_REACHED',
    () => 'the attempt to ask for its token',
  );
  return true;
}

/**
 * Make the chart timer `name` fire: advance the clock exactly to its deadline, checking one
 * millisecond before that nothing has happened yet. The sync cap during a replay is reached the
 * way a slow controller reaches it: frames keep coming, each just before the quiet window (and the
 * watchdog) would end. Returns the simulated time it fired at.
 */
export async function fireTimer(world: World, name: string): Promise<number> {
  let destroyAtOnce = false;
  if (name === 'connectTimeout' && world.auth.headersRequest !== null) destroyAtOnce = await stallAttempt(world);
  // A dead link's peer is half-open: a close frame would never be answered, so none may be sent.
  let droppedByDeadPeer: (() => number) | null = null;
  if (name === 'heartbeatDeadline') {
    world.rotation.count('half-open peer on dead link');
    droppedByDeadPeer = world.controller.goHalfOpen(world.socket());
    destroyAtOnce = true;
  }
  for (;;) {
    const [first, second] = timers(world);
    if (!first)
      throw new HarnessError(
        'TIMER',
        `the step fires ${name}, but no chart timer is pending in ${world.stream.status}`,
      );
    if (first.name === name && (second === undefined || second.due > first.due)) break;
    // Only the sync cap can be put first by the world: frames keep restarting the timers before it.
    const deferrable =
      name === 'syncCap' &&
      world.stream.status === EventStreamStatus.SYNCING &&
      timers(world).some((t) => t.name === name);
    if (!deferrable) {
      throw new HarnessError('TIMER', `the step fires ${name}, but ${first.name} (due ${first.due}) fires first`);
    }
    world.clock.advanceTo(first.due - 1);
    await world.sendFrame();
  }
  const due = timers(world)[0].due;
  const before = JSON.stringify(world.stream.actor.getSnapshot().value);
  const statusBefore = world.stream.status;
  world.clock.advanceTo(due - 1);
  if (JSON.stringify(world.stream.actor.getSnapshot().value) !== before || world.stream.status !== statusBefore) {
    throw new HarnessError(
      'TIMER',
      `${name} fired early: at ${due - 1} (due ${due}) the stream is already ${world.stream.status}`,
    );
  }
  world.clock.advanceTo(due);
  if (destroyAtOnce) {
    // Destroyed at once: well before any close grace could end it.
    await until(
      () => world.controller.rawCount === 0,
      'DEAD_LINK',
      () => `the ${name === 'heartbeatDeadline' ? 'dead link' : 'attempt'} to be destroyed at once`,
      500,
    );
    const dropped = droppedByDeadPeer?.() ?? 0;
    if (dropped !== 0) throw new HarnessError('DEAD_LINK', `${dropped} bytes (a close frame) sent to a dead peer`);
  }
  return due;
}
