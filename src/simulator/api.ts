/**
 * The simulator's public surface: what {@link startSimulator} takes and what it returns.
 */
import type { SimulatorFaults } from './faults';
import type { House, PropertyValue } from './house';
import type { SimulatorCredentials } from './httpApi';
import type { SessionInfo } from './session';
import type { SimulatorStats } from './stats';
import type { EventParts } from './wire';

/** Random live property changes. */
export interface LiveEventsOptions {
  /** Mean time between changes in ms before `speed` scaling (each gap is 0.5x-1.5x of it). Default 5000. */
  intervalMs?: number;
  /** Also send the `DON`/`DOF` command frame a physical switch press produces before its `ST`. Default false. */
  commands?: boolean;
}

/** Which token-frame shapes `/api/events/subscribe` accepts. */
export type TokenFrameShape =
  /** `{"auth":{"token":"<jwt>"}}` */
  | 'auth'
  /** `{"type":"auth","creds":{"token":"<jwt>"}}` */
  | 'creds';

/** Options of {@link startSimulator}; every field is optional. */
export interface SimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /**
   * Required credentials: Basic on `/rest/subscribe` (a bearer JWT from `/api/login` works too), the
   * user of `/api/login`, and a token frame on `/api/events/subscribe`. Absent = no auth checks at
   * all: any login succeeds and `/api/events/subscribe` replays without waiting for a token frame.
   */
  auth?: SimulatorCredentials;
  /**
   * Path of a capture in the fixture's jsonl format to replay instead of the generated house: its
   * received frames, with their own timing scaled by `speed`, `seqnum`/`sid` renumbered for each
   * subscription and everything else verbatim (so its `_0` frames keep their unscaled action).
   * Generated heartbeats and live events start after the file; the truth is the node status after
   * all of the capture's property frames.
   */
  replay?: string;
  /** Time compression: every delay (replay timing, heartbeats, live events) is divided by it. Default 1. */
  speed?: number;
  /** Heartbeat period in seconds (before `speed` scaling). Default 30. */
  heartbeatSec?: number;
  /**
   * The `_0` action: the longest silence the controller promises, in seconds. It is divided by
   * `speed` too (and then may be fractional, e.g. `0.9`) so a client's watchdog stays meaningful.
   * Default 90.
   */
  heartbeatPromise?: number;
  /** Random live changes: `false` for none, a number for the mean interval in ms, or options. Default on, 5000 ms. */
  liveEvents?: false | number | LiveEventsOptions;
  /**
   * A busy house: a live property change every `busy` ms of real time (not scaled by `speed`, no
   * jitter), from the moment the simulator starts, instead of `liveEvents`. Changes that happen
   * while a subscriber's replay is being sent reach it after the replay, as from a controller's queue.
   */
  busy?: number;
  /**
   * Send a `Date` header on the WebSocket upgrade response (the controller's clock, second
   * resolution). Default true. Whether a real eisy sends one on its 101 is unverified: `false`
   * reproduces a controller that does not.
   */
  dateHeader?: boolean;
  /** Stamp generated frames with `timestamp`. Default true; `false` sends none, like ISY994 v4 firmware. */
  timestamps?: boolean;
  /** Seed of every random choice (house, replay timing, live events). Default 1. */
  seed?: number;
  /** Access-token lifetime in seconds (real time, not scaled). Default 3600. */
  tokenTtlSec?: number;
  /** Refresh-token lifetime in seconds. Default 7 days. */
  refreshTtlSec?: number;
  /** Token-frame shapes accepted on `/api/events/subscribe`. Default both. */
  tokenFrames?: readonly TokenFrameShape[];
  /** How long `/api/events/subscribe` waits for the token frame before closing with 1008 (real ms). Default 10000. */
  authTimeoutMs?: number;
  /** Offset of the controller's clock in minutes east of UTC, for timestamps. Default: this machine's. */
  utcOffsetMinutes?: number;
}

/** A running simulator. */
export interface Simulator {
  /** The controller's base URL, `http://127.0.0.1:PORT`. Streams are at `/rest/subscribe` and `/api/events/subscribe` (ws://). */
  readonly url: string;
  /** The TCP port it listens on (the one picked when `port` was 0). */
  readonly port: number;
  /** Fault injection. */
  readonly faults: SimulatorFaults;
  /** Live counters (the object is updated in place). */
  readonly stats: SimulatorStats;
  /** The simulated state itself (nodes, programs, variables). Read it; change it only through `emitChange`. */
  readonly house: House;
  /** Node status now, in the shape of a client's `mirror.nodes` (a copy). */
  truth(): Map<string, Map<string, PropertyValue>>;
  /** The open connections. */
  sessions(): SessionInfo[];
  /**
   * Change one property now and send it to every subscriber: applied to the truth first. `value` is
   * the raw action; the display string is derived from the property's model unless given. Throws for
   * an unknown node; an unknown control is added to the node.
   */
  emitChange(
    node: string,
    control: string,
    value: string | number,
    extra?: { uom?: string; prec?: string; formatted?: string; name?: string },
  ): PropertyValue;
  /** Turn random live changes off (`false`) or on again with new settings, at run time. */
  setLiveEvents(liveEvents: false | number | LiveEventsOptions): void;
  /** Send an arbitrary event (e.g. `{ control: '_3', action: 'NR', node: '1A 2B 3C 1' }`) to every subscriber. */
  emitEvent(parts: EventParts): void;
  /** Terminate every socket, clear every timer, close the server. Idempotent. */
  close(): Promise<void>;
}
