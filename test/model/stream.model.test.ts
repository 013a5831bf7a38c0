import type { SerializedSnapshot } from 'xstate/graph';
import { EventStreamStatus, isStatus } from '../../src/machine/status';
import { allStateNodes, allTransitions, taggedStateNodes } from './chart';
import { createStreamTestModel, describePath, EVENT_CATALOG, randomWalks, statusTrail, type ModelPath } from './model';
import { HOSTILE_CAUSES, hostileCovered } from './hostile';
import { ModelServer } from './server';
import { walked, World } from './world';

/**
 * Model-based tests: paths generated from the chart itself (`streamMachine`) with `xstate/graph`,
 * each executed against a real EventStream and a real ws server on loopback, with the chart's
 * delays on a simulated clock. How it works: test/model/README.md.
 *
 * One file on purpose: the paths run one after another against one server, and the coverage test
 * at the end sees what every path before it walked.
 */

const model = createStreamTestModel();
const shortest = model.getShortestPaths();
/** Long paths that go round the chart's cycles; the seed is fixed so a failure replays exactly. */
const WALK_SEED = 1;
const walks = randomWalks(model, { seed: WALK_SEED, walks: 10, length: 30 });
const eventTypes = [...new Set(EVENT_CATALOG.map((e) => e.type))];

let server: ModelServer;
beforeAll(async () => {
  server = await ModelServer.start();
});
afterAll(async () => {
  await server.close();
});

async function run(path: ModelPath): Promise<void> {
  const world = new World(
    server,
    path.steps.slice(1).map((step) => step.event),
  );
  try {
    await model.testPath(path, world.params(eventTypes));
    await world.finish();
  } finally {
    await world.dispose();
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
    const adjacency = model.getAdjacencyMap();
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
  it.each(shortest.map((p, i) => [i, describePath(p), p] as const))('#%i %s', async (_i, _d, path) => run(path));
});

describe(`seeded random walks (seed ${WALK_SEED}, ${walks.length} × ${(walks[0]?.steps.length ?? 1) - 1} steps)`, () => {
  it('go round the cycles shortest paths never repeat', () => {
    const pairs = (trail: string[], a: string, b: string) =>
      trail.filter((s, i) => s === a && trail[i + 1] === b).length;
    const trails = walks.map(statusTrail);
    expect(Math.max(...trails.map((t) => pairs(t, 'LOST', 'RECONNECTING')))).toBeGreaterThanOrEqual(3);
    expect(trails.some((t) => pairs(t, 'FAILED', 'INITIALIZING') > 0)).toBe(true);
    expect(trails.some((t) => pairs(t, 'STOPPED', 'INITIALIZING') > 0)).toBe(true);
    expect(trails.some((t) => t.filter((s) => s === 'CONNECTED').length >= 2)).toBe(true);
  });

  it.each(walks.map((p, i) => [i, describePath(p), p] as const))('walk #%i %s', async (_i, _d, path) => run(path));
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
    const counts = HOSTILE_CAUSES.map((cause) => `${cause} ${hostileCovered.get(cause) ?? 0}`);
    const covered = HOSTILE_CAUSES.filter((cause) => (hostileCovered.get(cause) ?? 0) > 0).length;
    process.stdout.write(`model hostile causes: ${covered}/${HOSTILE_CAUSES.length} (${counts.join(', ')})\n`);
    expect(HOSTILE_CAUSES.filter((cause) => (hostileCovered.get(cause) ?? 0) < 2)).toEqual([]);
  });
});
