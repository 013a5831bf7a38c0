/**
 * The shapes the dispatcher hands out. Kept in one module so the parser, the decoders, the
 * mirror and the dispatcher agree on them without importing each other.
 */

/**
 * One `<Event>` frame from the controller, with every envelope field extracted.
 *
 * Text fields are entity-decoded (`&amp;` becomes `&`) but otherwise verbatim: nothing is
 * trimmed and nothing is converted to a number except `seqnum` and `prec`, so `"007"` stays `"007"`.
 */
export interface IoxEvent {
  /** Sequence number within the subscription; restarts at 0 on every new subscription. `-1` when the frame carried none (or not a decimal integer). */
  seqnum: number;
  /** Subscription id (`sid` attribute, entity-decoded), `''` when absent. */
  sid: string;
  /** Controller timestamp as sent (ISO 8601 with offset), `''` when absent. Replayed frames carry historical values. */
  timestamp: string;
  /** Property id (`ST`, `OL`, ...), command (`DON`, ...) or system control (`_0`..`_28`, unknown codes verbatim). */
  control: string;
  /** The action text: a property value, a command argument or a system sub-code. `''` when absent. Entity-decoded (`&amp;` reads `&`). */
  action: string;
  /** Node address such as `1A 2B 3C 1`; `''` for system events or when the element is missing. Entity-decoded. */
  node: string;
  /** Unit of measure id from `<action uom="...">`, entity-decoded; absent when not sent. */
  uom?: string;
  /** Precision from `<action prec="...">` (may be negative); absent when missing or not an integer. */
  prec?: number;
  /** Display value (`<fmtAct>`), e.g. `40%`; entity-decoded, may hold any character (escape it before printing). */
  formattedAction?: string;
  /** Display name of the property (`<fmtName>`), e.g. `On Level`; entity-decoded. */
  formattedName?: string;
  /**
   * The inner XML of `<eventInfo>`, `''` when empty: markup, entity references and CDATA markers as
   * sent, except that a stray `&` the controller sent unescaped (real `_7` frames carry query strings
   * such as `NUM.107=24&VAL.111=1`) appears as `&amp;`, so the text is always well-formed XML. Read
   * it with an XML parser; for the text itself use `eventInfoText`.
   */
  eventInfo: string;
  /**
   * The character data of `<eventInfo>`: what the controller meant as text, entities decoded, CDATA
   * contents included, element tags left out (`NUM.107=24&VAL.111=1` for the `_7` payload above;
   * `8D21` for `<id>8D</id><s>21</s>`). `''` when empty.
   */
  eventInfoText: string;
  /** `control` starts with `_`: a controller/system event rather than a node event. */
  isSystem: boolean;
  /** A non-system event addressed to a node: a property update (`ST`, `OL`, ...) or a node command (`DON`, ...). */
  isProperty: boolean;
}

/** Passed with every delivery. */
export interface DeliveryInfo {
  /** `true` when the frame arrived during the connect-time status replay (not a live change). */
  replay: boolean;
  /** The parsed frame the decoded value came from. */
  event: IoxEvent;
}

/** A node property update or node command (`isProperty` events), as delivered by `onProperty`. */
export interface PropertyChange {
  /** Node address. */
  node: string;
  /** Property id or command (`ST`, `OL`, `DON`, ...). */
  control: string;
  /** `command` for known node commands (`DON`, `DOF`, `FDUP`, ...), `status` for everything else. */
  kind: 'status' | 'command';
  /** The raw action string. */
  value: string;
  /** Unit of measure id: as sent, or the last one sent for this property when this update has none or `uom=""` (see `PropertyState.uom`). */
  uom?: string;
  /** Precision: as sent, or kept like `uom`. */
  prec?: number;
  /** Display value of this value (`fmtAct`), when sent. */
  formatted?: string;
  /** Display name of the property (`fmtName`): as sent, or kept like `uom`. */
  name?: string;
  /** The mirror's previous value for this (node, control), `undefined` when none was known. */
  previous?: string;
}

/** Run state: the low nibble of the program status byte `<s>`. */
export type ProgramRunState = 'idle' | 'then' | 'else' | 'unknown';
/** Last evaluation result: the high nibble of the program status byte `<s>`. */
export type ProgramEvaluation = 'unknown' | 'true' | 'false' | 'notLoaded';

