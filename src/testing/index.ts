/**
 * `iox-event-stream/testing`: path-coverage tests for your app, generated from the stream's
 * statechart, run against a real stream.
 *
 * ```ts
 * import { streamPaths, createPathHarness, pathCoverage } from 'iox-event-stream/testing';
 *
 * const paths = streamPaths();   // shortest paths that together take every transition
 * pathCoverage(paths);           // { states: { covered, total }, transitions: { covered, total } }
 * for (const path of paths) {
 *   test(path.description, async () => {
 *     const h = await createPathHarness();   // a real EventStream, a loopback controller, a simulated clock
 *     const app = startMyApp(h.stream);      // your code subscribes as in production
 *     await h.run(path, { afterStep: (step) => {
 *       expect(h.stream.status).toBe(step.status);
 *       expect(app.showsOffline).toBe(step.status !== 'CONNECTED');
 *     } });
 *     await h.close();                       // nothing left open
 *   });
 * }
 * ```
 *
 * Paths come from the chart itself (`xstate/graph` over the real `streamMachine`, with the
 * done/error events of its actors and its delayed events as explicit steps, which
 * `createTestModel()` cannot do for a chart with `invoke` and `after`). This entry loads
 * `xstate/graph` and Node's `net`/`http`: import it from tests, not from your app.
 * @module iox-event-stream/testing
 */
export {
  streamPaths,
  streamPath,
  pathCoverage,
  type StreamPath,
  type StreamPathStep,
  type StreamPathOptions,
  type ShortestPathsOptions,
  type SimplePathsOptions,
  type RandomPathsOptions,
  type PathCoverage,
  type CoverageCount,
} from './paths';
export type { ModelEvent as StreamPathEvent } from './model';
export { POLICY as HARNESS_POLICY } from './model';
export {
  createPathHarness,
  type PathHarness,
  type PathHarnessOptions,
  type HarnessStep,
  type RunOptions,
  type HarnessClock,
  type HarnessController,
  type WalkedChart,
} from './harness';
export type { HarnessFrame } from './world';
export { HarnessError, type HarnessErrorCode } from './errors';
export { CauseRotation, HOSTILE_CAUSES, type HostileCause } from './hostile';
