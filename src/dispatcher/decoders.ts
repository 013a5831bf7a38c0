/**
 * Decoders for the structured system events. Each takes an `IoxEvent` and returns a typed value,
 * or `null` when the event is not of that kind or its payload does not fit (never throws).
 */
import { LIFECYCLE_VERBS, REGISTRY_INVALIDATING_VERBS, SYSTEM_STATUS_ACTIONS } from './codes';
import { decodeEntities } from './entities';
import { parsePayload } from './payload';
import { PROGRAM_NAMES, readProgram, readVar, VAR_ID_ATTR, VAR_TYPE_ATTR } from './payloadFast';
import type {
  Heartbeat,
  IoxEvent,
  NodeLifecycle,
  ProgramEvaluation,
  ProgramRunState,
  ProgramStatus,
  SystemStatus,
  VariableChange,
  VariableTableChange,
} from './types';

type Obj = Record<string, unknown>;

const has = (o: Obj, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** Text of a child element (entity-decoded), `undefined` when absent or not plain text. */
function text(o: Obj | null | undefined, key: string): string | undefined {
  if (!o || !has(o, key)) return undefined;
  const v = o[key];
  if (typeof v === 'string') return decodeEntities(v);
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const t = (v as Obj)['#text'];
    return typeof t === 'string' ? decodeEntities(t) : '';
  }
  return undefined;
}

function attribute(o: unknown, key: string): string | undefined {
  if (o === null || typeof o !== 'object') return undefined;
  const attrs = (o as Obj)['@'];
  if (attrs === null || typeof attrs !== 'object' || !has(attrs as Obj, key)) return undefined;
  const v = (attrs as Obj)[key];
  return typeof v === 'string' ? decodeEntities(v) : undefined;
}

const INTEGER = /^\s*-?\d+\s*$/;
const DECIMAL = /^\s*-?\d+(?:\.\d+)?\s*$/;

function integer(value: string | undefined): number | undefined {
  return value !== undefined && INTEGER.test(value) ? Number(value) : undefined;
}

function decimal(value: string | undefined): number | undefined {
  return value !== undefined && DECIMAL.test(value) ? Number(value) : undefined;
}

function trimmed(value: string | undefined): string | undefined {
  return value === undefined ? undefined : value.trim();
}

const isTrigger = (e: IoxEvent, action: string): boolean => e.control === '_1' && e.action === action;

// Scratch arrays of the fast payload reader (decoding is synchronous and not re-entrant).
const programFields: (string | undefined)[] = new Array<string | undefined>(PROGRAM_NAMES.length);
const varFields: (string | undefined)[] = new Array<string | undefined>(8);

/** `_1`/`0`: program status. */
export function decodeProgramStatus(e: IoxEvent): ProgramStatus | null {
  if (!isTrigger(e, '0')) return null;
  // The flat payload the controller sends is read by hand; anything else goes to fast-xml-parser.
  const f = programFields;
  if (readProgram(e.eventInfo, f)) {
    return programStatus(
      f[0],
      f[1],
      f[2],
      f[3],
      f[4] !== undefined,
      f[5] !== undefined,
      f[6] !== undefined,
      f[7] !== undefined,
    );
  }
  return programStatusViaParser(e);
}

/** The reference path of `decodeProgramStatus`: fast-xml-parser only (differential tests). */
export function programStatusViaParser(e: IoxEvent): ProgramStatus | null {
  if (!isTrigger(e, '0')) return null;
  const p = parsePayload(e.eventInfo);
  if (!p) return null;
  return programStatus(
    text(p, 'id'),
    text(p, 's'),
    text(p, 'r'),
    text(p, 'f'),
    has(p, 'on'),
    has(p, 'off'),
    has(p, 'rr'),
    has(p, 'nr'),
  );
}

/** Builds the program status from the payload's texts (entity-decoded, untrimmed) and flags. */
function programStatus(
  idText: string | undefined,
  sText: string | undefined,
  rText: string | undefined,
  fText: string | undefined,
  on: boolean,
  off: boolean,
  rr: boolean,
  nr: boolean,
): ProgramStatus | null {
  const id = trimmed(idText);
  if (!id) return null;
  const s = trimmed(sText);
  const statusCode = s !== undefined && /^[0-9a-fA-F]{1,2}$/.test(s) ? parseInt(s, 16) : undefined;
  let runState: ProgramRunState = 'unknown';
  let evaluation: ProgramEvaluation = 'unknown';
  if (statusCode !== undefined) {
    const low = statusCode & 0x0f;
    runState = low === 1 ? 'idle' : low === 2 ? 'then' : low === 3 ? 'else' : 'unknown';
    const high = statusCode & 0xf0;
    evaluation = high === 0x20 ? 'true' : high === 0x30 ? 'false' : high === 0xf0 ? 'notLoaded' : 'unknown';
  }
  return {
    id: id.toUpperCase(),
    statusCode,
    runState,
    evaluation,
    enabled: on ? true : off ? false : undefined,
    runAtReboot: rr ? true : nr ? false : undefined,
    lastRun: trimmed(rText),
    lastFinish: trimmed(fText),
  };
}

