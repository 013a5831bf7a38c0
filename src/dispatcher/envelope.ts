/**
 * Unwrapping the modern path's JSON envelope `{"type":"event","data":"<?xml ...?><Event ...>"}`.
 *
 * The controller always writes the same compact prefix, and the XML inside only ever needs `\"`
 * unescaped, so the common case is a prefix check and one `replaceAll`. Anything else (other key
 * order, other escapes, stray quotes, control characters) goes through `JSON.parse`, which is the
 * reference behaviour the fast path must match.
 */

/** Why a frame did not yield an event. Used as the key of `stats.dropped`. */
export type DropReason =
  | 'not-string'
  | 'empty'
  | 'bad-envelope'
  | 'not-event'
  | 'not-event-root'
  | 'no-control'
  | 'malformed';

/** The XML text inside a frame, or why there is none. */
export type Unwrapped = { xml: string } | { drop: DropReason };

const PREFIX = '{"type":"event","data":"';
const SUFFIX = '"}';
/** Anything the fast path cannot reproduce exactly: an unescaped quote, a control char, an escape other than `\"`. */
const NEEDS_JSON_PARSE = /(?<!\\)"|[\u0000-\u001f]|\\[^"]|\\$/;

/** Returns the XML carried by a raw frame (XML passes through; a JSON envelope is unwrapped). */
export function unwrapFrame(raw: string): Unwrapped {
  let start = 0;
  // Skip leading whitespace cheaply; a frame is rarely padded.
  while (start < raw.length && raw.charCodeAt(start) <= 32) start++;
  if (start === raw.length) return { drop: 'empty' };
  if (raw.charCodeAt(start) !== 123 /* { */) return { xml: start === 0 ? raw : raw.slice(start) };
  if (start === 0 && raw.startsWith(PREFIX) && raw.endsWith(SUFFIX) && raw.length >= PREFIX.length + SUFFIX.length) {
    const inner = raw.slice(PREFIX.length, raw.length - SUFFIX.length);
    if (!NEEDS_JSON_PARSE.test(inner)) return withContent(inner.replaceAll('\\"', '"'));
  }
  return unwrapWithJsonParse(raw);
}

/** The reference path: `JSON.parse` and structural checks. Exported for the differential test. */
export function unwrapWithJsonParse(raw: string): Unwrapped {
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
