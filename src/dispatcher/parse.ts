/**
 * `parseEventFrame`: raw frame in, `IoxEvent` or `null` out, never an exception.
 *
 * Order of work: unwrap the JSON envelope (if any), escape stray `&` (real `_7` frames carry
 * unescaped query strings), then the fast scanner; whenever the scanner declines, fast-xml-parser
 * decides. Both paths see the same repaired text, so they must agree (the differential test).
 */
import { repairStrayAmpersands } from './entities';
import { unwrapFrame, type DropReason } from './envelope';
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
  if (typeof raw !== 'string') return { event: null, drop: 'not-string', repaired: false, usedFallback: false };
  try {
    const prepared = prepareXml(raw);
    if ('drop' in prepared) return { event: null, drop: prepared.drop, repaired: false, usedFallback: false };
    const scanned = scanEventXml(prepared.xml);
    if (scanned !== BAIL) return { event: scanned, repaired: prepared.repaired, usedFallback: false };
    const outcome = parseWithFastXmlParser(prepared.xml);
    if ('drop' in outcome) return { event: null, drop: outcome.drop, repaired: prepared.repaired, usedFallback: true };
    return { event: outcome.event, repaired: prepared.repaired, usedFallback: true };
  } catch {
    // Defensive: nothing above is expected to throw, but a frame must never take the stream down.
    return { event: null, drop: 'malformed', repaired: false, usedFallback: true };
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