/** `_1`/`6` and `_1`/`7`: variable value or init value. */
export function decodeVariable(e: IoxEvent): VariableChange | null {
  if (e.control !== '_1' || (e.action !== '6' && e.action !== '7')) return null;
  const kind = e.action === '6' ? 'value' : 'init';
  const f = varFields;
  if (readVar(e.eventInfo, f)) return variableChange(kind, f[VAR_TYPE_ATTR], f[VAR_ID_ATTR], f[0], f[1], f[2], f[3]);
  return variableViaParser(e);
}

/** The reference path of `decodeVariable`: fast-xml-parser only (differential tests). */
export function variableViaParser(e: IoxEvent): VariableChange | null {
  if (e.control !== '_1' || (e.action !== '6' && e.action !== '7')) return null;
  const kind = e.action === '6' ? 'value' : 'init';
  const p = parsePayload(e.eventInfo);
  const v = p?.var;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const body = v as Obj;
  return variableChange(
    kind,
    attribute(v, 'type'),
    attribute(v, 'id'),
    text(body, 'val'),
    text(body, 'init'),
    text(body, 'prec'),
    text(body, 'ts'),
  );
}

/** Builds the variable change from the payload's texts (entity-decoded, untrimmed). */
function variableChange(
  kind: 'value' | 'init',
  typeText: string | undefined,
  idText: string | undefined,
  valText: string | undefined,
  initText: string | undefined,
  precText: string | undefined,
  tsText: string | undefined,
): VariableChange | null {
  const type = integer(typeText);
  const id = integer(idText);
  if (type === undefined || id === undefined) return null;
  const change: VariableChange = {
    kind,
    type,
    id,
    value: decimal(valText),
    init: decimal(initText),
    prec: integer(precText),
    ts: trimmed(tsText),
  };
  if (change.kind === 'value' ? change.value === undefined : change.init === undefined) return null;
  return change;
}

/** `_1`/`9`: variable table changed, in either wire shape (`<var type=.. id=..>` or `<var><type>..</type><id>..</id></var>`). */
export function decodeVariableTableChange(e: IoxEvent): VariableTableChange | null {
  if (!isTrigger(e, '9')) return null;
  const f = varFields;
  if (readVar(e.eventInfo, f)) {
    return { type: integer(f[VAR_TYPE_ATTR]) ?? integer(f[4]), id: integer(f[VAR_ID_ATTR]) ?? integer(f[5]) };
  }
  return variableTableChangeViaParser(e);
}

/** The reference path of `decodeVariableTableChange`: fast-xml-parser only (differential tests). */
export function variableTableChangeViaParser(e: IoxEvent): VariableTableChange | null {
  if (!isTrigger(e, '9')) return null;
  const p = parsePayload(e.eventInfo);
  const v = p?.var;
  if (v === undefined || v === null || Array.isArray(v)) return {};
  if (typeof v !== 'object') return {};
  const body = v as Obj;
  return {
    type: integer(attribute(v, 'type')) ?? integer(text(body, 'type')),
    id: integer(attribute(v, 'id')) ?? integer(text(body, 'id')),
  };
}

/** `_3`: node lifecycle. */
export function decodeLifecycle(e: IoxEvent): NodeLifecycle | null {
  if (e.control !== '_3') return null;
  const verb = e.action;
  const label = Object.prototype.hasOwnProperty.call(LIFECYCLE_VERBS, verb)
    ? LIFECYCLE_VERBS[verb as keyof typeof LIFECYCLE_VERBS]
    : verb;
  const result: NodeLifecycle = { verb, label, address: e.node, requiresReload: REGISTRY_INVALIDATING_VERBS.has(verb) };
  const p = parsePayload(e.eventInfo);
  if (p) {
    const status = trimmed(text(p, 'status'));
    if (status !== undefined) result.status = status;
    const newName = text(p, 'newName');
    if (newName !== undefined) result.newName = newName;
    if (verb === 'ND' && has(p, 'node')) result.nodeXml = e.eventInfo.trim();
    if (verb === 'EN') {
      const enabled = trimmed(text(p, 'enabled'))?.toLowerCase();
      if (enabled === 'true' || enabled === '1') result.enabled = true;
      else if (enabled === 'false' || enabled === '0') result.enabled = false;
    }
  }
  return result;
}

/** `_5`: system busy status. */
export function decodeSystemStatus(e: IoxEvent): SystemStatus | null {
  if (e.control !== '_5') return null;
  const code = e.action;
  const states = ['notBusy', 'busy', 'idle', 'safeMode'] as const;
  const index = code.length === 1 ? code.charCodeAt(0) - 48 : -1;
  const known = index >= 0 && index <= 3;
  return {
    code,
    state: known ? states[index] : 'unknown',
    label: known ? SYSTEM_STATUS_ACTIONS[code as keyof typeof SYSTEM_STATUS_ACTIONS] : `Unknown status ${code}`,
  };
}

/** `_0`: heartbeat; the action is the longest silence promised, in seconds. */
export function decodeHeartbeat(e: IoxEvent): Heartbeat | null {
  if (e.control !== '_0') return null;
  // Any positive number: controllers send whole seconds (eisy 90, ISY994 120), an accelerated
  // simulator sends fractions. The stream's watchdog reads the promise through this same function.
  const text = e.action.trim();
  const seconds = text === '' ? Number.NaN : Number(text);
  return Number.isFinite(seconds) && seconds > 0 ? { maxSilenceSeconds: seconds } : null;
}
