/**
 * Path-coverage tests generated from the stream's statechart: the future `iox-event-stream/testing`
 * subpath (not exported yet: its declarations put the package over its size budget; see issue 15).
 *
 * ```ts
 * import { streamPaths, pathCoverage } from 'iox-event-stream/testing'; // once exported
 * const paths = streamPaths(); // shortest paths that together take every transition
 * pathCoverage(paths);         // { states: { covered, total }, transitions: { covered, total } }
 * ```
 *
 * Paths come from the chart itself (`xstate/graph` over the real `streamMachine`, with the
 * done/error events of its actors and its delayed events as explicit steps, which
 * `createTestModel()` cannot do for a chart with `invoke` and `after`).
 */
export {
  streamPaths,
  pathCoverage,
  type StreamPath,
  type StreamPathStep,
  type StreamPathOptions,
  type PathCoverage,
} from './paths';
export type { ModelEvent as StreamPathEvent } from './model';
