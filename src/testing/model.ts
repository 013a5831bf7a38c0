import { initialTransition, transition, type ActorLogic, type EventObject, type SnapshotFrom } from 'xstate';
import { TestModel } from 'xstate/graph';
import type { StatePath } from 'xstate/graph';
import { statusOf, streamMachine, type EventStreamStatus, type StreamMachineInput, type StreamPolicy } from '../index';
import { delayedEventTypes, delayNameOf } from './chart';

/**
 * The test model: the real `streamMachine`, explored by `xstate/graph` over a catalog of concrete
 * events, with states keyed so that shortest paths reach every *transition*.
 */

export type Snap = SnapshotFrom<typeof streamMachine>;
/** Any event the chart can receive, including its actors' done/error events and delayed events. */
export type ModelEvent = EventObject & Record<string, unknown>;

/**
 * The timing policy, in simulated milliseconds. Chosen so every timer the chart defines can be
 * made to fire first by something the world can do (see `delayFeasible`):
 * quiet < small heartbeat deadline < sync cap < default heartbeat deadline, and a finite
 * `maxAttempts` so that LOST's `always` → FAILED is reachable and `failures` stays finite.
 */
export const POLICY = {
  quietMs: 100,
  syncMaxMs: 1000,
  backoffMs: [150, 300, 600],
  heartbeatGraceMs: 100,
  defaultHeartbeatPromiseMs: 5000,
  connectTimeoutMs: 400,
  maxAttempts: 3,
} as const satisfies Partial<StreamPolicy>;

/** The one heartbeat the model sends: a `_0` frame promising 0.2 s of silence at most. */
export const HEARTBEAT_SEC = 0.2;

export const MODEL_INPUT: StreamMachineInput = { policy: { ...POLICY, jitter: 0, random: () => 0 } };

/** A link object for the model's `connect` done event (the chart only carries it along). */
const MODEL_LINK = { abandon: () => {} };

/**
 * The events the model may send, one per distinguishable real-world cause. Payload variants of one
 * type (e.g. the four ways a connect attempt can fail) are separate events so that every guarded
 * alternative is reached.
 */
