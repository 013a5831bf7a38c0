/**
 * The statechart, seen from outside: walk `streamMachine`'s state nodes and render them as a
 * Mermaid `stateDiagram-v2`, a Graphviz DOT graph and a Stately-importable machine config.
 *
 * Why walk the nodes instead of `toJSON()`: `toJSON()` drops `always` transitions and keeps
 * combinator guards (`and`, `or`) only as functions. The walk reads `.states`, `.transitions`,
 * `.after`, `.always`, `.invoke`, `.entry`/`.exit` of every node, so delayed transitions keep their
 * delay names, invoked actors' done/error transitions keep the actor id and every guard keeps its
 * name. `scripts/chart.ts` writes the files; `test/cli/chart.test.ts` fails when a committed file
 * differs from what this module generates now.
 */
import { streamMachine } from '../src/machine/streamMachine';

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

function allStates(root: ChartState): ChartState[] {
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

// ---- Mermaid ---------------------------------------------------------------------------------

/**
 * Mermaid ids are global to a diagram and may not contain dots: a state's own key when no other
 * state shares it, else its path below the root joined with `_` (INITIALIZING_connecting).
 */
function mermaidIds(root: ChartState): Map<string, string> {
  const states = allStates(root).filter((s) => s !== root);
  const count = new Map<string, number>();
  for (const s of states) count.set(s.key, (count.get(s.key) ?? 0) + 1);
  const ids = new Map<string, string>();
  for (const s of states) ids.set(s.id, count.get(s.key) === 1 ? s.key : s.id.split('.').slice(1).join('_'));
  return ids;
}

/**
 * Mermaid's lexer ends a label at `:` or `;`; its entity codes (`#58;`) are decoded after parsing.
 * `&&` / `||` become words, which also read better in a picture.
 */
function mermaidText(text: string): string {
  return text.replace(/&&/g, 'and').replace(/\|\|/g, 'or').replace(/:/g, '#58;');
}

/** The chart as a Mermaid `stateDiagram-v2` (without code fences). */
export function toMermaid(root: ChartState = describeMachine()): string {
  const ids = mermaidIds(root);
  const parentOf = new Map<string, ChartState>();
  for (const s of allStates(root)) for (const c of s.children) parentOf.set(c.id, s);
  const ancestors = (id: string): string[] => {
    const out: string[] = [];
    for (let p = parentOf.get(id); p; p = parentOf.get(p.id)) out.push(p.id);
    return out;
  };
  const byId = new Map(allStates(root).map((s) => [s.id, s] as const));
  // An edge is declared in the block of the deepest state that strictly contains both ends and is
  // compound (a parallel state's blocks are its regions): Mermaid draws it inside that box.
  const home = (source: string, target: string): string => {
    const shared = new Set(ancestors(target));
    for (const candidate of ancestors(source)) {
      if (shared.has(candidate) && byId.get(candidate)!.type !== 'parallel') return candidate;
    }
    return root.id;
  };

  const edges = new Map<string, string[]>();
  const addEdge = (block: string, line: string): void => {
    edges.set(block, [...(edges.get(block) ?? []), line]);
  };
  const ANY = 'any_state';
  let usesAny = false;
  for (const s of allStates(root)) {
    for (const t of s.transitions) {
      for (const target of t.targets) {
        const label = mermaidText(transitionLabel(t));
        if (s === root) {
          usesAny = true;
          addEdge(root.id, `${ANY} --> ${ids.get(target)} : ${label}`);
        } else {
          addEdge(home(s.id, target), `${ids.get(s.id)} --> ${ids.get(target)} : ${label}`);
        }
      }
    }
  }

  const lines: string[] = ['stateDiagram-v2'];
  const emit = (s: ChartState, depth: number): void => {
    const pad = '  '.repeat(depth);
    const id = ids.get(s.id)!;
    if (s.children.length === 0) {
      if (id !== s.key) lines.push(`${pad}state "${s.key}" as ${id}`);
      if (s.invoke.length > 0)
        lines.push(`${pad}${id} : ${mermaidText(`invoke ${s.invoke.map((i) => i.src).join(', ')}`)}`);
      return;
    }
    lines.push(`${pad}state ${id} {`);
    body(s, depth + 1);
    lines.push(`${pad}}`);
  };
  const body = (s: ChartState, depth: number): void => {
    const pad = '  '.repeat(depth);
    if (s.type === 'parallel') {
      s.children.forEach((region, i) => {
        if (i > 0) lines.push(`${pad}--`);
        emit(region, depth);
      });
    } else {
      if (s.initial) lines.push(`${pad}[*] --> ${ids.get(s.initial)}`);
      for (const c of s.children) emit(c, depth);
    }
    for (const line of edges.get(s.id) ?? []) lines.push(`${pad}${line}`);
  };

  if (root.initial) lines.push(`  [*] --> ${ids.get(root.initial)}`);
  for (const c of root.children) emit(c, 1);
  if (usesAny) {
    lines.push(`  state "any state" as ${ANY}`);
    lines.push(`  class ${ANY} anyState`);
    lines.push('  classDef anyState stroke-dasharray: 5 5');
  }
  for (const line of edges.get(root.id) ?? []) lines.push(`  ${line}`);
  // Status-bearing states, coloured like the CLI's timeline.
  const statusStates = allStates(root).filter((s) => s.tags.length > 0 && s.children.length === 0);
  if (statusStates.length > 0) {
    lines.push('  classDef status font-weight:bold');
    lines.push(`  class ${statusStates.map((s) => ids.get(s.id)).join(',')} status`);
  }
  return `${lines.join('\n')}\n`;
}

function compoundInvokes(root: ChartState): string {
  const list = allStates(root)
    .filter((s) => s.children.length > 0 && s.invoke.length > 0)
    .map((s) => `\`${s.key}\` invokes ${s.invoke.map((i) => `\`${i.src}\``).join(', ')}`);
  return list.length > 0 ? list.join('; ') : 'none';
}

/** `docs/statechart.md`: the diagram and a legend. */
export function statechartMarkdown(root: ChartState = describeMachine()): string {
  const statuses = allStates(root)
    .filter((s) => s.tags.length > 0)
    .map((s) => `\`${s.key}\``);
  return `<!-- Generated by \`npm run chart\` from src/machine/streamMachine.ts. Do not edit: a test compares it with the chart. -->
# The stream statechart

Generated from \`streamMachine\` by walking its state nodes (\`npm run chart\`), so it always
matches the code. A picture for readers without Mermaid: [statechart.svg](./statechart.svg).
Stately: import [machine.json](./machine.json) or open \`src/machine/streamMachine.ts\`.

\`\`\`mermaid
${toMermaid(root)}\`\`\`

How to read it:

- The public status is the tag of the state you are in: ${statuses.join(', ')}.
- \`START\`, \`STOP\`, \`FRAME\`, \`SOCKET_CLOSED\`, \`SOCKET_ERROR\` are events; \`after <delay>\` is a
  delayed transition whose length comes from the policy (\`quietWindow\`, \`syncCap\`, \`backoff\`,
  \`heartbeatDeadline\`, \`connectTimeout\`); \`always\` is taken as soon as its guard holds.
- \`done: connect\` / \`error: connect\` are the invoked actor's result; \`[guard]\` names the guard
  (\`and\` / \`or\` combine named guards); \`(re-enter)\` restarts the state's timers.
- \`OPEN\` is parallel: \`phase\` (replay, then live) and \`watchdog\` (heartbeat deadline) run together.
- Actors invoked by compound states (running while inside them): ${compoundInvokes(root)}.
- "any state" stands for the root: \`STOP\` leaves whatever state the stream is in.
`;
}

