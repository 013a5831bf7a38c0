/**
 * What a run reports at the end: the {@link RunSummary} (also the NDJSON `summary` object) and the
 * rows of its human form.
 */
import type { ErrorSummary } from '../errors';
import type { EventStreamStatus } from '../machine/status';
import type { Style } from './colors';
import { terminalSafe } from './terminalText';

/** Everything a run reports at the end. Also the `summary` NDJSON object (plus `type`). */
export interface RunSummary {
  /** Every status entered, in order, starting with the initial NOT_STARTED. */
  statuses: EventStreamStatus[];
  /** The last status. */
  finalStatus: EventStreamStatus;
  /** Events shown (after `--filter`): all, replayed at connect time, live. */
  events: { total: number; replay: number; live: number };
  /** Sockets opened (SYNCING entered). */
  connections: number;
  /** Reconnect attempts (RECONNECTING entered). */
  reconnects: number;
  /** Connections or attempts lost (LOST entered). */
  losses: number;
  /** Size of the status mirror at the end. */
  mirror: { nodes: number; properties: number; programs: number; variables: number };
  /** Frames the dispatcher could not parse (garbage), all reasons together. */
  droppedFrames: number;
  /** How long the run lasted, ms. */
  durationMs: number;
  /** Why the last attempt or connection ended, when it did. */
  lastError: ErrorSummary | null;
  /** Set by callers that can check it (simulator runs): the mirror equals the controller's state. */
  mirrorMatchesTruth?: boolean;
}

/** Walks longer than this are shortened in the human summary (the NDJSON one is complete). */
const WALK_LIMIT = 24;

/** The human summary as label/value rows; `paint` styles a value (colour or plain). */
export function summaryRows(
  summary: RunSummary,
  paint: (text: string, ...styles: Style[]) => string,
): Array<[string, string]> {
  const walk =
    summary.statuses.length <= WALK_LIMIT
      ? summary.statuses
      : [
          ...summary.statuses.slice(0, WALK_LIMIT / 2),
          `… ${summary.statuses.length - WALK_LIMIT} more …`,
          ...summary.statuses.slice(-WALK_LIMIT / 2),
        ];
  const seen = [...new Set(summary.statuses)];
  const m = summary.mirror;
  const rows: Array<[string, string]> = [
    ['statuses', walk.join(' → ')],
    ['seen', seen.join(', ')],
    ['events', `${summary.events.total} (${summary.events.replay} replayed, ${summary.events.live} live)`],
    ['reconnects', `${summary.reconnects} (${summary.losses} lost, ${summary.connections} connections)`],
    ['mirror', `${m.nodes} nodes, ${m.properties} properties, ${m.programs} programs, ${m.variables} variables`],
    ['dropped', `${summary.droppedFrames} unparseable frames`],
    ['duration', `${(summary.durationMs / 1000).toFixed(1)} s`],
  ];
  if (summary.lastError && (summary.finalStatus === 'FAILED' || summary.finalStatus === 'LOST'))
    // The timeline's LOST/FAILED line above already carries the message: print it once.
    rows.push(['last error', `${terminalSafe(summary.lastError.code ?? summary.lastError.name)} (see above)`]);
  if (summary.mirrorMatchesTruth !== undefined) {
    rows.push([
      'truth',
      summary.mirrorMatchesTruth
        ? paint('mirror == simulator truth ✔', 'green')
        : paint('mirror differs from simulator truth ✘', 'red', 'bold'),
    ]);
  }
  return rows;
}
