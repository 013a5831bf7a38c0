/**
 * The simulated controller's state (its nodes, programs and variables) and the rules every part of
 * the simulator shares about it. How a house is generated lives in `generateHouse.ts`, how it is
 * rendered as event parts in `eventParts.ts`, how it changes live in `liveChanges.ts`.
 */
import { formatValue, type ValueModel } from './formats';

/**
 * One property as a client's mirror should hold it: `value` is the raw `<action>` text, `uom` and
 * `prec` the raw attribute texts, `formatted` the `<fmtAct>` text.
 */
export interface PropertyValue {
  /** The raw `<action>` text. */
  value: string;
  /** The `uom` attribute text (unit of measure code), when sent. */
  uom?: string;
  /** The `prec` attribute text (decimal places), when sent. */
  prec?: string;
  /** The `<fmtAct>` text (`40%`, `Off`), when sent. */
  formatted?: string;
}

/** A property as the simulator keeps it: the wire value plus what it needs to render and mutate it. */
export interface SimProperty extends PropertyValue {
  /** `<fmtName>`, e.g. `Status`, `On Level`. */
  name?: string;
  /** When it last changed: replayed frames carry this historical time, like the real controller. */
  changedAt: Date;
  /** How to invent new values for live events; absent = never changed by live events. */
  model?: ValueModel;
}

/** What a simulated node behaves like; `captured` for nodes read from a capture. */
export type NodeKind =
  'dimmer' | 'relay' | 'keypad' | 'fanlinc' | 'thermostat' | 'door' | 'motion' | 'leak' | 'lock' | 'captured';

/** One simulated node. */
export interface SimNode {
  /** The node address as on the wire (`1A 2B 3C 1`, `n001_x`). */
  address: string;
  /** What it behaves like. */
  kind: NodeKind;
  /** Its properties by control (`ST`, `OL`, ...). */
  properties: Map<string, SimProperty>;
}

/** One simulated program, as `_1`/`0` frames describe it. */
export interface SimProgram {
  /** Hex id as on the wire (`8D`). */
  id: string;
  /** The `<on/>` / `<off/>` flag. */
  enabled: boolean;
  /** The `<rr/>` / `<nr/>` flag. */
  runAtReboot: boolean;
  /** The `<s>` byte: high nibble last evaluation, low nibble run state. */
  status: number;
  /** Last run start, sent as `<r>` (controller local time). */
  lastRun: Date;
  /** Last run finish, sent as `<f>`. */
  lastFinish: Date;
  /** When it last changed (replayed frames carry this historical time). */
  changedAt: Date;
}

/** One simulated variable, as `_1`/`6` and `7` frames describe it. */
export interface SimVariable {
  /** 1 integer, 2 state. */
  type: 1 | 2;
  /** Its number within its type. */
  id: number;
  /** The current value, unscaled (`prec` says where the decimal point goes). */
  value: number;
  /** The value it starts with at boot, unscaled. */
  init: number;
  /** Decimal places. */
  prec: number;
  /** When it last changed. */
  changedAt: Date;
}

/** The simulated controller's whole state. */
export interface House {
  /** Nodes by address. */
  nodes: Map<string, SimNode>;
  /** Programs by hex id. */
  programs: Map<string, SimProgram>;
  /** Keyed `type:id`, e.g. `2:12`. */
  variables: Map<string, SimVariable>;
  /** `_1`/`2` key string sent in the replay (`E8E7BC14.2B06` style). */
  key: string;
  /** `false` for a house built from a capture: its system frames come from the capture itself. */
  generated: boolean;
}

/** Controls that are commands, not properties: they are sent but never stored in the truth. */
export const COMMAND_CONTROLS: ReadonlySet<string> = new Set([
  'DON',
  'DOF',
  'DFON',
  'DFOF',
  'FDUP',
  'FDDOWN',
  'FDSTOP',
  'BRT',
  'DIM',
  'BEEP',
  'QUERY',
  'X10',
]);

/** Is a frame with this control and node a property update (and so part of the truth)? */
export function isPropertyControl(control: string, node: string | undefined): boolean {
  return !!node && !control.startsWith('_') && !COMMAND_CONTROLS.has(control);
}

/** Build a property with its wire fields derived from the model. */
export function makeProperty(
  spec: { name?: string; uom?: string; model?: ValueModel },
  raw: number,
  changedAt: Date,
): SimProperty {
  const model = spec.model;
  const prec =
    model === undefined || model.kind === 'error' ? undefined : String(model.kind === 'number' ? model.prec : 0);
  const formatted = model ? formatValue(model, raw) : undefined;
  const prop: SimProperty = { value: String(raw), changedAt };
  if (spec.uom !== undefined) {
    prop.uom = spec.uom;
    if (prec !== undefined) prop.prec = prec;
  }
  if (formatted !== undefined) {
    prop.formatted = formatted;
    if (spec.name !== undefined) prop.name = spec.name;
  }
  if (model) prop.model = model;
  return prop;
}

/** Copy of the node status in the shape of a client's `mirror.nodes`. */
export function snapshotNodes(house: House): Map<string, Map<string, PropertyValue>> {
  const out = new Map<string, Map<string, PropertyValue>>();
  for (const node of house.nodes.values()) {
    const props = new Map<string, PropertyValue>();
    for (const [control, p] of node.properties) {
      const copy: PropertyValue = { value: p.value };
      if (p.uom !== undefined) copy.uom = p.uom;
      if (p.prec !== undefined) copy.prec = p.prec;
      if (p.formatted !== undefined) copy.formatted = p.formatted;
      props.set(control, copy);
    }
    if (props.size > 0) out.set(node.address, props);
  }
  return out;
}
