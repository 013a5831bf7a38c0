/** The detailed chart as a Graphviz DOT digraph: every state node, compound states as clusters. */
import { allStates, describeMachine, transitionLabel, type ChartState } from './describe';

export const DOT_FILL: Record<string, string> = {
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
export const q = (text: string): string =>
  `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

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