// ---- Graphviz --------------------------------------------------------------------------------

const DOT_FILL: Record<string, string> = {
  NOT_STARTED: '#eeeeee',
  INITIALIZING: '#d8f3f6',
  SYNCING: '#dbe6fb',
  CONNECTED: '#d6f5d6',
  LOST: '#fff1c2',
  RECONNECTING: '#f6dcf3',
  FAILED: '#fbd5d5',
  STOPPED: '#e0e0e0',
};

/** A DOT string: quotes escaped, line breaks as centred `\n`. */
const q = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** The chart as a Graphviz DOT digraph (compound states as clusters). */
export function toDot(root: ChartState = describeMachine()): string {
  const byId = new Map(allStates(root).map((s) => [s.id, s] as const));
  const cluster = (s: ChartState): string => `cluster_${s.id.replace(/\./g, '_')}`;
  /** An atomic state inside `s` for edges that start or end at a compound state (drawn to its box). */
  const anchor = (s: ChartState): ChartState => {
    if (s.children.length === 0) return s;
    const first = (s.initial ? byId.get(s.initial) : undefined) ?? s.children[0];
    return anchor(first);
  };
  const contains = (outer: ChartState, id: string): boolean => id === outer.id || id.startsWith(`${outer.id}.`);

  const lines: string[] = [
    'digraph stream {',
    '  compound=true;',
    '  rankdir=TB;',
    '  newrank=true;',
    '  nodesep=0.35; ranksep=0.5;',
    '  fontname="Helvetica"; fontsize=12;',
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
  ];
  const emit = (s: ChartState, depth: number): void => {
    const pad = '  '.repeat(depth);
    if (s.children.length === 0) {
      const invoke = s.invoke.length > 0 ? `\ninvoke ${s.invoke.map((i) => i.src).join(', ')}` : '';
      const fill = s.tags[0] !== undefined ? (DOT_FILL[s.tags[0]] ?? '#ffffff') : '#ffffff';
      const bold = s.tags.length > 0 ? ', fontname="Helvetica-Bold"' : '';
      lines.push(`${pad}${q(s.id)} [label=${q(s.key + invoke)}, fillcolor=${q(fill)}${bold}];`);
      return;
    }
    const parallel = s.type === 'parallel';
    const parentIsParallel = [...byId.values()].some((p) => p.type === 'parallel' && p.children.includes(s));
    const invoke = s.invoke.length > 0 ? ` · invoke ${s.invoke.map((i) => i.src).join(', ')}` : '';
    const label = `${s.key}${parallel ? ' (parallel)' : ''}${parentIsParallel ? ' (region)' : ''}${invoke}`;
    const fill = s.tags[0] !== undefined ? (DOT_FILL[s.tags[0]] ?? '#ffffff') : '#fafafa';
    lines.push(`${pad}subgraph ${cluster(s)} {`);
    lines.push(
      `${pad}  label=${q(label)}; labeljust=l; style="rounded${parallel || parentIsParallel ? ',dashed' : ''},filled"; fillcolor=${q(fill)}; color="#888888";${s.tags.length > 0 ? ' fontname="Helvetica-Bold";' : ''}`,
    );
    if (s.initial && !parallel) {
      lines.push(`${pad}  ${q(`${s.id}.__initial`)} [shape=point, width=0.12, label=""];`);
    }
    for (const c of s.children) emit(c, depth + 1);
    lines.push(`${pad}}`);
  };
  lines.push(`  ${q(`${root.id}.__initial`)} [shape=point, width=0.15, label=""];`);
  for (const c of root.children) emit(c, 1);

  const edgeLines: string[] = [];
  let usesAny = false;
  // Transitions between the same two boxes share one arrow with one label line each: far fewer
  // crossings than an arrow per transition. Dashed when all of them are timers (after/always).
  const merged = new Map<string, { tail: string; head: string; attrs: string[]; labels: string[]; timed: boolean }>();
  const edge = (from: ChartState | 'any', to: ChartState, label: string, timed: boolean): void => {
    const attrs: string[] = [];
    let tail: string;
    if (from === 'any') {
      tail = 'any_state';
      usesAny = true;
    } else {
      tail = anchor(from).id;
      if (from.children.length > 0 && !contains(from, to.id)) attrs.push(`ltail=${cluster(from)}`);
    }
    const head = anchor(to).id;
    if (to.children.length > 0 && (from === 'any' || !contains(to, from.id))) attrs.push(`lhead=${cluster(to)}`);
    const key = [tail, head, ...attrs].join('|');
    const existing = merged.get(key);
    if (existing) {
      existing.labels.push(label);
      existing.timed &&= timed;
    } else {
      merged.set(key, { tail, head, attrs, labels: [label], timed });
    }
  };
  for (const s of allStates(root)) {
    if (s.initial && s.type !== 'parallel') {
      const target = byId.get(s.initial)!;
      const attrs = target.children.length > 0 ? ` [lhead=${cluster(target)}]` : '';
      edgeLines.push(`  ${q(`${s.id}.__initial`)} -> ${q(anchor(target).id)}${attrs};`);
    }
    for (const t of s.transitions) {
      for (const target of t.targets) {
        edge(s === root ? 'any' : s, byId.get(target)!, transitionLabel(t), t.kind === 'after' || t.kind === 'always');
      }
    }
  }
  for (const e of merged.values()) {
    const attrs = [`label=${q(e.labels.join('\n'))}`, ...e.attrs, ...(e.timed ? ['style=dashed'] : [])];
    edgeLines.push(`  ${q(e.tail)} -> ${q(e.head)} [${attrs.join(', ')}];`);
  }
  if (usesAny) lines.push('  "any_state" [label="any state", shape=box, style="rounded,dashed", fillcolor="#ffffff"];');
  lines.push(...edgeLines, '}');
  return `${lines.join('\n')}\n`;
}

