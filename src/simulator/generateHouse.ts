/**
 * The default simulated house: the usual Insteon mix of devices (value models and per-kind recipes)
 * and the seeded generator that builds it.
 */
import { initialValue, type ValueModel } from './formats';
import {
  makeProperty,
  type House,
  type NodeKind,
  type SimNode,
  type SimProgram,
  type SimProperty,
  type SimVariable,
} from './house';
import type { Prng } from './prng';

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
const SWITCH: readonly PropSpec[] = [
  ['ST', 'Status', '100', ONOFF],
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
    subnodes: [[1, SWITCH]],
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
    subnodes: [[1, SWITCH]],
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
