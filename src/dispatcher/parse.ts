/**
 * The frame path, top to bottom. Raw frame in, `IoxEvent` or {@link Dropped} out, never an exception:
 *
 * 1. the canonical JSON envelope, read in place by one regular expression (`fastParseJson`);
 * 2. unwrap: the XML the frame carries (`unwrapFrame`), stray `&` escaped (real `_7` frames carry
 *    unescaped query strings);
 * 3. the first tier that yields an event: the canonical XML envelope by regular expression
 *    (`fastParseXml`), then the general envelope scanner (`scanEventXml`), then fast-xml-parser
 *    with its validator (`parseWithFastXmlParser`), which alone may drop a frame.
 *
 * Each tier is a pure function of the text that returns an event or `null` to pass. All tiers see
 * the same repaired text, so they must produce the same event (the differential tests).
 */
import { repairStrayAmpersands } from './entities';
import { Dropped, unwrapFrame, type DropReason } from './envelope';
import { fastParseJson, fastParseXml } from './fastpath';
import { scanEventXml } from './scanner';
import type { IoxEvent } from './types';
import { parseWithFastXmlParser } from './xmlFallback';

/** What the pipeline counts for its caller; the dispatcher passes its own stats. */
export interface ParseTally {
  /** Frames that yielded an event only after stray `&` were escaped. */
  repaired: number;
  /** Frames the fast tiers passed on, so fast-xml-parser decided. */
  fallbacks: number;
}

/** Reads one frame: its event, or why there is none. Counts repairs and fallbacks into `tally`. Never throws. */
export function readFrame(raw: unknown, tally?: ParseTally): IoxEvent | Dropped {
  if (typeof raw !== 'string') return Dropped.of['not-string'];
  try {
    const inPlace = fastParseJson(raw);
    if (inPlace !== null) return inPlace;
    const unwrapped = unwrapFrame(raw);
    if (unwrapped instanceof Dropped) return unwrapped;
    const xml = repairStrayAmpersands(unwrapped);
    const event = fastParseXml(xml) ?? scanEventXml(xml) ?? fallback(xml, tally);
    if (tally !== undefined && xml !== unwrapped && !(event instanceof Dropped)) tally.repaired++;
    return event;
  } catch {
    // Defensive: nothing above is expected to throw, but a frame must never take the stream down.
    return Dropped.of.malformed;
  }
}

/** The last tier: fast-xml-parser decides, and may drop. */
function fallback(xml: string, tally: ParseTally | undefined): IoxEvent | Dropped {
  if (tally !== undefined) tally.fallbacks++;
  return parseWithFastXmlParser(xml);
}

/** How one frame went, for tests and tools (the dispatcher uses `readFrame` and its counters). */
export interface FrameParse {
  /** The event, or `null` when the frame was dropped. */
  event: IoxEvent | null;
  /** Why the frame was dropped (only when `event` is `null`). */
  drop?: DropReason;
  /** The frame parsed only after a stray `&` was escaped. */
  repaired: boolean;
  /** The fast tiers passed the frame on and fast-xml-parser decided. */
  usedFallback: boolean;
}

/** Parses a frame and reports how. Never throws. */
export function parseFrame(raw: unknown): FrameParse {
  const tally: ParseTally = { repaired: 0, fallbacks: 0 };
  const result = readFrame(raw, tally);
  const repaired = tally.repaired > 0;
  const usedFallback = tally.fallbacks > 0;
  if (result instanceof Dropped) return { event: null, drop: result.drop, repaired, usedFallback };
  return { event: result, repaired, usedFallback };
}

/**
 * Parses one raw frame: raw XML or the JSON envelope `{"type":"event","data":"<?xml ...>"}`.
 *
 * Returns `null` (never throws) for empty frames, non-event envelopes (`spolisy`, ...), envelopes
 * whose `data` is not a string, non-`<Event>` roots, events without a `<control>`, and XML that is
 * still malformed after stray `&` were escaped.
 */
export function parseEventFrame(raw: string): IoxEvent | null {
  const result = readFrame(raw);
  return result instanceof Dropped ? null : result;
}

/** Unwraps and repairs a frame: the XML every tier reads (for differential tests). */
export function prepareXml(raw: string): { xml: string; repaired: boolean } | { drop: DropReason } {
  const unwrapped = unwrapFrame(raw);
  if (unwrapped instanceof Dropped) return { drop: unwrapped.drop };
  const xml = repairStrayAmpersands(unwrapped);
  return { xml, repaired: xml !== unwrapped };
}

/** The reference path alone (fast-xml-parser, no fast tier), for differential tests and the benchmark. */
export function parseEventFrameWithFallback(raw: string): IoxEvent | null {
  if (typeof raw !== 'string') return null;
  const prepared = prepareXml(raw);
  if ('drop' in prepared) return null;
  const outcome = parseWithFastXmlParser(prepared.xml);
  return outcome instanceof Dropped ? null : outcome;
}
