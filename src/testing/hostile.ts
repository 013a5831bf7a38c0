/**
 * The hostile world: the unkind ways a path harness can make a step of the chart happen. A
 * {@link CauseRotation} picks them in turn across every harness that shares it, so a suite of
 * paths meets each of them many times.
 */

/** Every hostile cause the harness knows, in the order it documents them. */
export const HOSTILE_CAUSES = [
  /** connectTimeout: the controller parks the upgrade and never answers it. */
  'silent upgrade',
  /** connectTimeout: the connection goes to a listener that accepts TCP and never answers TLS. */
  'stalled TLS',
  /** connectTimeout: the upgrade succeeds, the token for the opening frame never comes. */
  'slow token',
  /** STOP from SYNCING/CONNECTED: the peer drops the close frame and never answers; the close grace ends it. */
  'half-open peer on stop',
  /** heartbeatDeadline: the peer is half-open; the dead link must be destroyed with no close frame. */
  'half-open peer on dead link',
  /** STOP from SYNCING/CONNECTED: `stop()` called from inside an event listener. */
  'stop() from a listener',
  /** STOP then START: `stop(); start()` without awaiting (from a listener when a socket is open). */
  'stop(); start() unawaited',
] as const;

/** One of {@link HOSTILE_CAUSES}. */
export type HostileCause = (typeof HOSTILE_CAUSES)[number];

/**
 * Which way the next step of each kind is caused: the options in turn, deterministic in run order.
 * Share one rotation between harnesses (`createPathHarness({ rotation })`) so that a suite of paths
 * goes through every cause; the default is one rotation for the whole process.
 */
export class CauseRotation {
  /** How often each hostile cause was used so far. */
  readonly used = new Map<HostileCause, number>(HOSTILE_CAUSES.map((cause) => [cause, 0]));
  readonly #turns = new Map<string, number>();

  /** The next of `options` for this kind of step. */
  next<T>(kind: string, options: readonly T[]): T {
    const turn = this.#turns.get(kind) ?? 0;
    this.#turns.set(kind, turn + 1);
    return options[turn % options.length];
  }

  /** Count one use of `cause`. */
  count(cause: HostileCause): void {
    this.used.set(cause, (this.used.get(cause) ?? 0) + 1);
  }
}

/** The rotation harnesses share unless given their own. */
export const defaultRotation = new CauseRotation();
