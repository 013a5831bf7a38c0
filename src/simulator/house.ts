import { formatValue, initialValue, nextValue, type ValueModel } from './formats';
import type { Prng } from './prng';
import { formatProgramTime, formatVariableTime, type EventParts } from './wire';

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

const LEVEL: ValueModel = { kind: 'level' };
const ONOFF: ValueModel = { kind: 'onoff' };
const RAMP: ValueModel = { kind: 'rampRate' };
const ERROR: ValueModel = { kind: 'error' };
const FAN: ValueModel = {
  kind: 'enum',
  values: [
    [0, 'Off'],
    [63, 'Low'],
    [191, 'Medium'],
    [255, 'High'],
  ],
};
const TEMP: ValueModel = { kind: 'number', min: 650, max: 760, prec: 1, unit: '°F', step: 5 };
const HEAT_SP: ValueModel = { kind: 'number', min: 62, max: 70, prec: 0, unit: '°F' };
const COOL_SP: ValueModel = { kind: 'number', min: 72, max: 80, prec: 0, unit: '°F' };
const MODE: ValueModel = {
  kind: 'enum',
  values: [
    [0, 'Off'],
    [1, 'Heat'],
    [2, 'Cool'],
    [3, 'Auto'],
  ],
};
const FAN_MODE: ValueModel = {
  kind: 'enum',
  values: [
    [7, 'On'],
    [8, 'Auto'],
  ],
};
const HC_STATE: ValueModel = {
  kind: 'enum',
  values: [
    [0, 'Idle'],
    [1, 'Heating'],
    [2, 'Cooling'],
  ],
};
const HUMIDITY: ValueModel = { kind: 'number', min: 30, max: 60, prec: 0, unit: '%' };
const LOCK: ValueModel = {
  kind: 'enum',
  values: [
    [0, 'Unlocked'],
    [100, 'Locked'],
  ],
};
const BATTERY: ValueModel = { kind: 'number', min: 60, max: 100, prec: 0, unit: '%' };

/** [control, fmtName, uom (undefined = none on the wire), model] */
type PropSpec = readonly [control: string, name: string, uom: string | undefined, model: ValueModel];

const LOAD_LEVEL: readonly PropSpec[] = [
  ['ST', 'Status', '100', LEVEL],
  ['OL', 'On Level', '100', LEVEL],
  ['RR', 'Ramp Rate', '25', RAMP],
  ['ERR', 'Error', undefined, ERROR],
];
const BUTTON: readonly PropSpec[] = [['ST', 'Status', '100', ONOFF]];

/** Device recipes: sub-node number → properties; `count` devices of each are generated. */
const RECIPES: ReadonlyArray<{
  kind: NodeKind;
  count: number;
  subnodes: ReadonlyArray<readonly [number, readonly PropSpec[]]>;
}> = [
  { kind: 'dimmer', count: 40, subnodes: [[1, LOAD_LEVEL]] },
  {
    kind: 'relay',
    count: 24,
    subnodes: [
      [
        1,
        [
          ['ST', 'Status', '100', ONOFF],
          ['ERR', 'Error', undefined, ERROR],
        ],
      ],
    ],
  },
  {
    kind: 'keypad',
    count: 8,
    subnodes: [
      [1, LOAD_LEVEL],
      [3, BUTTON],
      [4, BUTTON],
      [5, BUTTON],
      [6, BUTTON],
    ],
  },
  {
    kind: 'fanlinc',
    count: 4,
    subnodes: [
      [1, LOAD_LEVEL],
      [
        2,
        [
          ['ST', 'Status', '100', FAN],
          ['ERR', 'Error', undefined, ERROR],
        ],
      ],
    ],
  },
  {
    kind: 'thermostat',
    count: 3,
    subnodes: [
      [
        1,
        [
          ['ST', 'Status', '17', TEMP],
          ['CLITEMP', 'Temperature', '17', TEMP],
          ['CLISPH', 'Heat Setpoint', '17', HEAT_SP],
          ['CLISPC', 'Cool Setpoint', '17', COOL_SP],
          ['CLIMD', 'Mode', '67', MODE],
          ['CLIFS', 'Fan Mode', '68', FAN_MODE],
          ['CLIHCS', 'Heat/Cool State', '66', HC_STATE],
          ['CLIHUM', 'Humidity', '22', HUMIDITY],
          ['ERR', 'Error', undefined, ERROR],
        ],
      ],
    ],
  },
  {
    kind: 'door',
    count: 10,
    subnodes: [
      [
        1,
        [
          ['ST', 'Status', '100', ONOFF],
          ['ERR', 'Error', undefined, ERROR],
        ],
      ],
    ],
  },
  {
    kind: 'motion',
    count: 5,
    subnodes: [
      [1, BUTTON],
      [2, BUTTON],
      [3, BUTTON],
    ],
  },
  {
    kind: 'leak',
    count: 4,
    subnodes: [
      [1, BUTTON],
      [2, BUTTON],
    ],
  },
  {
    kind: 'lock',
    count: 1,
    subnodes: [
      [
        1,
        [
          ['ST', 'Status', '11', LOCK],
          ['BATLVL', 'Battery Level', '51', BATTERY],
          ['ERR', 'Error', undefined, ERROR],
        ],
      ],
    ],
  },
];

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

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

/**
 * Generate the default house: about 150 nodes of the usual Insteon mix plus a few programs and
 * variables. Deterministic for a given seed and `now` (historical change times are `now` minus a
 * seeded age, like the real replay whose timestamps are the last-change times).
 */
