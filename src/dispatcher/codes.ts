/**
 * Code tables for the event stream, as `as const` objects so both the codes and their labels are
 * available to TypeScript. Sources: the ISY994 Developer Cookbook as cited by pyisyox / PyISY, and
 * frames captured from an eisy (see WIRE.md). Unknown codes are never an error: they pass through
 * verbatim and `describe` still gives a readable label.
 */

/** Every system control (`<control>` starting with `_`) with its meaning. */
export const SYSTEM_CONTROLS = {
  _0: 'Heartbeat',
  _1: 'Trigger',
  _2: 'Driver specific',
  _3: 'Node lifecycle',
  _4: 'System configuration',
  _5: 'System status',
  _6: 'Internet access',
  _7: 'Progress report',
  _7A: 'Device write progress',
  _7M: 'Device write progress',
  _8: 'Security system',
  _9: 'System alert',
  _10: 'OpenADR',
  _11: 'Climate',
  _12: 'AMI / SEP (energy)',
  _13: 'External energy monitoring',
  _14: 'UPB linker',
  _15: 'UPB device adder',
  _16: 'UPB device status',
  _17: 'Gas meter',
  _18: 'ZigBee',
  _19: 'ELK',
  _20: 'Device linker',
  _21: 'Z-Wave',
  _22: 'Billing',
  _23: 'Portal',
  _24: 'System editor changed',
  _25: 'Z-Wave (ZMatter)',
  _26: 'System upgrade',
  _27: 'ZigBee',
  _28: 'Matter',
} as const;

/** A known system control code. */
export type SystemControl = keyof typeof SYSTEM_CONTROLS;

/** `_1` (trigger) actions. */
export const TRIGGER_ACTIONS = {
  '0': 'Program status',
  '1': 'Get status request',
  '2': 'Key changed',
  '3': 'Info string',
  '4': 'IR learn mode',
  '5': 'Schedule',
  '6': 'Variable value',
  '7': 'Variable init value',
  '8': 'Subscription key',
  '9': 'Variable table changed',
} as const;

/** `_3` (node lifecycle) verbs. */
export const LIFECYCLE_VERBS = {
  ND: 'Node added',
  NR: 'Node removed',
  NN: 'Node renamed',
  MV: 'Node moved into scene',
  CL: 'Link changed',
  RG: 'Removed from scene',
  PC: 'Parent changed',
  EN: 'Node enabled/disabled',
  PI: 'Power info changed',
  DI: 'Device id changed',
  DP: 'Device property changed',
  WH: 'Pending device operation',
  WD: 'Programming device',
  RV: 'Node revised',
  NI: 'Node type info changed',
  AA: 'All nodes added',
  LU: 'Link updated',
  SN: 'Discovering nodes',
  SC: 'Node discovery complete',
  NE: 'Node communication error',
  CE: 'Node communication error cleared',
  FD: 'Folder added',
  FR: 'Folder removed',
  FN: 'Folder renamed',
  GD: 'Scene added',
  GR: 'Scene removed',
  GN: 'Scene renamed',
  WR: 'Network resource renamed',
} as const;

/** A known lifecycle verb. */
export type LifecycleVerb = keyof typeof LIFECYCLE_VERBS;

/**
 * Verbs after which a cached node registry (nodes, scenes, folders, names, links, enabled flags)
 * no longer matches the controller and should be reloaded over REST. Status-only verbs (`WH`,
 * `WD`, `NE`, `CE`, `SN`, `PI`, `LU`) are not in the list.
 */
export const REGISTRY_INVALIDATING_VERBS: ReadonlySet<string> = new Set<LifecycleVerb>([
  'ND',
  'NR',
  'NN',
  'MV',
  'CL',
  'RG',
  'PC',
  'EN',
  'DI',
  'DP',
  'RV',
  'NI',
  'AA',
  'SC',
  'FD',
  'FR',
  'FN',
  'GD',
  'GR',
  'GN',
  'WR',
]);

/** `_5` (system status) actions. */
export const SYSTEM_STATUS_ACTIONS = {
  '0': 'Not busy',
  '1': 'Busy',
  '2': 'Idle',
  '3': 'Safe mode',
} as const;