export const EVENT_CATALOG: readonly ModelEvent[] = [
  { type: 'START' },
  { type: 'STOP' },
  { type: 'FRAME', count: 1 },
  { type: 'FRAME', count: 1, heartbeatSec: HEARTBEAT_SEC },
  // A frame the controller stamped after the subscription began: the replay is over.
  { type: 'LIVE_FRAME' },
  // No timestamp (ISY994 v4): the clock cannot tell, the quiet window decides (the chart sees a plain FRAME).
  { type: 'FRAME', count: 1, untimed: true },
  { type: 'SOCKET_CLOSED', code: 4000, reason: 'model' },
  {
    type: 'SOCKET_ERROR',
    error: { name: 'RangeError', code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', message: 'Max payload size exceeded' },
  },
  { type: 'xstate.done.actor.slotRelease' },
  { type: 'xstate.done.actor.connect', output: MODEL_LINK },
  { type: 'xstate.error.actor.connect', error: { code: 'HANDSHAKE_STATUS', status: 401 } },
  { type: 'xstate.error.actor.connect', error: { code: 'HANDSHAKE_STATUS', status: 500 } },
  { type: 'xstate.error.actor.connect', error: { code: 'AUTH_REJECTED', status: 401 } },
  { type: 'xstate.error.actor.connect', error: { code: 'AUTH_TRANSIENT', status: 503 } },
  { type: 'xstate.done.actor.refreshAuth', output: true },
  { type: 'xstate.done.actor.refreshAuth', output: false },
  { type: 'xstate.error.actor.refreshAuth', error: { code: 'AUTH_REJECTED', status: 401 } },
  { type: 'xstate.error.actor.refreshAuth', error: { code: 'AUTH_TRANSIENT' } },
  // Every delayed event the chart schedules, read from its `after` blocks.
  ...delayedEventTypes().map((type) => ({ type })),
];

/** A short, readable name for an event (used in state keys and path descriptions). */
export function eventLabel(event: ModelEvent): string {
  const e = event as {
    type: string;
    heartbeatSec?: number;
    untimed?: boolean;
    output?: unknown;
    error?: { code?: string; status?: number };
  };
  if (e.type === 'FRAME') {
    if (e.heartbeatSec !== undefined) return 'FRAME(heartbeat)';
    return e.untimed ? 'FRAME(untimed)' : 'FRAME';
  }
  if (e.type.startsWith('xstate.after.')) return `after.${delayNameOf(e.type)}`;
  if (e.type === 'xstate.done.actor.connect') return 'connect.done';
  if (e.type === 'xstate.done.actor.slotRelease') return 'slotRelease.done';
  if (e.type === 'xstate.done.actor.refreshAuth') return `refreshAuth.done(${String(e.output)})`;
  if (e.type.startsWith('xstate.error.actor.')) {
    const actor = e.type.slice('xstate.error.actor.'.length);
    return `${actor}.error(${e.error?.code === 'HANDSHAKE_STATUS' ? e.error.status : e.error?.code})`;
  }
  return e.type;
}

/**
 * The finite part of a snapshot that decides what can happen next: the configuration, the failure
 * count (0..maxAttempts: backoff step and the `attemptsExhausted` guard), whether this attempt used
 * its 401 recovery, and whether a heartbeat changed the watchdog's promise (it decides which timer
 * of SYNCING fires first). `link`/`lastError` do not change what the chart can do next.
 */
export function stateKey(snapshot: Snap): string {
  const { failures, authRecovered, heartbeatPromiseMs } = snapshot.context;
  const promise = heartbeatPromiseMs === POLICY.defaultHeartbeatPromiseMs ? 'default' : `${heartbeatPromiseMs}ms`;
  return `${JSON.stringify(snapshot.value)} f=${failures} auth=${authRecovered ? 'used' : 'fresh'} hb=${promise}`;
}

/**
 * Vertex key of the graph: the state *and* how it was reached (event + previous state). Shortest
 * paths to every vertex then walk every (state, event) edge, i.e. every transition.
 */
export function serializeState(snapshot: Snap, event: ModelEvent | undefined, previous?: Snap): string {
  if (!event || !previous) return stateKey(snapshot);
  return `${stateKey(snapshot)} ⟸ ${eventLabel(event)} ⟸ ${stateKey(previous)}`;
}

/** How long each named delay of the chart lasts in a given state (the policy, as the chart reads it). */
export function delayDuration(snapshot: Snap, delay: string): number {
  switch (delay) {
    case 'quietWindow':
      return POLICY.quietMs;
    case 'syncCap':
      return POLICY.syncMaxMs;
    case 'heartbeatDeadline':
      return snapshot.context.heartbeatPromiseMs + POLICY.heartbeatGraceMs;
    case 'connectTimeout':
      return POLICY.connectTimeoutMs;
    case 'backoff':
      return POLICY.backoffMs[Math.min(Math.max(snapshot.context.failures, 1), POLICY.backoffMs.length) - 1];
    default:
      throw new Error(`unknown delay ${delay}: teach the model suite its duration`);
  }
}

/** Timers the spec says every frame restarts: the quiet window and the heartbeat watchdog. */
const RESTARTED_BY_FRAME = new Set(['quietWindow', 'heartbeatDeadline']);

/** The named delays pending in a configuration, read from the active state nodes' `after`. */
export function activeDelays(snapshot: Snap): string[] {
  const delays = new Set<string>();
  for (const node of snapshot._nodes) {
    for (const t of node.after) {
      const name = delayNameOf(t.eventType);
      if (name !== null) delays.add(name);
    }
  }
  return [...delays];
}

/**
 * Whether the real world can make this delayed event the *first* timer to fire in this state.
 *
 * With a real clock only the earliest pending timer fires. Where a frame leaves the configuration
 * as it is (a replay in progress), the world can keep frames coming: that restarts the quiet window
 * and the watchdog, so the shorter of those can fire first, and any timer frames do not restart
 * (the sync cap) can be reached. Where a frame would change the configuration (or is not
 * possible), every pending timer started at the same entry, so only the shortest can fire first
 * (e.g. in OPEN's first moments, which of several depends on the heartbeat promise, hence `hb=` in
 * the state key).
 */
export function delayFeasible(snapshot: Snap, delay: string): boolean {
  const active = activeDelays(snapshot);
  if (active.length <= 1) return true;
  const others = active.filter((d) => d !== delay);
  const frame = { type: 'FRAME', count: 1 };
  const frameKeepsState = snapshot.can(frame as never) && isSameConfiguration(snapshot, frame);
  if (frameKeepsState) {
    if (!RESTARTED_BY_FRAME.has(delay)) return true;
    return others
      .filter((d) => RESTARTED_BY_FRAME.has(d))
      .every((d) => delayDuration(snapshot, delay) < delayDuration(snapshot, d));
  }
  return others.every((d) => delayDuration(snapshot, delay) < delayDuration(snapshot, d));
}

function isSameConfiguration(snapshot: Snap, event: ModelEvent): boolean {
  const [next] = transition(streamMachine, snapshot, event as never);
  return JSON.stringify(next.value) === JSON.stringify(snapshot.value);
}

/** The events to explore from a state: those the chart handles there and the world can cause. */
export function eventsFor(snapshot: Snap): ModelEvent[] {
  return EVENT_CATALOG.filter((event) => {
    if (!snapshot.can(event as never)) return false;
    const delay = delayNameOf(event.type);
    return delay === null || delayFeasible(snapshot, delay);
  });
}

/** A new stream's snapshot (NOT_STARTED) under the model's input: where every path starts. */
export function initialSnapshot(): Snap {
  return initialTransition(streamMachine, MODEL_INPUT)[0];
}

export type StreamTestModel = TestModel<Snap, ModelEvent, StreamMachineInput>;

export function createStreamTestModel(): StreamTestModel {
  // `createTestModel()` refuses charts with `invoke`/`after`; `TestModel` takes the machine as plain
  // actor logic, and our `events` feed it the done/error/delayed events explicitly.
  const logic = streamMachine as unknown as ActorLogic<Snap, ModelEvent, StreamMachineInput>;
  return new TestModel<Snap, ModelEvent, StreamMachineInput>(logic, {
    input: MODEL_INPUT,
    events: eventsFor,
    serializeState,
    serializeEvent: (event) => eventLabel(event),
  });
}

export function statusOfSnap(snapshot: Snap): EventStreamStatus {
  return statusOf(snapshot);
}

/** A path as `TestModel.testPath` wants it: step 0 is the initial state, then (event, state after). */
export type ModelPath = StatePath<Snap, ModelEvent>;

/** A short description of a path: its events. */
export function describePath(path: ModelPath): string {
  return path.steps
    .slice(1)
    .map((s) => eventLabel(s.event))
    .join(' → ');
}

/** Deterministic PRNG (mulberry32) for the random walks. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seeded random walks over the model's adjacency map: long paths that go round the chart's cycles
 * (LOST → RECONNECTING → LOST, FAILED → START, STOP → START, CONNECTED twice), which shortest
 * paths never do. STOP is made rare (it ends every cycle) and STOP while STOPPED is left out.
 */
export function randomWalks(
  model: StreamTestModel,
  options: { seed: number; walks: number; length: number },
): ModelPath[] {
  const adjacency = model.getAdjacencyMap() as Record<
    string,
    { state: Snap; transitions: Record<string, { event: ModelEvent; state: Snap }> }
  >;
  const random = prng(options.seed);
  const initial = initialSnapshot();
  const weightOf = (from: Snap, event: ModelEvent) =>
    event.type === 'STOP' ? (from.matches('STOPPED') ? 0 : 0.15) : 1;
  const walks: ModelPath[] = [];
  for (let w = 0; w < options.walks; w++) {
    let state = initial;
    let key = stateKey(initial);
    const steps: ModelPath['steps'] = [{ state, event: { type: 'xstate.init' } }];
    for (let i = 0; i < options.length; i++) {
      const out = Object.values(adjacency[key].transitions);
      const total = out.reduce((sum, t) => sum + weightOf(state, t.event), 0);
      let r = random() * total;
      const pick = out.find((t) => (r -= weightOf(state, t.event)) < 0) ?? out[out.length - 1];
      key = serializeState(pick.state, pick.event, state);
      steps.push({ state: pick.state, event: pick.event });
      state = pick.state;
    }
    walks.push({ state, steps, weight: steps.length - 1 });
  }
  return walks;
}

/** The sequence of statuses a path goes through (repeats collapsed). */
export function statusTrail(path: ModelPath): string[] {
  const trail: string[] = [];
  for (const step of path.steps) {
    const status = statusOf(step.state);
    if (trail[trail.length - 1] !== status) trail.push(status);
  }
  return trail;
}
