/** The chart as a Mermaid `stateDiagram-v2`, and docs/statechart.md around it. */
import { allStates, describeMachine, transitionLabel, type ChartState } from './describe';

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