/** `_1` action `0`: a program's status changed. */
export interface ProgramStatus {
  /** Program id as sent (hex, e.g. `8D`), upper-cased. */
  id: string;
  /** The status byte as a number (`<s>` is hex), `undefined` when missing or not hex. */
  statusCode?: number;
  /** Low nibble of `<s>`: 1 idle, 2 running THEN, 3 running ELSE. */
  runState: ProgramRunState;
  /** High nibble of `<s>`: 0x10 unknown, 0x20 true, 0x30 false, 0xF0 not loaded / errored. */
  evaluation: ProgramEvaluation;
  /** `<on/>` → true, `<off/>` → false, absent → undefined. */
  enabled?: boolean;
  /** `<rr/>` → true, `<nr/>` → false, absent → undefined. */
  runAtReboot?: boolean;
  /** Last run time as sent by the controller (`YYMMDD HH:MM:SS`, controller local time), trimmed. */
  lastRun?: string;
  /** Last finish time, same format as `lastRun`. */
  lastFinish?: string;
}

/**
 * Variable kind as the controller numbers it: `1` integer, `2` state. Typed as `number` because a
 * future firmware's kind is passed through, not rejected.
 */
export type VariableType = number;

/** `_1` actions `6` (value) and `7` (init value): a variable changed. */
export interface VariableChange {
  /** `value` for action 6, `init` for action 7. */
  kind: 'value' | 'init';
  /** 1 integer, 2 state (other numbers pass through). */
  type: VariableType;
  /** Variable id within its type. */
  id: number;
  /** `<val>` as a number (the integer on the wire; see `prec`), for action 6. */
  value?: number;
  /** `<init>` as a number, for action 7. */
  init?: number;
  /** `<prec>`: number of decimal places the controller displays. */
  prec?: number;
  /** `<ts>` as sent (`YYYYMMDD HH:MM:SS`), trimmed. */
  ts?: string;
}

/** `_1` action `9`: the variable definitions of one type changed; reload them. */
export interface VariableTableChange {
  /** 1 integer, 2 state; `undefined` when the frame named none. */
  type?: VariableType;
  /** Id named by the frame (`0` in the element form), when any. */
  id?: number;
}

/** `_3`: node lifecycle. */
export interface NodeLifecycle {
  /** The verb (`ND`, `NR`, `WH`, ...), verbatim. */
  verb: string;
  /** Readable label for the verb (the verb itself when unknown). */
  label: string;
  /** Node (or folder/scene) address. */
  address: string;
  /** The verb invalidates a cached node registry (nodes, scenes, folders or their names/links changed). */
  requiresReload: boolean;
  /** For `ND`: the `<node>` XML describing the added node. */
  nodeXml?: string;
  /** For `EN`: the new enabled flag. */
  enabled?: boolean;
  /** `<status>` when present (e.g. `WH`/`WD` pending / in progress). */
  status?: string;
  /** For `NN` and similar: `<newName>` when present. */
  newName?: string;
}

/** `_5`: controller busy state. */
export interface SystemStatus {
  /** Action code verbatim. */
  code: string;
  /** `notBusy` (0), `busy` (1), `idle` (2), `safeMode` (3), `unknown` otherwise. */
  state: 'notBusy' | 'busy' | 'idle' | 'safeMode' | 'unknown';
  /** Readable label. */
  label: string;
}

/** `_0`: heartbeat. */
export interface Heartbeat {
  /** The longest silence (seconds) the controller promises before the next heartbeat (eisy 90, ISY994 120). */
  maxSilenceSeconds: number;
}

/** A sequence-number discontinuity within one subscription. */
export interface SequenceGap {
  /** Subscription id. */
  sid: string;
  /** The seqnum that should have come next. */
  expected: number;
  /** The seqnum that came. */
  received: number;
  /** `gap` when frames were skipped, `backwards` on a step back or repeat. */
  kind: 'gap' | 'backwards';
  /** Frames missed for a `gap` (`received - expected`), 0 for `backwards`. */
  missed: number;
}
