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

/**
 * Assembles the event. Every property is always present (optional ones as `undefined`) so all
 * events share one object shape, which keeps property access monomorphic on the hot path.
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
    eventInfoText: info === '' ? '' : characterData(info),
    isSystem,
    isProperty: !isSystem && nodeText.length > 0,
  };
}