export function generateHouse(prng: Prng, now: Date): House {
  const nodes = new Map<string, SimNode>();
  const usedBases = new Set<string>();
  const past = (maxDays: number): Date =>
    new Date(now.getTime() - prng.int(60, maxDays * 86_400) * 1000 - prng.int(0, 999));
  for (const recipe of RECIPES) {
    for (let i = 0; i < recipe.count; i++) {
      let base: string;
      do base = `${hex2(prng.int(0, 255))} ${hex2(prng.int(0, 255))} ${hex2(prng.int(0, 255))}`;
      while (usedBases.has(base));
      usedBases.add(base);
      for (const [sub, specs] of recipe.subnodes) {
        const address = `${base} ${sub}`;
        const properties = new Map<string, SimProperty>();
        for (const [control, name, uom, model] of specs) {
          properties.set(control, makeProperty({ name, uom, model }, initialValue(model, prng), past(30)));
        }
        nodes.set(address, { address, kind: recipe.kind, properties });
      }
    }
  }

  const programs = new Map<string, SimProgram>();
  for (const n of [1, 3, 0x12, 0x2a, 0x8d, 0x8e]) {
    const lastRun = past(7);
    const id = n.toString(16).toUpperCase();
    programs.set(id, {
      id,
      enabled: prng.chance(0.85),
      runAtReboot: prng.chance(0.2),
      status: prng.pick([0x21, 0x31, 0x31, 0x11]),
      lastRun,
      lastFinish: new Date(lastRun.getTime() + prng.int(0, 5000)),
      changedAt: lastRun,
    });
  }

  const variables = new Map<string, SimVariable>();
  for (const type of [1, 2] as const) {
    for (let id = 1; id <= 4; id++) {
      const prec = type === 1 && id === 1 ? 1 : 0;
      const value = type === 2 ? prng.int(0, 1) : prng.int(0, 300);
      variables.set(`${type}:${id}`, { type, id, value, init: value, prec, changedAt: past(7) });
    }
  }

  const key = `${hex2(prng.int(0, 255))}${hex2(prng.int(0, 255))}${hex2(prng.int(0, 255))}${hex2(prng.int(0, 255))}.${hex2(prng.int(0, 255))}${hex2(prng.int(0, 255))}`;
  return { nodes, programs, variables, key, generated: true };
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

// ---- Rendering state as event parts ----------------------------------------------------------

export function propertyParts(address: string, control: string, p: SimProperty): EventParts {
  return {
    control,
    action: p.value,
    uom: p.uom,
    prec: p.uom === undefined ? undefined : p.prec,
    node: address,
    fmtAct: p.formatted,
    fmtName: p.formatted === undefined ? undefined : p.name,
  };
}

export function programParts(p: SimProgram, offsetMinutes: number): EventParts {
  const info =
    `<id>${p.id}</id>${p.enabled ? '<on />' : '<off />'}${p.runAtReboot ? '<rr />' : '<nr />'}` +
    `<r>${formatProgramTime(p.lastRun, offsetMinutes)}</r><f>${formatProgramTime(p.lastFinish, offsetMinutes)}</f>` +
    `<s>${p.status.toString(16).toUpperCase()}</s>`;
  return { control: '_1', action: '0', node: '', eventInfo: info };
}

/** `_1`/`6` (value) or `_1`/`7` (init value) for one variable. */
export function variableParts(v: SimVariable, action: '6' | '7', offsetMinutes: number): EventParts {
  const info =
    action === '6'
      ? `<var type="${v.type}" id="${v.id}"><prec>${v.prec}</prec><val>${v.value}</val><ts>${formatVariableTime(v.changedAt, offsetMinutes)}</ts></var>`
      : `<var type="${v.type}" id="${v.id}"><init>${v.init}</init><prec>${v.prec}</prec></var>`;
  return { control: '_1', action, node: '', eventInfo: info };
}

// ---- Mutations -----------------------------------------------------------------------------

/** A live change picked at random: which property and its new raw value. */
export type LiveChange =
  | { type: 'property'; address: string; control: string; raw: number }
  | { type: 'program'; id: string }
  | { type: 'variable'; key: string; value: number };

/** Pick a random live change (mostly node properties, sometimes a program or a variable). */
export function pickLiveChange(house: House, prng: Prng): LiveChange | undefined {
  const roll = prng.next();
  if (roll < 0.08 && house.programs.size > 0) return { type: 'program', id: prng.pick([...house.programs.keys()]) };
  if (roll < 0.14 && house.variables.size > 0) {
    const key = prng.pick([...house.variables.keys()]);
    const v = house.variables.get(key) as SimVariable;
    return { type: 'variable', key, value: v.type === 2 ? 1 - Math.min(1, v.value) : v.value + prng.int(1, 5) };
  }
  const candidates: Array<[SimNode, string, SimProperty]> = [];
  for (const node of house.nodes.values()) {
    for (const [control, p] of node.properties) {
      // ERR and ramp rates change rarely in a real house: keep live traffic on the interesting bits.
      if (p.model && p.model.kind !== 'error' && p.model.kind !== 'rampRate' && control !== 'OL')
        candidates.push([node, control, p]);
    }
  }
  if (candidates.length === 0) return undefined;
  const [node, control, p] = prng.pick(candidates);
  return {
    type: 'property',
    address: node.address,
    control,
    raw: nextValue(p.model as ValueModel, prng, Number(p.value)),
  };
}

/** A program run: the status moves to a new evaluation, last run / finish times to `now`. */
export function touchProgram(p: SimProgram, prng: Prng, now: Date): void {
  p.status = prng.pick([0x21, 0x31, 0x22, 0x33].filter((s) => s !== p.status));
  p.lastRun = now;
  p.lastFinish = now;
  p.changedAt = now;
}