// ---- Stately / XState config -----------------------------------------------------------------

type JsonTransition = { target?: string | string[]; guard?: string; actions?: string[]; reenter?: true };

function jsonTransition(t: ChartTransition): JsonTransition {
  const out: JsonTransition = {};
  if (t.targets.length > 0) out.target = t.targets.length === 1 ? `#${t.targets[0]}` : t.targets.map((id) => `#${id}`);
  if (t.guard) out.guard = t.guard;
  if (t.actions.length > 0) out.actions = t.actions;
  if (t.reenter) out.reenter = true;
  return out;
}

const one = <T>(list: T[]): T | T[] => (list.length === 1 ? list[0] : list);

function jsonState(s: ChartState, isRoot: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (isRoot) out.id = s.id;
  if (s.type === 'parallel') out.type = 'parallel';
  if (s.type === 'final') out.type = 'final';
  if (s.initial) out.initial = s.initial.split('.').pop();
  if (s.tags.length > 0) out.tags = one(s.tags);
  if (s.entry.length > 0) out.entry = one(s.entry);
  if (s.exit.length > 0) out.exit = one(s.exit);
  if (s.invoke.length > 0) {
    out.invoke = one(
      s.invoke.map((i) => {
        const inv: Record<string, unknown> = { id: i.id, src: i.src };
        const done = s.transitions.filter((t) => t.kind === 'done' && t.event === i.id).map(jsonTransition);
        const error = s.transitions.filter((t) => t.kind === 'error' && t.event === i.id).map(jsonTransition);
        if (done.length > 0) inv.onDone = one(done);
        if (error.length > 0) inv.onError = one(error);
        return inv;
      }),
    );
  }
  const on: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const always: JsonTransition[] = [];
  const invoked = new Set(s.invoke.map((i) => i.id));
  for (const t of s.transitions) {
    if (t.kind === 'event')
      on[t.event!] = [...((on[t.event!] as JsonTransition[] | undefined) ?? []), jsonTransition(t)];
    else if (t.kind === 'after')
      after[t.delay!] = [...((after[t.delay!] as JsonTransition[] | undefined) ?? []), jsonTransition(t)];
    else if (t.kind === 'always') always.push(jsonTransition(t));
    else if (!invoked.has(t.event!)) {
      // done/error of a child state (not of an invoked actor): keep it as the raw event.
      const type = `xstate.${t.kind}.state.${t.event}`;
      on[type] = [...((on[type] as JsonTransition[] | undefined) ?? []), jsonTransition(t)];
    }
  }
  for (const bag of [on, after]) for (const key of Object.keys(bag)) bag[key] = one(bag[key] as JsonTransition[]);
  if (Object.keys(on).length > 0) out.on = on;
  if (Object.keys(after).length > 0) out.after = after;
  if (always.length > 0) out.always = one(always);
  if (s.children.length > 0) out.states = Object.fromEntries(s.children.map((c) => [c.key, jsonState(c, false)]));
  return out;
}

