/**
 * The overview picture: the eight public statuses and what moves a stream between them, in words
 * an app developer uses (`start()`, "socket open", "heartbeat missed") rather than the chart's
 * internal names. Drawn from the running machine: every transition whose source and target lie
 * under different statuses becomes an edge between those statuses, labelled through `WORDS`.
 * A transition that `WORDS` does not cover (trigger and guard) throws, so a new transition in the chart cannot slip
 * into the picture under an internal name, nor out of it unseen.
 */
import { EventStreamStatus } from '../../src/machine/status';
import { allStates, describeMachine, type ChartState, type ChartTransition } from './describe';
import { DOT_FILL, q } from './dot';

/** How a transition reads in the overview, by trigger and guard (`kind:name[guard]`). */
const WORDS: Readonly<Record<string, string>> = {
  'event:START': 'start()',
  'done:connect': 'socket open',
  'error:connect[authHopeless]': 'credentials or certificate rejected',
  'error:connect': 'refused, 5xx, TLS',
  'after:connectTimeout': 'connect timeout',
  'done:refreshAuth': 'credentials or certificate rejected',
  'error:refreshAuth[repairHopeless]': 'credentials or certificate rejected',
  'error:refreshAuth': 'token endpoint down',
  'after:quietWindow': 'replay done',
  'event:LIVE_FRAME': 'replay done',
  'after:syncCap': 'replay done',
  'event:SOCKET_CLOSED': 'socket closed',
  'event:SOCKET_ERROR': 'socket closed',
  'after:heartbeatDeadline': 'heartbeat missed',
  // The dead link is destroyed in watchdog.linkDead, which leads straight on to LOST.
  'always:': 'heartbeat missed',
  'after:backoff': 'backoff elapsed',
  'always:[attemptsExhausted]': 'maxAttempts reached',
};

/** Triggers that a picture of statuses leaves to a note: STOP leads from every status to STOPPED. */
const FROM_ANY_STATUS = new Set(['event:STOP']);

function trigger(t: ChartTransition): string {
  const name = t.kind === 'event' ? t.event : t.kind === 'after' ? t.delay : t.kind === 'always' ? '' : t.event;
  return `${t.kind}:${name ?? ''}`;
}

/** The overview's words for a transition; throws for one the table does not know. */
export function overviewWords(t: ChartTransition): string {
  // A guarded alternative needs words of its own: a renamed or new guard must not borrow the fallback's.
  const words = WORDS[t.guard ? `${trigger(t)}[${t.guard}]` : trigger(t)];
  if (words === undefined) {
    throw new Error(`overview: no words for ${trigger(t)}${t.guard ? `[${t.guard}]` : ''} from ${t.source}`);
  }
  return words;
}

/** One edge of the overview: statuses and the distinct words of every transition between them. */
export interface OverviewEdge {
  from: EventStreamStatus;
  to: EventStreamStatus;
  labels: string[];
}

/** The status-level graph: statuses in chart order and the edges between different ones. */
export function overviewEdges(root: ChartState = describeMachine()): OverviewEdge[] {
  const byId = new Map(allStates(root).map((s) => [s.id, s] as const));
  const statusOfId = (id: string): EventStreamStatus | undefined => {
    for (let node = byId.get(id); node; node = byId.get(node.id.slice(0, node.id.lastIndexOf('.')))) {
      const tag = node.tags.find((t): t is EventStreamStatus => t in EventStreamStatus);
      if (tag) return tag;
      if (!node.id.includes('.')) return undefined;
    }
    return undefined;
  };
  /** The status a stream shows on entering `id`: its own, else that of its initial descendant. */
  const enteredStatus = (id: string): EventStreamStatus | undefined => {
    const own = statusOfId(id);
    if (own) return own;
    const node = byId.get(id);
    // A state passed straight through (the watchdog's linkDead) shows where it leads.
    const through = node?.transitions.find((t) => t.kind === 'always' && !t.guard)?.targets[0];
    if (through) return enteredStatus(through);
    const next = node?.initial ?? node?.children.find((c) => enteredStatus(c.id) !== undefined)?.id;
    return next ? enteredStatus(next) : undefined;
  };
  /** The statuses a transition declared on `s` can leave from: its own, or every one inside it. */
  const sourceStatuses = (s: ChartState): EventStreamStatus[] => {
    const own = statusOfId(s.id);
    if (own) return [own];
    const inside = (n: ChartState): EventStreamStatus[] => [
      ...new Set(allStates(n).flatMap((c) => c.tags.filter((t): t is EventStreamStatus => t in EventStreamStatus))),
    ];
    // A region with no status of its own (the watchdog) acts for the statuses of its parallel state.
    for (let node: ChartState | undefined = s; node; node = byId.get(node.id.slice(0, node.id.lastIndexOf('.')))) {
      const found = inside(node);
      if (found.length > 0) return found;
      if (!node.id.includes('.')) break;
    }
    return [];
  };

  const edges = new Map<string, OverviewEdge>();
  for (const s of allStates(root)) {
    for (const t of s.transitions) {
      if (FROM_ANY_STATUS.has(trigger(t)) && s === root) continue;
      for (const target of t.targets) {
        const to = enteredStatus(target);
        // A region's own loop (the watchdog re-arming on a frame) never changes the status.
        if (!to && target === s.id) continue;
        if (!to) throw new Error(`overview: ${target} shows no status`);
        for (const from of sourceStatuses(s)) {
          if (from === to) continue;
          const key = `${from}->${to}`;
          const edge = edges.get(key) ?? { from, to, labels: [] };
          const words = overviewWords(t);
          if (!edge.labels.includes(words)) edge.labels.push(words);
          edges.set(key, edge);
        }
      }
    }
  }
  return [...edges.values()];
}

/** The overview as DOT: eight status boxes, one labelled edge per pair of statuses. */
export function toOverviewDot(root: ChartState = describeMachine()): string {
  const lines = [
    'digraph overview {',
    // size caps the drawing at 600 pt (800 px), README width; the layout below stays well under it.
    '  rankdir=TB; nodesep=0.3; ranksep=0.4; size="8.33,12";',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica-Bold", fontsize=12, margin="0.15,0.06"];',
    '  edge [fontname="Helvetica", fontsize=10, color="#555555", fontcolor="#333333"];',
  ];
  for (const status of Object.values(EventStreamStatus)) {
    const label =
      status === 'STOPPED'
        ? '<STOPPED<BR/><FONT POINT-SIZE="9" FACE="Helvetica">stop() from any status</FONT>>'
        : q(status);
    lines.push(`  ${status} [label=${label}, fillcolor="${DOT_FILL[status] ?? '#ffffff'}"];`);
  }
  // Keep the happy path in one column and the ends of the road on one row.
  lines.push('  { rank=same; FAILED; STOPPED; }');
  for (const e of overviewEdges(root)) {
    lines.push(`  ${e.from} -> ${e.to} [label=${q(e.labels.join('\n'))}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
