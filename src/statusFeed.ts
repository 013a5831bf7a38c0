/**
 * A stream's status as its users hear it: deduplicated changes, each logged once, counted
 * (connections, CONNECTED, losses) and handed to every listener in isolation (one that throws
 * is logged and the others still hear it).
 */
import type { ErrorSummary } from './errors';
import type { Logger } from './logger';
import { EventStreamStatus } from './machine/status';

/** What a status listener learns besides the new status. */
export interface StatusChange {
  /** The status before this change. */
  previous: EventStreamStatus;
  /** Why the last attempt or connection ended, when the new status is LOST or FAILED. */
  lastError: ErrorSummary | null;
}

/** Counters of a stream's connection life. */
export interface ConnectionStats {
  /** Sockets opened (SYNCING entered). */
  connections: number;
  /** Times the stream reached CONNECTED. */
  connectedCount: number;
  /** Times an open link or an attempt was lost (LOST entered). */
  losses: number;
}

/** A status listener: the new status and what came with it. */
export type StatusListener = (status: EventStreamStatus, change: StatusChange) => void;

/** The status a stream shows, its listeners and its connection counters. */
export class StatusFeed {
  readonly #logger: Logger;
  readonly #listeners = new Set<StatusListener>();
  #status: EventStreamStatus = EventStreamStatus.NOT_STARTED;
  readonly #stats: ConnectionStats = { connections: 0, connectedCount: 0, losses: 0 };

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** The status last published. */
  get status(): EventStreamStatus {
    return this.#status;
  }

  /** The counters (a copy). */
  get stats(): ConnectionStats {
    return { ...this.#stats };
  }

  /** Add a listener; returns its unsubscribe function. */
  listen(listener: StatusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Publish `status` unless it is the current one: count it, log it, tell every listener. */
  publish(status: EventStreamStatus, lastError: ErrorSummary | null): void {
    if (status === this.#status) return;
    const previous = this.#status;
    this.#status = status;
    if (status === EventStreamStatus.SYNCING) this.#stats.connections++;
    else if (status === EventStreamStatus.CONNECTED) this.#stats.connectedCount++;
    else if (status === EventStreamStatus.LOST) this.#stats.losses++;

    if (status === EventStreamStatus.LOST)
      this.#logger.warn(`connection lost: ${lastError?.message ?? 'unknown reason'}`);
    else if (status === EventStreamStatus.FAILED)
      this.#logger.error(`stream failed: ${lastError?.message ?? 'unknown reason'}`);
    else this.#logger.info(`status ${previous} → ${status}`);

    const change: StatusChange = { previous, lastError };
    for (const listener of [...this.#listeners]) {
      try {
        listener(status, change);
      } catch (error) {
        this.#logger.error('status listener threw', error);
      }
    }
  }
}