/**
 * `_4` (system configuration) actions, as listed by the ISY994 cookbook. The eisy still sends
 * `5` and `6` with a `<status>` payload; the meanings are not confirmed on IoX 6.
 */
export const SYSTEM_CONFIG_ACTIONS = {
  '0': 'Time changed',
  '1': 'Time configuration changed',
  '2': 'NTP settings updated',
  '3': 'Notification settings updated',
  '4': 'NTP communication error',
  '5': 'Batch mode updated',
  '6': 'Battery device write mode updated',
} as const;

/** Program run state: the low nibble of the `_1`/`0` status byte `<s>`. */
export const PROGRAM_RUN_STATES = { 1: 'idle', 2: 'then', 3: 'else' } as const;

/** Program evaluation: the high nibble of the `_1`/`0` status byte `<s>`. */
export const PROGRAM_EVALUATIONS = { 0x10: 'unknown', 0x20: 'true', 0x30: 'false', 0xf0: 'notLoaded' } as const;

/** Variable types carried by `_1`/`6`, `7`, `9`. */
export const VARIABLE_TYPES = { 1: 'Integer', 2: 'State' } as const;

/**
 * Node commands that arrive as `<control>` on node events. They are events (a switch was
 * pressed), not status, which is why `PropertyChange.kind` tells them apart.
 */
export const NODE_COMMANDS = {
  DON: 'On',
  DOF: 'Off',
  DFON: 'Fast on',
  DFOF: 'Fast off',
  FDUP: 'Fade up',
  FDDOWN: 'Fade down',
  FDSTOP: 'Fade stop',
  BRT: 'Brighten',
  DIM: 'Dim',
  BEEP: 'Beep',
  QUERY: 'Query',
} as const;

/** Common node properties (the set is open: node servers define their own). */
export const NODE_PROPERTIES = {
  ST: 'Status',
  OL: 'On level',
  RR: 'Ramp rate',
  ERR: 'Error',
  BATLVL: 'Battery level',
  CLITEMP: 'Temperature',
  CLIHUM: 'Humidity',
  CLISPH: 'Heat setpoint',
  CLISPC: 'Cool setpoint',
  CLIMD: 'Thermostat mode',
  CLIFS: 'Fan mode',
  UOM: 'Unit of measure',
  GV1: 'Custom control 1',
} as const;

/** Per-control action tables used by `describe`. */
const ACTION_TABLES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  _1: TRIGGER_ACTIONS,
  _3: LIFECYCLE_VERBS,
  _4: SYSTEM_CONFIG_ACTIONS,
  _5: SYSTEM_STATUS_ACTIONS,
};

function lookup(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Label of a command (`DON` → `On`), or `undefined` when the control is not a known command. */
export function commandLabel(control: string): string | undefined {
  return lookup(NODE_COMMANDS, control);
}

/**
 * A readable label for any control/action pair, known or not. Never throws.
 *
 * - `describe('_1', '6')` → `Trigger: Variable value`
 * - `describe('_0', '90')` → `Heartbeat (next within 90 s)`
 * - `describe('_99', 'X')` → `Unknown system event _99: X`
 * - `describe('ST', '255')` → `Status = 255`; `describe('DON', '0')` → `On (command)`
 */
export function describe(control: string, action: string): string {
  const c = String(control);
  const a = String(action);
  if (c.charCodeAt(0) === 95 /* _ */) {
    const controlLabel = lookup(SYSTEM_CONTROLS, c);
    if (controlLabel === undefined) return a === '' ? `Unknown system event ${c}` : `Unknown system event ${c}: ${a}`;
    if (c === '_0') return a === '' ? controlLabel : `${controlLabel} (next within ${a} s)`;
    const table = ACTION_TABLES[c];
    const actionLabel = table === undefined ? undefined : lookup(table, a);
    if (actionLabel !== undefined) return `${controlLabel}: ${actionLabel}`;
    return a === '' ? controlLabel : `${controlLabel}: ${a}`;
  }
  const command = lookup(NODE_COMMANDS, c);
  if (command !== undefined) return `${command} (command)`;
  const property = lookup(NODE_PROPERTIES, c) ?? c;
  return `${property} = ${a}`;
}
