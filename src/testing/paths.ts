import { createActor, fromCallback, fromPromise, SimulatedClock, transition, type StateValue } from 'xstate';
import { statusOf, streamMachine, type ConnectInput, type EventStreamStatus, type OpenLink } from '../index';
import { allStateNodes, allTransitions, transitionKey } from './chart';
import {
  createStreamTestModel,
  EVENT_CATALOG,
  eventLabel,
  eventsFor,
  initialSnapshot,
  MODEL_INPUT,
  randomWalks,
  stateKey,
  type ModelEvent,
  type ModelPath,
  type Snap,
} from './model';

/** One step of a path: what happens, and the status the stream must show afterwards. */
export interface StreamPathStep {
  /**
   * What happens, in the chart's words: `START`, `STOP`, `FRAME`, `FRAME(heartbeat)`,
   * `SOCKET_CLOSED`, `SOCKET_ERROR`, `connect.done`, `connect.error(401)` (or `500`,
   * `AUTH_REJECTED`, `AUTH_TRANSIENT`), `refreshAuth.done(true|false)`, `refreshAuth.error(...)`,
   * `after.<delay>` (`after.quietWindow`, `after.backoff`, ...: a timer of the chart fires).
   */
  event: string;
  /** The stream's status once the step is done. */
  status: EventStreamStatus;
  /** The chart's configuration once the step is done (`stream.actor.getSnapshot().value`). */
  state: StateValue;
}

/** A path through the chart from a new stream (NOT_STARTED): a sequence of steps. */
export interface StreamPath {
  /** The steps' events joined with ` → `; a readable, stable test name. */
  description: string;
  /** The steps, in order; the first acts on a new stream (NOT_STARTED). */
  steps: readonly StreamPathStep[];
  /** The chart events behind each step, for the harness (same order as `steps`). */
  readonly events: readonly ModelEvent[];
}

/** `streamPaths()` default: shortest paths that together take every transition of the chart. */
export interface ShortestPathsOptions {
  /** `'shortest'` (or absent). */
  strategy?: 'shortest';
}

/**
 * Every path that never visits the same chart state twice, up to `maxSteps` steps. Many more paths
 * than `shortest`: the number grows quickly with `maxSteps`.
 */
export interface SimplePathsOptions {
  /** `'simple'`. */
  strategy: 'simple';
  /** Longest path, in steps. Default 6. */
  maxSteps?: number;
}

/**
 * Seeded random walks: long paths that go round the chart's cycles (LOST → RECONNECTING → LOST,
 * FAILED → START, STOP → START), which shortest paths never repeat. STOP is rare in them (it ends
 * every cycle). The same options give the same paths.
 */
export interface RandomPathsOptions {
  /** `'random'`. */
  strategy: 'random';
  /** Seed of the walks' pseudo-random choices (mulberry32). */
  seed: number;
  /** How many walks. Default 10. */
  walks?: number;
  /** Steps per walk. Default 30. */
  length?: number;
}

/** How `streamPaths()` chooses paths. */
export type StreamPathOptions = ShortestPathsOptions | SimplePathsOptions | RandomPathsOptions;

function toStreamPath(events: readonly ModelEvent[], states: readonly Snap[]): StreamPath {
  const steps = events.map((event, i) => ({
    event: eventLabel(event),
    status: statusOf(states[i]),
    state: states[i].value,
  }));
  return { description: steps.map((s) => s.event).join(' → '), steps, events };
}

function fromModelPath(path: ModelPath): StreamPath {
  const steps = path.steps.slice(1);
  return toStreamPath(
    steps.map((s) => s.event),
    steps.map((s) => s.state),
  );
}

/** Depth-first simple paths over the chart's own states (`stateKey`), each ending where it cannot go on. */
function simplePaths(maxSteps: number): StreamPath[] {
  const initial = initialSnapshot();
  const out: StreamPath[] = [];
  const walk = (state: Snap, seen: Set<string>, events: ModelEvent[], states: Snap[]): void => {
    const next = events.length < maxSteps ? eventsFor(state) : [];
    let extended = false;
    for (const event of next) {
      const [after] = transition(streamMachine, state, event as never);
      const key = stateKey(after);
      if (seen.has(key)) continue;
      extended = true;
      seen.add(key);
      walk(after, seen, [...events, event], [...states, after]);
      seen.delete(key);
    }
    if (!extended && events.length > 0) out.push(toStreamPath(events, states));
  };
  walk(initial, new Set([stateKey(initial)]), [], []);
  return out;
}

