import type { AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { streamMachine } from '../index';

/**
 * What the chart *is*, read from its definition (never from a hand-written list), so that the
 * coverage target and the drift guard move with the chart.
 */

/** Every state node under the root, depth first (the root itself is always active, so not counted). */
export function allStateNodes(root: AnyStateNode = streamMachine.root): AnyStateNode[] {
  const out: AnyStateNode[] = [];
  const visit = (node: AnyStateNode) => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      out.push(child);
      visit(child);
    }
  };
  visit(root);
  return out;
}

/**
 * A stable name for one transition definition: source node, event (`always` for eventless),
 * index among the guarded alternatives for that event, and targets. It is the same for the pure
 * chart and for the chart `createEventStream()` provides with real actors (`provide()` rebuilds the
 * state nodes, so object identity cannot be used).
 */
export function transitionKey(t: AnyTransitionDefinition): string {
  const source = t.source as AnyStateNode;
  const eventType = eventTypeOf(t);
  const list: readonly AnyTransitionDefinition[] =
    eventType === '' ? ((source.always ?? []) as AnyTransitionDefinition[]) : (source.transitions.get(eventType) ?? []);
  const index = list.findIndex((candidate) => candidate === t);
  const targets = (t.target ?? []).map((n: AnyStateNode) => n.id).join(',') || '(none)';
  const event = eventType === '' ? 'always' : eventType;
  return `${source.id} --${event}[${index}]--> ${targets}`;
}

/**
 * Every transition the chart defines: `on`, `after` (delayed), invoke `onDone`/`onError`, `always`,
 * each guarded alternative separately. `StateNode.transitions` holds on/after/done/error keyed by
 * event type; `always` is kept apart by XState.
 */
export function allTransitions(root: AnyStateNode = streamMachine.root): Map<string, AnyTransitionDefinition> {
  const out = new Map<string, AnyTransitionDefinition>();
  for (const node of [root, ...allStateNodes(root)]) {
    const defined: AnyTransitionDefinition[] = [...node.transitions.values()].flat();
    defined.push(...((node.always ?? []) as AnyTransitionDefinition[]));
    for (const t of defined) out.set(transitionKey(t), t);
  }
  return out;
}

/** Delayed event types (`xstate.after.<delay>.<node id>`) the chart schedules, from its `after` blocks. */
export function delayedEventTypes(root: AnyStateNode = streamMachine.root): string[] {
  const types = new Set<string>();
  for (const node of [root, ...allStateNodes(root)]) {
    for (const t of node.after as AnyTransitionDefinition[]) types.add(eventTypeOf(t));
  }
  return [...types];
}

/** `xstate.after.quietWindow.stream.OPEN...` → `quietWindow`. */
export function delayNameOf(eventType: string): string | null {
  const match = /^xstate\.after\.([^.]+)\./.exec(eventType);
  return match ? match[1] : null;
}

/** State nodes that carry a tag, with their tags. */
export function taggedStateNodes(
  root: AnyStateNode = streamMachine.root,
): Array<{ node: AnyStateNode; tags: string[] }> {
  return allStateNodes(root)
    .filter((node) => node.tags.length > 0)
    .map((node) => ({ node, tags: [...node.tags] }));
}

/** `AnyTransitionDefinition` types its event as `any`; every event type of this chart is a string. */
function eventTypeOf(t: AnyTransitionDefinition): string {
  return t.eventType as string;
}
