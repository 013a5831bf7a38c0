/**
 * The bridge's topic contract (issue #16), as pure functions: topic names and payloads from the
 * mirror's entries. Nothing here touches a broker.
 *
 * | topic                               | retained | payload                                                   |
 * | ----------------------------------- | -------- | --------------------------------------------------------- |
 * | `<base>/availability`               | yes      | `online` while the stream is CONNECTED, else `offline`    |
 * | `<base>/status`                     | yes      | the stream status (`SYNCING`, `CONNECTED`, `LOST`, ...)   |
 * | `<base>/node/<ADDR>/<CONTROL>`      | yes      | `{"value","formatted"?,"uom"?,"prec"?,"name"?,"time"}`    |
 * | `<base>/program/<id>`               | yes      | the decoded program status plus `"time"`                  |
 * | `<base>/variable/<type>/<id>`       | yes      | `{"value","init"?,"prec"?,"time"}`                        |
 * | `<base>/event`                      | no       | every live event (never a replayed one)                   |
 */
import type { PropertyState, ProgramState, VariableState } from '../dispatcher/mirror';

/** Payload of `<base>/availability` while the stream is CONNECTED. */
export const ONLINE = 'online';
/** Payload of `<base>/availability` otherwise, and of the last will. */
export const OFFLINE = 'offline';

/** MQTT's limit on a topic name: a UTF-8 string of at most 65535 bytes (MQTT 3.1.1 §1.5.3). */
export const MAX_TOPIC_BYTES = 65535;

/**
 * One topic level from controller text: spaces become `_` (`1A 2B 3C 1` → `1A_2B_3C_1`, the
 * contract), and so do the characters a topic level cannot carry: `/` (a level separator), the
 * wildcards `+` and `#` (not allowed in a published topic), and control characters (NUL is
 * forbidden in MQTT strings). An empty level becomes `_`.
 */
export function topicLevel(text: string): string {
  // eslint-disable-next-line no-control-regex
  const level = text.replace(/[\s/+#\u0000-\u001f\u007f]/g, '_');
  return level === '' ? '_' : level;
}

/**
 * Checks and normalises a base topic: no wildcard, no empty level, no leading `$` (reserved for
 * broker topics such as `$SYS`), trailing `/` dropped.
 *
 * @throws TypeError when the base cannot name published topics.
 */
export function normalizeBaseTopic(base: unknown): string {
  if (typeof base !== 'string' || base.trim() === '')
    throw new TypeError('mqtt bridge: baseTopic must be a non-empty string');
  const trimmed = base.replace(/\/+$/, '');
  if (/[+#]/.test(trimmed) || trimmed.includes(String.fromCharCode(0)))
    throw new TypeError('mqtt bridge: baseTopic must not contain +, # or NUL');
  if (trimmed.startsWith('$'))
    throw new TypeError('mqtt bridge: baseTopic must not start with $ (reserved for the broker)');
  if (trimmed.split('/').some((level) => level === ''))
    throw new TypeError('mqtt bridge: baseTopic must not contain an empty level (//)');
  return trimmed;
}

/** Topic names under one base. */
export interface Topics {
  /** `BASE/availability`: `online` while CONNECTED, else `offline` (retained by default; the last will says `offline`). */
  readonly availability: string;
  /** `BASE/status`: the stream's status (retained by default). */
  readonly status: string;
  /** `BASE/event`: every event as JSON (not retained). */
  readonly event: string;
  /** `BASE/node/ADDRESS/CONTROL`: one property's state (retained by default); each level escaped by `topicLevel`. */
  node(address: string, control: string): string;
  /** `BASE/program/ID`: one program's status (retained by default). */
  program(id: string): string;
  /** `BASE/variable/TYPE/ID`: one variable's value (retained by default). */
  variable(type: number, id: number): string;
}

/** The topic names of the contract under `base` (already normalised). */
export function topicsFor(base: string): Topics {
  return {
    availability: `${base}/availability`,
    status: `${base}/status`,
    event: `${base}/event`,
    node: (address, control) => `${base}/node/${topicLevel(address)}/${topicLevel(control)}`,
    program: (id) => `${base}/program/${topicLevel(id)}`,
    variable: (type, id) => `${base}/variable/${type}/${id}`,
  };
}

/**
 * A state payload in two parts: `content` (what the value is, compared to decide whether the
 * broker already holds it) and `payload` (`content` plus the `time` it was first seen).
 */
export interface StatePayload {
  /** The value as JSON, without time: equal content means nothing to publish. */
  readonly content: string;
  /** `content` with `"time"` added: what is published. */
  readonly payload: string;
}

/** Appends `"time"` (ISO 8601, UTC) to a JSON object text. */
function withTime(content: string, time: number): string {
  const iso = new Date(time).toISOString();
  return content === '{}' ? `{"time":"${iso}"}` : `${content.slice(0, -1)},"time":"${iso}"}`;
}

/** `<base>/node/<ADDR>/<CONTROL>`: the raw action string as `value` (not converted: no precision is lost). */
export function nodeContent(state: PropertyState): string {
  return JSON.stringify({
    value: state.value,
    formatted: state.formatted,
    uom: state.uom,
    prec: state.prec,
    name: state.name,
  });
}

/** `<base>/program/<id>`: the decoded program status, without the mirror's receive time. */
export function programContent(state: ProgramState): string {
  return JSON.stringify({
    id: state.id,
    statusCode: state.statusCode,
    runState: state.runState,
    evaluation: state.evaluation,
    enabled: state.enabled,
    runAtReboot: state.runAtReboot,
    lastRun: state.lastRun,
    lastFinish: state.lastFinish,
  });
}

/** `<base>/variable/<type>/<id>`: value, init value and precision. */
export function variableContent(state: VariableState): string {
  return JSON.stringify({ value: state.value, init: state.init, prec: state.prec });
}

/** Content plus the time (epoch ms) the content was first seen. */
export function statePayload(content: string, time: number): StatePayload {
  return { content, payload: withTime(content, time) };
}
