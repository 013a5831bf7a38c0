/**
 * Unwrapping the modern path's JSON envelope `{"type":"event","data":"<?xml ...?><Event ...>"}`,
 * and the reasons a frame can be dropped.
 */

/** Why a frame did not yield an event. Used as the key of `stats.dropped`. */
export type DropReason =
  'not-string' | 'empty' | 'bad-envelope' | 'not-event' | 'not-event-root' | 'no-control' | 'malformed';

/** The XML text inside a frame, or why there is none. */
export type Unwrapped = { xml: string } | { drop: DropReason };

/**
 * Returns the XML carried by a raw frame: XML passes through, a JSON envelope is unwrapped with
 * `JSON.parse` (canonical envelopes never get here: the regex tier reads them in place).
 */
export function unwrapFrame(raw: string): Unwrapped {
  let start = 0;
  while (start < raw.length && raw.charCodeAt(start) <= 32) start++;
  if (start === raw.length) return { drop: 'empty' };
  if (raw.charCodeAt(start) !== 123 /* { */) return { xml: raw };
  return unwrapJson(raw);
}

/** `JSON.parse` and structural checks: `{"type":"event","data":"<xml>"}` and nothing else. */
function unwrapJson(raw: string): Unwrapped {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { drop: 'bad-envelope' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { drop: 'bad-envelope' };
  const envelope = parsed as { type?: unknown; data?: unknown };
  if (envelope.type !== 'event') return { drop: 'not-event' };
  if (typeof envelope.data !== 'string') return { drop: 'bad-envelope' };
  return withContent(envelope.data);
}

function withContent(xml: string): Unwrapped {
  return xml.trim() === '' ? { drop: 'empty' } : { xml };
}
