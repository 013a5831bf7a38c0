/**
 * The hostile world (issue 11): the ways the model suite's world can make an event of the chart
 * happen unkindly, rotated across all paths so that each is exercised many times, and a count of
 * each for the coverage line.
 */

export const HOSTILE_CAUSES = [
  /** connectTimeout: the server parks the upgrade and never answers it. */
  'silent upgrade',
  /** connectTimeout: the connection goes to a listener that accepts TCP and never answers TLS. */
  'stalled TLS',
  /** connectTimeout: the upgrade succeeds, the token for the opening frame never comes. */
  'slow token',
  /** STOP from OPEN: the peer drops the close frame and never answers; the close grace ends it. */
  'half-open peer on stop',
  /** heartbeatDeadline: the peer is half-open; the dead link must be destroyed with no close frame. */
  'half-open peer on dead link',
  /** STOP from OPEN: `stop()` called from inside an event listener. */
  'stop() from a listener',
  /** STOP then START: `stop(); start()` without awaiting (from a listener when OPEN). */
  'stop(); start() unawaited',
] as const;

export type HostileCause = (typeof HOSTILE_CAUSES)[number];

/** How often each cause was exercised by the paths run so far. */
export const hostileCovered = new Map<HostileCause, number>(HOSTILE_CAUSES.map((cause) => [cause, 0]));

export function exercised(cause: HostileCause): void {
  hostileCovered.set(cause, (hostileCovered.get(cause) ?? 0) + 1);
}

const turns = new Map<string, number>();

/** The next of `options` for this kind of step: a rotation across paths, deterministic per run order. */
export function rotate<T>(kind: string, options: readonly T[]): T {
  const turn = turns.get(kind) ?? 0;
  turns.set(kind, turn + 1);
  return options[turn % options.length];
}
