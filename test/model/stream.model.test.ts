import type { SerializedSnapshot } from 'xstate/graph';
import { EventStreamStatus, isStatus } from '../../src/machine/status';
import { createPathHarness, streamPaths, type StreamPath } from '../../src/testing';
import { allStateNodes, allTransitions, taggedStateNodes } from './chart';
import { createStreamTestModel } from './model';
import { HOSTILE_CAUSES, rotation } from './hostile';
import { Oracle } from './oracle';

/**
 * Model-based tests on the public `iox-event-stream/testing` API: paths generated from the chart
 * itself (`streamPaths()`), each run by `createPathHarness()` against a real EventStream and a
 * loopback controller with the chart's delays on a simulated clock, and checked after every step
 * against the spec oracle (`Oracle`). How it works: test/model/README.md.
 *
 * One file on purpose: the paths share one hostile-cause rotation, and the coverage test at the
 * end sees what every path before it walked.
 */

const shortest = streamPaths();
/** Long paths that go round the chart's cycles; the seed is fixed so a failure replays exactly. */
const WALK_SEED = 1;
const walks = streamPaths({ strategy: 'random', seed: WALK_SEED, walks: 10, length: 30 });
/** What every executed path walked, for the coverage test. */
const walked = { transitions: new Set<string>(), states: new Set<string>(), paths: 0 };

async function run(path: StreamPath): Promise<void> {
  // A 50 ms close grace: the half-open-peer-on-stop paths wait it out in real time, and mutation
  // testing runs this suite once per mutant.
  const h = await createPathHarness({ rotation, closeGraceMs: 50 });
  try {
    const oracle = new Oracle(h, path);
    await h.run(path, { afterStep: oracle.afterStep });
    await h.close();
    walked.paths++;
  } finally {
    await h.close();
    for (const state of h.walked.states) walked.states.add(state);
    for (const transition of h.walked.transitions) walked.transitions.add(transition);
  }
}

describe('drift guard: public statuses = status-tagged states of the chart', () => {
  it('EventStreamStatus equals, one to one, the chart state nodes tagged with a status (each named as its tag)', () => {
    const tagged = taggedStateNodes();
    for (const { node, tags } of tagged) expect({ node: node.id, tags }).toEqual({ node: node.id, tags: [node.key] });
    expect(tagged.map(({ tags }) => tags[0]).sort()).toEqual(Object.values(EventStreamStatus).sort());
  });

  it('every reachable configuration carries exactly one status', () => {
    // Keyed by a branded string, which Object.values would read as `any`.
    const adjacency = createStreamTestModel().getAdjacencyMap();
    const states = (Object.keys(adjacency) as SerializedSnapshot[]).map((key) => adjacency[key].state);
    expect(states.length).toBeGreaterThan(10);
    for (const state of states) {
      expect({ value: state.value, statuses: [...state.tags].filter(isStatus) }).toEqual({
        value: state.value,
        statuses: [expect.any(String)],
      });
    }
  });
});

describe(`shortest paths to every transition (${shortest.length})`, () => {
  it.each(shortest.map((p, i) => [i, p.description, p] as const))('#%i %s', async (_i, _d, path) => run(path));
});

describe(`seeded random walks (seed ${WALK_SEED}, ${walks.length} × ${walks[0]?.steps.length ?? 0} steps)`, () => {
  it('go round the cycles shortest paths never repeat', () => {
    const pairs = (trail: string[], a: string, b: string) =>
      trail.filter((s, i) => s === a && trail[i + 1] === b).length;
    const trails = walks.map((walk) =>
      [EventStreamStatus.NOT_STARTED, ...walk.steps.map((s) => s.status)].filter((s, i, all) => s !== all[i - 1]),
    );
    expect(Math.max(...trails.map((t) => pairs(t, 'LOST', 'RECONNECTING')))).toBeGreaterThanOrEqual(3);
    expect(trails.some((t) => pairs(t, 'FAILED', 'INITIALIZING') > 0)).toBe(true);
    expect(trails.some((t) => pairs(t, 'STOPPED', 'INITIALIZING') > 0)).toBe(true);
    expect(trails.some((t) => t.filter((s) => s === 'CONNECTED').length >= 2)).toBe(true);
  });

  it.each(walks.map((p, i) => [i, p.description, p] as const))('walk #%i %s', async (_i, _d, path) => run(path));
});

describe('coverage', () => {
  it('the executed paths walked every state and every transition the chart defines', () => {
    const states = allStateNodes().map((n) => n.id);
    const transitions = [...allTransitions().keys()];
    const statesWalked = states.filter((id) => walked.states.has(id));
    const transitionsWalked = transitions.filter((key) => walked.transitions.has(key));
    process.stdout.write(
      `model coverage: states ${statesWalked.length}/${states.length}, transitions ${transitionsWalked.length}/${transitions.length}, paths ${walked.paths}\n`,
    );
    expect(states.filter((id) => !walked.states.has(id))).toEqual([]);
    expect(transitions.filter((key) => !walked.transitions.has(key))).toEqual([]);
    // Anything walked that the definition does not list would mean the key scheme is broken.
    expect([...walked.transitions].filter((key) => !transitions.includes(key))).toEqual([]);
    expect(walked.paths).toBe(shortest.length + walks.length);
  });

  it('the world was hostile in every way it can be, each several times', () => {
    const counts = HOSTILE_CAUSES.map((cause) => `${cause} ${rotation.used.get(cause) ?? 0}`);
    const covered = HOSTILE_CAUSES.filter((cause) => (rotation.used.get(cause) ?? 0) > 0).length;
    process.stdout.write(`model hostile causes: ${covered}/${HOSTILE_CAUSES.length} (${counts.join(', ')})\n`);
    expect(HOSTILE_CAUSES.filter((cause) => (rotation.used.get(cause) ?? 0) < 2)).toEqual([]);
  });
});
