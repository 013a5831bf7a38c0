/** `iox-event-stream/testing`: paths generated from the chart, and how much of it they walk. */
import { transition, type SnapshotFrom } from 'xstate';
import { streamMachine } from '../../src/machine/streamMachine';
import { EventStreamStatus, statusOf } from '../../src/machine/status';
import { MODEL_INPUT } from '../../src/testing/model';
import { pathCoverage, streamPaths, type StreamPath } from '../../src/testing';

/** Replay a path on the pure chart and read the status and configuration after each step. */
function statusesOf(path: StreamPath): Array<{ status: EventStreamStatus; state: unknown }> {
  let [snapshot] = [streamMachine.resolveState({ value: 'NOT_STARTED', context: initialContext() })];
  const out: Array<{ status: EventStreamStatus; state: unknown }> = [];
  for (const event of path.events) {
    [snapshot] = transition(streamMachine, snapshot, event as never) as [SnapshotFrom<typeof streamMachine>, unknown];
    out.push({ status: statusOf(snapshot), state: snapshot.value });
  }
  return out;
}

function initialContext() {
  const policy = { ...MODEL_INPUT.policy } as SnapshotFrom<typeof streamMachine>['context']['policy'];
  return {
    policy,
    failures: 0,
    authRecovered: false,
    heartbeatPromiseMs: policy.defaultHeartbeatPromiseMs,
    link: null,
    lastError: null,
  };
}

describe('streamPaths()', () => {
  const paths = streamPaths();

  it('by default, shortest paths that together take every state and transition of the chart', () => {
    const coverage = pathCoverage(paths);
    process.stdout.write(
      `streamPaths(): ${paths.length} paths, states ${coverage.states.covered}/${coverage.states.total}, transitions ${coverage.transitions.covered}/${coverage.transitions.total}\n`,
    );
    expect(coverage.states.total).toBeGreaterThanOrEqual(19);
    expect(coverage.transitions.total).toBeGreaterThanOrEqual(35);
    expect(coverage.states.covered).toBe(coverage.states.total);
    expect(coverage.transitions.covered).toBe(coverage.transitions.total);
  });

  it('each path starts a new stream, names its steps, and states the status after each step as the chart has it', () => {
    const descriptions = new Set<string>();
    for (const path of paths) {
      // A new stream can only be started or stopped.
      expect([
        { event: 'START', status: EventStreamStatus.INITIALIZING },
        { event: 'STOP', status: EventStreamStatus.STOPPED },
      ]).toContainEqual({ event: path.steps[0].event, status: path.steps[0].status });
      expect(path.description).toBe(path.steps.map((s) => s.event).join(' → '));
      expect(path.steps.map((s) => ({ status: s.status, state: s.state }))).toEqual(statusesOf(path));
      for (const step of path.steps) expect(step.event).not.toMatch(/^xstate\./);
      descriptions.add(path.description);
    }
    expect(descriptions.size).toBe(paths.length);
  });

  it("{ strategy: 'simple', maxSteps } stays within maxSteps and walks less of the chart", () => {
    const simple = streamPaths({ strategy: 'simple', maxSteps: 4 });
    expect(simple.length).toBeGreaterThan(10);
    for (const path of simple) expect(path.steps.length).toBeLessThanOrEqual(4);
    // Four steps cannot reach LOST's always → FAILED (it needs maxAttempts failures).
    const coverage = pathCoverage(simple);
    expect(coverage.transitions.covered).toBeLessThan(coverage.transitions.total);
    expect(coverage.transitions.covered).toBeGreaterThan(10);
  });
});

describe('pathCoverage()', () => {
  it('counts nothing for no paths, and only what a path walks', () => {
    const none = pathCoverage([]);
    expect(none.states.covered).toBe(0);
    expect(none.transitions.covered).toBe(0);
    const first = streamPaths().find((p) => p.steps[0]?.event === 'START')!;
    const start: StreamPath = {
      description: 'START',
      steps: first.steps.slice(0, 1),
      events: first.events.slice(0, 1),
    };
    // START from NOT_STARTED: NOT_STARTED, INITIALIZING and its initial child; one transition.
    expect(pathCoverage([start])).toEqual({
      states: { covered: 3, total: none.states.total },
      transitions: { covered: 1, total: none.transitions.total },
    });
  });
});

describe("streamPaths({ strategy: 'random' })", () => {
  it('gives `walks` walks of `length` steps, the same for the same seed and others for another', () => {
    const a = streamPaths({ strategy: 'random', seed: 7, walks: 3, length: 12 });
    expect(a.map((p) => p.steps.length)).toEqual([12, 12, 12]);
    expect(streamPaths({ strategy: 'random', seed: 7, walks: 3, length: 12 }).map((p) => p.description)).toEqual(
      a.map((p) => p.description),
    );
    expect(streamPaths({ strategy: 'random', seed: 8, walks: 3, length: 12 }).map((p) => p.description)).not.toEqual(
      a.map((p) => p.description),
    );
    for (const path of a)
      expect(path.steps.map((s) => ({ status: s.status, state: s.state }))).toEqual(statusesOf(path));
  });
});
