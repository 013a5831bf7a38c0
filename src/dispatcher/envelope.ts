/**
 * Unwrapping a frame to the XML it carries (the modern path's JSON envelope
 * `{"type":"event","data":"<?xml ...?><Event ...>"}`, or raw XML), and the reasons a frame can be
 * dropped.
 */

/** Why a frame did not yield an event. Used as the key of `stats.dropped`. */
export type DropReason =
  'not-string' | 'empty' | 'bad-envelope' | 'not-event' | 'not-event-root' | 'no-control' | 'malformed';

/** A frame that yields no event, and why. One shared instance per reason: dropping allocates nothing. */
export class Dropped {
  private constructor(readonly drop: DropReason) {
    Object.freeze(this);
  }

  /** The instance for each reason. */
  static readonly of: Readonly<Record<DropReason, Dropped>> = Object.freeze({
    'not-string': new Dropped('not-string'),
    empty: new Dropped('empty'),
    'bad-envelope': new Dropped('bad-envelope'),
    'not-event': new Dropped('not-event'),
    'not-event-root': new Dropped('not-event-root'),
    'no-control': new Dropped('no-control'),
    malformed: new Dropped('malformed'),
  });
}

/**
 * The XML text a raw frame carries, without leading whitespace and never empty, or why there is
 * none. Raw XML passes through (the same string when it starts with `<`); a JSON envelope is
 * unwrapped with `JSON.parse` (canonical envelopes usually never get here: the first tier reads
 * them in place).
 */
export function unwrapFrame(raw: string): string | Dropped {
  let start = 0;
  while (start < raw.length && raw.charCodeAt(start) <= 32) start++;
  if (start === raw.length) return Dropped.of.empty;
  const xml = raw.charCodeAt(start) === 123 /* { */ ? unwrapJson(raw) : raw;
  if (typeof xml !== 'string') return xml;
  // Leading whitespace would put the XML declaration out of place; trailing is harmless.
  const text = xml.charCodeAt(0) <= 32 ? xml.trimStart() : xml;
  return text.length === 0 ? Dropped.of.empty : text;
}

/** `JSON.parse` and structural checks: `{"type":"event","data":"<xml>"}` and nothing else. */
function unwrapJson(raw: string): string | Dropped {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return Dropped.of['bad-envelope'];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return Dropped.of['bad-envelope'];
  const envelope = parsed as { type?: unknown; data?: unknown };
  if (envelope.type !== 'event') return Dropped.of['not-event'];
  if (typeof envelope.data !== 'string') return Dropped.of['bad-envelope'];
  return envelope.data.trim() === '' ? Dropped.of.empty : envelope.data;
}