/**
 * Paths through the stream's statechart, generated from the chart itself, to run with
 * `createPathHarness()`. Default: the shortest paths that together take every transition
 * (`pathCoverage()` of the result is 100%); `{ strategy: 'simple', maxSteps }` for every path that
 * does not revisit a state, up to `maxSteps` steps; `{ strategy: 'random', seed }` for long
 * seeded random walks.
 */
export function streamPaths(options: StreamPathOptions = {}): StreamPath[] {
  if (options.strategy === 'simple') return simplePaths(options.maxSteps ?? 6);
  const model = createStreamTestModel();
  if (options.strategy === 'random') {
    const { seed, walks = 10, length = 30 } = options;
    return randomWalks(model, { seed, walks, length }).map(fromModelPath);
  }
  return model.getShortestPaths().map(fromModelPath);
}

/**
 * A path you name step by step, e.g. a scenario your spec requires, in the labels of
 * {@link StreamPathStep.event} (`['START', 'slotRelease.done', 'connect.done', 'FRAME', 'SOCKET_CLOSED']`).
 * The steps' statuses are what the chart does with those events. Paths from `streamPaths()` are
 * generated from the chart, so a chart that lost a transition simply generates no path through
 * it; a named scenario still drives the real-world step (the controller closes the socket), and
 * your `afterStep` checks then see what the chart failed to do.
 *
 * @throws TypeError for a label that names no event the harness can drive; delayed steps
 * (`after.<delay>`) must be steps the chart has scheduled at that point.
 */
export function streamPath(labels: readonly string[]): StreamPath {
  let state = initialSnapshot();
  const events: ModelEvent[] = [];
  const states: Snap[] = [];
  for (const label of labels) {
    const candidates = EVENT_CATALOG.filter((event) => eventLabel(event) === label);
    if (candidates.length === 0) throw new TypeError(`streamPath: no step is called '${label}'`);
    // A delayed event's type names the state that scheduled it: take the one the chart can take now.
    const event = candidates.find((candidate) => state.can(candidate as never)) ?? candidates[0];
    [state] = transition(streamMachine, state, event as never);
    events.push(event);
    states.push(state);
  }
  return toStreamPath(events, states);
}

/** How much of the chart a set of paths walks. */
export interface PathCoverage {
  /** State nodes entered (the root, always active, is not counted). */
  states: CoverageCount;
  /** Transitions taken: every event, delayed, done/error and eventless transition, each guarded alternative. */
  transitions: CoverageCount;
}

/** Covered out of total. */
export interface CoverageCount {
  /** How many the paths walk. */
  covered: number;
  /** How many the chart defines. */
  total: number;
}

/** A stream chart with inert actors and a clock that never moves: only the path's events act on it. */
function sandbox(onTransition: (key: string) => void, onState: (id: string) => void) {
  const machine = streamMachine.provide({
    actors: {
      connect: fromPromise<OpenLink, ConnectInput>(() => new Promise(() => {})),
      refreshAuth: fromPromise<boolean, void>(() => new Promise(() => {})),
      reader: fromCallback(() => {}),
    },
  });
  return createActor(machine, {
    input: MODEL_INPUT,
    clock: new SimulatedClock(),
    inspect: (ev) => {
      const inspection = ev as unknown as {
        type: string;
        rootId: string;
        actorRef: { sessionId: string };
        _transitions?: unknown[];
        snapshot?: { _nodes?: Array<{ id: string }> };
      };
      if (inspection.type !== '@xstate.microstep' || inspection.actorRef.sessionId !== inspection.rootId) return;
      for (const t of inspection._transitions ?? []) onTransition(transitionKey(t as never));
      for (const node of inspection.snapshot?._nodes ?? []) onState(node.id);
    },
  });
}

/**
 * Which states and transitions of the chart `paths` walk, counted by replaying each path's
 * events on the chart (no sockets, no timers).
 */
export function pathCoverage(paths: readonly StreamPath[]): PathCoverage {
  const states = new Set<string>();
  const transitions = new Set<string>();
  for (const path of paths) {
    const actor = sandbox(
      (key) => transitions.add(key),
      (id) => states.add(id),
    );
    actor.start();
    for (const node of actor.getSnapshot()._nodes) states.add(node.id);
    for (const event of path.events) actor.send(event as never);
    actor.stop();
  }
  const allStates = allStateNodes().map((n) => n.id);
  const all = [...allTransitions().keys()];
  return {
    states: { covered: allStates.filter((id) => states.has(id)).length, total: allStates.length },
    transitions: { covered: all.filter((key) => transitions.has(key)).length, total: all.length },
  };
}
