import { EventStreamStatus } from '../index';
import { HarnessError } from './errors';
import type { HostileCause } from './hostile';
import { bounded, SETTLE_MS, sleep } from './settle';
import type { World } from './world';

/**
 * STOP, the hostile ways in rotation: awaited; against a half-open peer (the polite close is never
 * answered: stop() must still resolve within the close grace); from inside an event listener; and,
 * when the path's next step is START, `stop(); start()` without awaiting (from a listener when a
 * socket is open). `between` runs after stop() and before an unawaited start().
 */
export async function executeStop(world: World, stopBoundMs: number, between: () => void): Promise<void> {
  const open = world.open;
  const nextIsStart = world.events[world.step + 1]?.type === 'START';
  const ways: Array<'plain' | HostileCause> = ['plain'];
  if (open) ways.push('half-open peer on stop', 'stop() from a listener');
  if (nextIsStart) ways.push('stop(); start() unawaited');
  const way = world.rotation.next(`STOP open=${open} nextIsStart=${nextIsStart}`, ways);
  if (way === 'plain') return stopPlain(world);
  world.rotation.count(way);
  if (way === 'half-open peer on stop') {
    world.controller.goHalfOpen(world.socket());
    const at = performance.now();
    await stopPlain(world);
    const took = performance.now() - at;
    if (took >= stopBoundMs)
      throw new HarnessError('STOP_TIMEOUT', `stop() against a half-open peer took ${Math.round(took)} ms`);
    return;
  }
  const restart = way === 'stop(); start() unawaited';
  let stopping: Promise<void> | null = null;
  const stopNow = () => {
    stopping = world.stream.stop();
    world.deliveredAtStop = world.delivered;
    // Auth requests of the stopped run are stale: a later step must not answer one of them in
    // place of the next attempt's own request.
    world.auth.abandonAll();
    if (!restart) return;
    between();
    world.earlyStart = true;
    world.stream.start();
  };
  if (open) {
    if (restart) world.rotation.count('stop() from a listener');
    // The listener that stops runs for the next frame: that frame is delivered, nothing after it.
    const off = world.stream.onEvent(() => {
      if (stopping === null) stopNow();
    });
    const frame = world.nextFrame();
    const replay = world.stream.status === EventStreamStatus.SYNCING;
    world.frames.push({ node: frame.node, at: world.now, sentAt: Date.now(), live: false, replay });
    world.socket().send(frame.text);
    await bounded(
      new Promise<void>((resolve) => {
        const poll = () => (stopping !== null ? resolve() : setTimeout(poll, 1));
        poll();
      }),
      SETTLE_MS,
      'STEP_NOT_REACHED',
      'the listener that calls stop()',
    );
    off();
  } else {
    stopNow();
  }
  if (restart) world.pendingStop = { since: performance.now(), promise: stopping! };
  else await bounded(stopping!, SETTLE_MS, 'STOP_TIMEOUT', 'stop() called from a listener');
}

/** STOP, awaited; a frame races it, and the abandoned attempt's auth answers arrive late. */
async function stopPlain(world: World): Promise<void> {
  const ws = world.controller.current;
  const stopping = bounded(world.stream.stop(), SETTLE_MS, 'STOP_TIMEOUT', 'stop()');
  world.deliveredAtStop = world.delivered;
  // A frame racing the stop: the socket may still carry it, the stream must not deliver it.
  ws?.send(world.nextFrame().text);
  await stopping;
  // The abandoned attempt's auth answers arrive late: they must not open anything.
  const lateHeaders = world.auth.takeHeaders();
  const lateRefresh = world.auth.takeRefresh();
  if (lateHeaders || lateRefresh) {
    const upgrades = world.controller.upgrades;
    lateHeaders?.resolve({});
    lateRefresh?.resolve(true);
    await sleep(5);
    if (world.controller.upgrades !== upgrades) {
      throw new HarnessError('OPENED_AFTER_STOP', 'an auth answer that came after stop() opened a connection');
    }
  }
}

/** An unawaited stop() must resolve within the close grace of its call. */
export async function settlePendingStop(world: World, stopBoundMs: number): Promise<void> {
  const pending = world.pendingStop;
  if (!pending) return;
  await bounded(
    pending.promise,
    pending.since + stopBoundMs - performance.now(),
    'STOP_TIMEOUT',
    'an unawaited stop()',
  );
  world.pendingStop = null;
}
