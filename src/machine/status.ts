/**
 * The public status values. They are also the names of the chart's status-bearing states, each
 * of which carries its status as a tag, so `statusOf()` reads the status straight off a snapshot.
 */
export const EventStreamStatus = {
  NOT_STARTED: 'NOT_STARTED',
  INITIALIZING: 'INITIALIZING',
  SYNCING: 'SYNCING',
  CONNECTED: 'CONNECTED',
  LOST: 'LOST',
  RECONNECTING: 'RECONNECTING',
  FAILED: 'FAILED',
  STOPPED: 'STOPPED',
} as const;

/** One of the eight life-cycle states of a stream. */
export type EventStreamStatus = (typeof EventStreamStatus)[keyof typeof EventStreamStatus];

const STATUSES: readonly EventStreamStatus[] = Object.values(EventStreamStatus);

/** Whether a tag names a status. */
export function isStatus(tag: string): tag is EventStreamStatus {
  return (STATUSES as readonly string[]).includes(tag);
}

/** The status of a machine snapshot: the one status tag among its active states. */
export function statusOf(snapshot: { hasTag(tag: string): boolean }): EventStreamStatus {
  for (const status of STATUSES) {
    if (snapshot.hasTag(status)) return status;
  }
  // Unreachable while every leaf of the chart sits under a status-tagged state (a test checks it).
  throw new Error('stream machine snapshot carries no status tag');
}
