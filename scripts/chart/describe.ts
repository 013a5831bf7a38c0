/**
 * The statechart, seen from outside: walk `streamMachine`'s state nodes and render them as a
 * Mermaid `stateDiagram-v2`, a Graphviz DOT graph and a Stately-importable machine config.
 *
 * Why walk the nodes instead of `toJSON()`: `toJSON()` drops `always` transitions and keeps
 * combinator guards (`and`, `or`) only as functions. The walk reads `.states`, `.transitions`,
 * `.after`, `.always`, `.invoke`, `.entry`/`.exit` of every node, so delayed transitions keep their
 * delay names, invoked actors' done/error transitions keep the actor id and every guard keeps its
 * name. The renderers beside this file (mermaid.ts, dot.ts, machineJson.ts, overview.ts) read this
 * tree; files.ts lists what `npm run chart` writes and `test/cli/chart.test.ts` checks.
 */
import { streamMachine } from '../../src/machine/streamMachine';

/** A transition, normalised. */
export interface ChartTransition {
  /** Full id of the state declaring it (`stream.OPEN.watchdog.listening`). */
  source: string;
  /** Full ids of the targets; empty for a targetless transition. */
  targets: string[];
  kind: 'event' | 'after' | 'always' | 'done' | 'error';
  /** Event type (`START`, `FRAME`) for `event`; the actor or state id for `done` / `error`. */
  event?: string;
  /** Named delay for `after`. */
  delay?: string;
  /** Guard as text: `isHeartbeat`, `isUnauthorized && canRecoverAuth`. */
  guard?: string;
  actions: string[];
  reenter: boolean;
}

/** A state node, normalised. */
export interface ChartState {
  /** Full id: `stream.OPEN.phase.SYNCING`. */
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  tags: string[];
  /** Full id of the initial child (compound states). */
  initial?: string;
  entry: string[];
  exit: string[];
  invoke: Array<{ id: string; src: string }>;
  transitions: ChartTransition[];
  children: ChartState[];
}

// The shape of XState v5 state nodes that the walk reads: typed here, so a change in XState's
// internals shows up as a failing test rather than a silently wrong diagram.
interface RawTransition {
  target?: ReadonlyArray<{ id: string }>;
  guard?: unknown;
  actions: readonly unknown[];
  reenter?: boolean;
  eventType: string;
  delay?: unknown;
}
interface RawStateNode {
  id: string;
  key: string;
  type: ChartState['type'];
  tags: readonly string[];
  initial?: { target: ReadonlyArray<{ id: string }> };
  entry: readonly unknown[];
  exit: readonly unknown[];
  invoke: ReadonlyArray<{ id: string; src: unknown }>;
  transitions: ReadonlyMap<string, readonly RawTransition[]>;
  after: readonly RawTransition[];
  always?: readonly RawTransition[];
  states: Record<string, RawStateNode>;
}

/** Actions XState adds by itself (scheduling delays): not part of the design. */
const isBuiltIn = (name: string): boolean => name.startsWith('xstate.');

function actionName(action: unknown): string {
  if (typeof action === 'string') return action;
  // Built-in action creators (raise, cancel, sendTo) are functions carrying their `type`.
  const type = (action as { type?: unknown } | null)?.type;
  if (typeof type === 'string') return type;
  if (typeof action === 'function') return action.name || 'inline';
  return 'inline';
}

function actionNames(actions: readonly unknown[]): string[] {
  return actions.map(actionName).filter((name) => !isBuiltIn(name));
}

/** `'g'`, `{ type: 'g' }`, `and([...])`, `or([...])`, `not(g)` → readable text. */
export function guardText(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const combinator = guard as { guards?: unknown[]; name: string };
    if (Array.isArray(combinator.guards)) {
      const parts = combinator.guards.map((g) => guardText(g) ?? '?');
      if (combinator.name === 'and') return parts.join(' && ');
      if (combinator.name === 'or') return parts.join(' || ');
      if (combinator.name === 'not') return `!${parts[0]}`;
    }
    return combinator.name || 'inline';
  }
  const type = (guard as { type?: unknown }).type;
  return typeof type === 'string' ? type : 'inline';
}

function normalise(source: string, raw: RawTransition, kind?: ChartTransition['kind']): ChartTransition {
  const t: ChartTransition = {
    source,
    targets: (raw.target ?? []).map((n) => n.id),
    kind: kind ?? 'event',
    actions: actionNames(raw.actions),
    reenter: raw.reenter === true,
  };
  const guard = guardText(raw.guard);
  if (guard !== undefined) t.guard = guard;
  if (kind === 'after') t.delay = typeof raw.delay === 'string' ? raw.delay : String(raw.delay);
  else if (kind === undefined) {
    const done = /^xstate\.(done|error)\.(?:actor|state)\.(.+)$/.exec(raw.eventType);
    if (done) {
      t.kind = done[1] === 'done' ? 'done' : 'error';
      t.event = done[2];
    } else {
      t.event = raw.eventType;
    }
  }
  return t;
}

function walk(node: RawStateNode): ChartState {
  const transitions: ChartTransition[] = [];
  for (const [eventType, list] of node.transitions) {
    // Delayed transitions also appear here under a generated event name: taken from `.after`.
    if (eventType.startsWith('xstate.after.')) continue;
    for (const raw of list) transitions.push(normalise(node.id, raw));
  }
  for (const raw of node.after) transitions.push(normalise(node.id, raw, 'after'));
  for (const raw of node.always ?? []) transitions.push(normalise(node.id, raw, 'always'));
  return {
    id: node.id,
    key: node.key,
    type: node.type,
    tags: [...node.tags],
    ...(node.initial && node.initial.target.length > 0 ? { initial: node.initial.target[0].id } : {}),
    entry: actionNames(node.entry),
    exit: actionNames(node.exit),
    invoke: node.invoke.map((i) => ({ id: i.id, src: typeof i.src === 'string' ? i.src : i.id })),
    transitions,
    children: Object.values(node.states).map(walk),
  };
}

/** The normalised tree of a machine (default: `streamMachine`). */
export function describeMachine(machine: { root: unknown } = streamMachine): ChartState {
  return walk(machine.root as RawStateNode);
}

export function allStates(root: ChartState): ChartState[] {
  const out: ChartState[] = [];
  const visit = (s: ChartState): void => {
    out.push(s);
    s.children.forEach(visit);
  };
  visit(root);
  return out;
}

/** A transition's label: `START`, `after quietWindow`, `error: connect [isUnauthorized && canRecoverAuth]`. */
export function transitionLabel(t: ChartTransition): string {
  const trigger =
    t.kind === 'after'
      ? `after ${t.delay}`
      : t.kind === 'always'
        ? 'always'
        : t.kind === 'done'
          ? `done: ${t.event}`
          : t.kind === 'error'
            ? `error: ${t.event}`
            : t.event!;
  return `${trigger}${t.guard ? ` [${t.guard}]` : ''}${t.reenter ? ' (re-enter)' : ''}`;
}
