/**
 * `parseEventFrame`: raw frame in, `IoxEvent` or `null` out, never an exception.
 *
 * Three tiers, fastest first, each of which may only decline, never reject: a regular expression
 * for the canonical envelope (`fastpath.ts`), the general envelope scanner (`scanner.ts`), and
 * fast-xml-parser with its validator (`xmlFallback.ts`), which alone decides to drop a frame.
 * Before the last two, the JSON envelope is unwrapped and stray `&` are escaped (real `_7` frames
 * carry unescaped query strings). All tiers see the same repaired text, so they must produce the
 * same event (the differential tests).
 */
import { repairStrayAmpersands } from './entities';
import { unwrapFrame, type DropReason } from './envelope';
import { fastParseJson, fastParseXml } from './fastpath';
import { BAIL, scanEventXml } from './scanner';
import type { IoxEvent } from './types';
import { parseWithFastXmlParser } from './xmlFallback';

/** Detailed result used by the dispatcher for its counters. */
export interface FrameParse {
  /** The event, or `null` when the frame was dropped. */
  event: IoxEvent | null;
  /** Why the frame was dropped (only when `event` is `null`). */
  drop?: DropReason;
  /** A stray `&` had to be escaped. */
  repaired: boolean;
  /** The fast scanner declined and fast-xml-parser handled the frame. */
  usedFallback: boolean;
}

/** Unwraps and repairs a frame, returning the XML both parse paths work on. */
export function prepareXml(raw: string): { xml: string; repaired: boolean } | { drop: DropReason } {
  const unwrapped = unwrapFrame(raw);
  if ('drop' in unwrapped) return unwrapped;
  let xml = unwrapped.xml;
  // Leading whitespace would put the XML declaration out of place; trailing is harmless.
  if (xml.charCodeAt(0) <= 32) xml = xml.trimStart();
  if (xml.length === 0) return { drop: 'empty' };
  const repairedXml = xml.indexOf('&') === -1 ? xml : repairStrayAmpersands(xml);
  return { xml: repairedXml, repaired: repairedXml !== xml };
}

/** Parses a frame and reports how. Never throws. */
export function parseFrame(raw: unknown): FrameParse {
  const event = parseFrameQuick(raw);
  if (event !== null) return { event, repaired: lastParse.repaired, usedFallback: lastParse.usedFallback };
  return { event: null, drop: lastParse.drop, repaired: lastParse.repaired, usedFallback: lastParse.usedFallback };
}

/**
 * How the last `parseFrameQuick` went. The parse is synchronous and not re-entrant, so a module
 * object read right after the call spares the hot path a result object per frame.
 */
export const lastParse: { drop: DropReason | undefined; repaired: boolean; usedFallback: boolean } = {
  drop: undefined,
  repaired: false,
  usedFallback: false,
};

function done(
  event: IoxEvent | null,
  drop: DropReason | undefined,
  repaired: boolean,
  usedFallback: boolean,
): IoxEvent | null {
  lastParse.drop = drop;
  lastParse.repaired = repaired;
  lastParse.usedFallback = usedFallback;
  return event;
}

/** `parseFrame` without the result object: the event or `null`; the details are in `lastParse`. Never throws. */
export function parseFrameQuick(raw: unknown): IoxEvent | null {
  if (typeof raw !== 'string') return done(null, 'not-string', false, false);
  try {
    // Tier 1: the canonical envelope, recognised in one regular-expression pass.
    const first = raw.charCodeAt(0);
    if (first === 123 /* { */) {
      const fast = fastParseJson(raw);
      if (fast !== null) return done(fast, undefined, false, false);
    }
    let xml: string;
    let repaired = false;
    if (first === 60 /* < */ && raw.indexOf('&') === -1) {
      // Raw XML with nothing to repair (the common case): prepareXml would hand back `raw` itself.
      xml = raw;
    } else {
      const prepared = prepareXml(raw);
      if ('drop' in prepared) return done(null, prepared.drop, false, false);
      xml = prepared.xml;
      repaired = prepared.repaired;
    }
    const fast = fastParseXml(xml);
    if (fast !== null) return done(fast, undefined, repaired, false);
    // Tier 2: the general scanner; tier 3: fast-xml-parser.
    const scanned = scanEventXml(xml);
    if (scanned !== BAIL) return done(scanned, undefined, repaired, false);
    const outcome = parseWithFastXmlParser(xml);
    if ('drop' in outcome) return done(null, outcome.drop, repaired, true);
    return done(outcome.event, undefined, repaired, true);
  } catch {
    // Defensive: nothing above is expected to throw, but a frame must never take the stream down.
    return done(null, 'malformed', false, true);
  }
}

/**
 * Parses one raw frame: raw XML or the JSON envelope `{"type":"event","data":"<?xml ...>"}`.
 *
 * Returns `null` (never throws) for empty frames, non-event envelopes (`spolisy`, ...), envelopes
 * whose `data` is not a string, non-`<Event>` roots, events without a `<control>`, and XML that is
 * still malformed after stray `&` were escaped.
 */
export function parseEventFrame(raw: string): IoxEvent | null {
  return parseFrame(raw).event;
}

/** The reference path alone (fast-xml-parser, no scanner), for differential tests and the benchmark. */
export function parseEventFrameWithFallback(raw: string): IoxEvent | null {
  if (typeof raw !== 'string') return null;
  const prepared = prepareXml(raw);
  if ('drop' in prepared) return null;
  const outcome = parseWithFastXmlParser(prepared.xml);
  return 'event' in outcome ? outcome.event : null;
}