/**
 * The chart as a plain XState v5 machine config (JSON): paste or import it into Stately's editor.
 * Implementations are names only (guards, actions, actors, delays); a combined guard appears as its
 * text (`isUnauthorized && canRecoverAuth`), which Stately shows as a named guard.
 */
export function toMachineConfig(root: ChartState = describeMachine()): Record<string, unknown> {
  return jsonState(root, true);
}

/** `docs/machine.json`, formatted. */
export function machineJson(root: ChartState = describeMachine()): string {
  return `${JSON.stringify(toMachineConfig(root), null, 2)}\n`;
}

const README_BEGIN = '<!-- statechart:begin -->';
const README_END = '<!-- statechart:end -->';

/**
 * The README with its embedded diagram (between the `statechart:begin/end` markers) replaced by
 * the generated one, so the diagram readers see first can never go stale either.
 */
export function readmeWithChart(readme: string, root: ChartState = describeMachine()): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${README_BEGIN} … ${README_END} block`);
  // Blank lines around the fence: the layout Prettier keeps, so `npm run chart` and `prettier --check` agree.
  const block = `${README_BEGIN}\n\n\`\`\`mermaid\n${toMermaid(root).trimEnd()}\n\`\`\`\n\n`;
  return readme.slice(0, begin) + block + readme.slice(end);
}

/**
 * Every generated file, by path relative to the repository root (the SVG is rendered from the DOT).
 * `readme` is the current README.md, whose embedded diagram is regenerated in place.
 */
export function chartFiles(readme?: string): Record<string, string> {
  const root = describeMachine();
  return {
    'docs/statechart.md': statechartMarkdown(root),
    'docs/machine.json': machineJson(root),
    'docs/statechart.dot': toDot(root),
    ...(readme === undefined ? {} : { 'README.md': readmeWithChart(readme, root) }),
  };
}
