/** The chart as an XState machine config that Stately's editor imports (docs/machine.json). */
import { describeMachine, type ChartState, type ChartTransition } from './describe';

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
