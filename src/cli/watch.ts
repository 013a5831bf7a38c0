/**
 * Connects a stream to a {@link Renderer} and keeps the run's counters. Shared by the CLI and the
 * demo, so both print the same timeline and the same summary.
 */
import type { ErrorSummary } from '../errors';
import type { EventStreamStatus } from '../machine/status';
import { compareWithTruth, type Simulator } from '../simulator';
import type { EventStream } from '../stream';
import { canonicalFilterValue, type EventFilter } from './filter';
import type { Renderer } from './render';
import type { RunSummary } from './summary';

/** Node status as the simulator's `truth()` returns it. */
export type TruthMap = ReadonlyMap<
  string,
  ReadonlyMap<string, { value: string; uom?: string; prec?: string; formatted?: string }>
>;

/** A stream being watched. */
export interface Watch {
  /** Every status entered so far, starting with the initial one. */
  readonly statuses: readonly EventStreamStatus[];
  /** Resolves the first time the stream enters `status` (at once if it is there now). */
  reached(status: EventStreamStatus): Promise<void>;
  /** Counters and mirror size now. */
  summary(extra?: Partial<RunSummary>): RunSummary;
  /**
   * Stop showing and counting events; statuses still show. For the simulator's end-of-run check,
   * whose sentinel change is not an event of the house.
   */
  stopEvents(): void;
  /** Stop listening (the stream keeps running). */
  detach(): void;
}

/** Options of {@link watchStream}. */
export interface WatchOptions {
  filter?: readonly EventFilter[];
  /** Rewords an error for the reader (the CLI names its flags); default as is. */
  explain?: (error: ErrorSummary) => ErrorSummary;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** Whether an event passes `--filter`: no filters, or any one of them (case and whitespace ignored). */
export function matchesFilter(filters: readonly EventFilter[], node: string, control: string): boolean {
  if (filters.length === 0) return true;
  const nodeKey = canonicalFilterValue(node);
  const controlKey = canonicalFilterValue(control);
  return filters.some(
    (filter) =>
      (filter.node === undefined || filter.node === nodeKey) &&
      (filter.control === undefined || filter.control === controlKey),
  );
}

/**
 * Render `stream`'s statuses (the current one first) and events, and count them. Call before
 * `stream.start()` so no status is missed.
 */
export function watchStream(stream: EventStream, renderer: Renderer, options: WatchOptions = {}): Watch {
  const now = options.now ?? Date.now;
  const filter = options.filter ?? [];
  const explain = options.explain;
  const explainError = (error: ErrorSummary | null): ErrorSummary | null =>
    error === null || explain === undefined ? error : explain(error);
  const startedAt = now();
  const statuses: EventStreamStatus[] = [stream.status];
  const events = { total: 0, replay: 0, live: 0 };
  const waiters = new Map<EventStreamStatus, Array<() => void>>();

  renderer.status(stream.status, null, null);
  const offStatus = stream.onStatus((status, change) => {
    statuses.push(status);
    renderer.status(status, change.previous, explainError(change.lastError));
    const pending = waiters.get(status);
    if (pending) {
      waiters.delete(status);
      for (const resolve of pending) resolve();
    }
  });
  const offEvent = stream.onEvent((event, info) => {
    if (!matchesFilter(filter, event.node, event.control)) return;
    events.total++;
    if (info.replay) events.replay++;
    else events.live++;
    renderer.event(event, info);
  });

  return {
    statuses,
    reached: (status) =>
      statuses.includes(status)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.set(status, [...(waiters.get(status) ?? []), resolve])),
    summary: (extra = {}) => {
      const mirror = stream.mirror;
      let properties = 0;
      for (const controls of mirror.nodes.values()) properties += controls.size;
      const dropped = Object.values(stream.dispatcher.stats.dropped).reduce((a, b) => a + b, 0);
      return {
        statuses: [...statuses],
        finalStatus: stream.status,
        events: { ...events },
        connections: stream.stats.connections,
        reconnects: statuses.filter((s) => s === 'RECONNECTING').length,
        losses: stream.stats.losses,
        mirror: {
          nodes: mirror.nodes.size,
          properties,
          programs: mirror.programs.size,
          variables: mirror.variables.size,
        },
        droppedFrames: dropped,
        durationMs: now() - startedAt,
        lastError: explainError(stream.lastError),
        ...extra,
      };
    },
    stopEvents: offEvent,
    detach: () => {
      offStatus();
      offEvent();
    },
  };
}

/**
 * Compare a stream's node mirror with the simulator's truth. Returns the differences (empty when
 * equal), at most `limit` of them, readable.
 */
export function mirrorDifferences(stream: EventStream, truth: TruthMap, limit = 5): string[] {
  return compareWithTruth(stream.mirror.nodes, truth, limit).samples;
}

/**
 * Bring a simulator run to a checkable point, then compare: random changes are switched off, one
 * last change is sent and awaited (so nothing is still in flight), and the mirror must then equal
 * the truth exactly. False when the stream is not CONNECTED.
 */
export async function settleAndCompare(stream: EventStream, simulator: Simulator, timeoutMs = 1500): Promise<boolean> {
  if (stream.status !== 'CONNECTED') return false;
  simulator.setLiveEvents(false);
  const node = [...simulator.house.nodes.keys()][0];
  if (node !== undefined) {
    const sentinel = String(Date.now() % 100_000);
    simulator.emitChange(node, 'GV99', sentinel);
    const deadline = Date.now() + timeoutMs;
    while (stream.mirror.nodes.get(node)?.get('GV99')?.value !== sentinel && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return mirrorDifferences(stream, simulator.truth()).length === 0;
}
