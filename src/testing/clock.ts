import { SimulatedClock, type AnyActorRef } from 'xstate';
import { delayNameOf } from './chart';
import { HarnessError } from './errors';

/**
 * The simulated clock the harness gives the stream's chart: XState's `SimulatedClock`, also
 * recording when each pending timer is due, so the harness can fire exactly the chart timer a step
 * names, at its deadline, and a test can compare the pending deadlines with its own expectation.
 */
export class ChartClock extends SimulatedClock {
  /** Timer id → due time and length, in the order the timers were set. */
  readonly #timers = new Map<number, { due: number; delay: number }>();

  override setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    let id = -1;
    id = super.setTimeout(() => {
      this.#timers.delete(id);
      fn();
    }, timeout);
    this.#timers.set(id, { due: this.now() + timeout, delay: timeout });
    return id;
  }

  override clearTimeout(id: number): void {
    this.#timers.delete(id);
    super.clearTimeout(id);
  }

  /** Due times (simulated ms) of every pending timer, ascending. */
  pending(): number[] {
    return [...this.#timers.values()].map((t) => t.due).sort((a, b) => a - b);
  }

  /** Pending timers in the order they were set. */
  timersInOrder(): Array<{ due: number; delay: number }> {
    return [...this.#timers.values()];
  }

  /** Move simulated time forward to `time` (never back), firing every timer due by then. */
  advanceTo(time: number): void {
    if (time > this.now()) this.set(time);
  }
}

/** One pending timer of the chart: the named delay (`quietWindow`, `backoff`, ...) and its due time. */
export interface ChartTimer {
  name: string;
  due: number;
}

/**
 * The chart's pending timers by name, earliest first. The actor system schedules every delayed
 * event through the clock, one `setTimeout` per scheduled event and in the same order (the stream
 * sets no other timer on this clock), so the two lists pair up one to one.
 */
export function chartTimers(clock: ChartClock, actor: AnyActorRef): ChartTimer[] {
  const scheduled = Object.values(actor.system.getSnapshot()._scheduledEvents);
  const timers = clock.timersInOrder();
  if (scheduled.length !== timers.length || scheduled.some((s, i) => s.delay !== timers[i].delay)) {
    throw new HarnessError(
      'TIMER',
      `the chart's scheduled events (${scheduled.map((s) => `${s.event.type} ${s.delay} ms`).join(', ')}) do not match the clock's timers (${timers.map((t) => `${t.delay} ms`).join(', ')})`,
    );
  }
  return scheduled
    .map((s, i) => ({ name: delayNameOf(s.event.type) ?? s.event.type, due: timers[i].due }))
    .sort((a, b) => a.due - b.due);
}
