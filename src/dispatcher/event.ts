/**
 * Building an `IoxEvent` from already-extracted, already-decoded field strings. Both parse paths
 * (the fast scanner and the fast-xml-parser fallback) end here, so number conversion and
 * classification are defined once.
 */
import { characterData } from './entities';
import type { IoxEvent } from './types';

/** Decimal integer that fits a double exactly; anything else is not a usable sequence number. */
export function parseSeqnum(text: string | undefined): number {
  if (text === undefined || text.length === 0 || text.length > 15) return -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  return Number(text);
}

/** `prec` may be negative on the wire; anything that is not an integer is dropped. */
export function parsePrec(text: string | undefined): number | undefined {
  if (text === undefined || text.length === 0 || text.length > 9) return undefined;
  let i = text.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (i === text.length) return undefined;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(text);
}

/** Stores the text as a plain data property, ending the lazy accessor; false when the event is frozen or sealed. */
function keepEventInfoText(event: IoxEvent, text: string): boolean {
  return Reflect.defineProperty(event, 'eventInfoText', {
    value: text,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

function readEventInfoText(this: IoxEvent): string {
  const text = characterData(this.eventInfo);
  keepEventInfoText(this, text);
  return text;
}

function writeEventInfoText(this: IoxEvent, text: string): void {
  if (!keepEventInfoText(this, text)) throw new TypeError("Cannot assign to read only property 'eventInfoText'");
}

/**
 * `eventInfoText` of an event whose `eventInfo` holds markup or references: decoded on first read
 * and then kept as a data property. Decoding every such event (27 of the 502 captured) cost
 * `parseEventFrame` about 8% of its throughput, and most consumers never read the field. An own
 * enumerable accessor, not a prototype getter, so spread, `Object.assign`, `JSON.stringify` (the
 * MQTT bridge's `<base>/event` payload) and `structuredClone` copy the text like any other field.
 * One shared getter/setter pair, so these events share one shape; the setter keeps the field
 * assignable. `console.log` shows `[Getter/Setter]` until the first read.
 */
const LAZY_EVENT_INFO_TEXT: PropertyDescriptor = {
  get: readEventInfoText,
  set: writeEventInfoText,
  enumerable: true,
  configurable: true,
};

/**
 * Assembles the event. Every property is always present (optional ones as `undefined`) so all
 * events share one object shape, which keeps property access monomorphic on the hot path; the few
 * whose `eventInfo` needs decoding have a second shape (`eventInfoText` an accessor, see above).
 */
export function makeEvent(
  seqnum: string | undefined,
  sid: string | undefined,
  timestamp: string | undefined,
  control: string,
  action: string | undefined,
  node: string | undefined,
  uom: string | undefined,
  prec: string | undefined,
  formattedAction: string | undefined,
  formattedName: string | undefined,
  eventInfo: string | undefined,
): IoxEvent {
  const isSystem = control.charCodeAt(0) === 95; /* _ */
  const nodeText = node ?? '';
  const info = eventInfo ?? '';
  const isProperty = !isSystem && nodeText.length > 0;
  if (info.indexOf('<') === -1 && info.indexOf('&') === -1) {
    // No markup, no references (most events: `eventInfo` is ''): the text is `eventInfo` itself.
    return {
      seqnum: parseSeqnum(seqnum),
      sid: sid ?? '',
      timestamp: timestamp ?? '',
      control,
      action: action ?? '',
      node: nodeText,
      uom,
      prec: parsePrec(prec),
      formattedAction,
      formattedName,
      eventInfo: info,
      eventInfoText: info,
      isSystem,
      isProperty,
    };
  }
  // The same fields in the same order (JSON.stringify and Object.keys read alike). A literal of
  // its own, not a shared helper: each literal site is one shape, sized to hold its fields.
  const event = {
    seqnum: parseSeqnum(seqnum),
    sid: sid ?? '',
    timestamp: timestamp ?? '',
    control,
    action: action ?? '',
    node: nodeText,
    uom,
    prec: parsePrec(prec),
    formattedAction,
    formattedName,
    eventInfo: info,
  } as IoxEvent;
  Object.defineProperty(event, 'eventInfoText', LAZY_EVENT_INFO_TEXT);
  event.isSystem = isSystem;
  event.isProperty = isProperty;
  return event;
}
