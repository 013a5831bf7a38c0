/**
 * Rendering (and minimal parsing) of `<Event>` frames in the exact byte layout of a real eisy:
 * `<?xml version="1.0" encoding="UTF-8"?><Event seqnum=".." sid=".." timestamp=".."><control>..`
 * `</control><action uom=".." prec="..">..</action><node>..</node><eventInfo>..</eventInfo>`
 * `<fmtAct>..</fmtAct><fmtName>..</fmtName></Event>` — no whitespace, attributes in this order.
 */

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** The parts of one `<Event>`; `eventInfo` is inner XML and is written verbatim. */
export interface EventParts {
  /** `<control>`: a property (`ST`), a command (`DON`) or a system control (`_1`). */
  control: string;
  /** `<action>` text. */
  action: string;
  /** `uom` attribute of `<action>`. */
  uom?: string;
  /** `prec` attribute of `<action>`. */
  prec?: string;
  /** Node address, empty for system events. */
  node?: string;
  /** Inner XML of `<eventInfo>`, written verbatim. */
  eventInfo?: string;
  /** `<fmtAct>`: the value as the controller displays it. */
  fmtAct?: string;
  /** `<fmtName>`: the property's display name. */
  fmtName?: string;
}

/** Header attributes that change per subscription and per frame. */
export interface EventHeader {
  seqnum: number;
  sid: string;
  timestamp: string;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export function renderEvent(header: EventHeader, parts: EventParts): string {
  let actionAttrs = '';
  if (parts.uom !== undefined) actionAttrs += ` uom="${escapeXml(parts.uom)}"`;
  if (parts.prec !== undefined) actionAttrs += ` prec="${escapeXml(parts.prec)}"`;
  let xml =
    `${XML_DECLARATION}<Event seqnum="${header.seqnum}" sid="${escapeXml(header.sid)}"${header.timestamp === '' ? '' : ` timestamp="${header.timestamp}"`}>` +
    `<control>${escapeXml(parts.control)}</control><action${actionAttrs}>${escapeXml(parts.action)}</action>` +
    `<node>${escapeXml(parts.node ?? '')}</node><eventInfo>${parts.eventInfo ?? ''}</eventInfo>`;
  if (parts.fmtAct !== undefined) xml += `<fmtAct>${escapeXml(parts.fmtAct)}</fmtAct>`;
  if (parts.fmtName !== undefined) xml += `<fmtName>${escapeXml(parts.fmtName)}</fmtName>`;
  return `${xml}</Event>`;
}

/** The JSON envelope of the modern `/api/events/subscribe` path. */
export function wrapEnvelope(xml: string): string {
  return JSON.stringify({ type: 'event', data: xml });
}

/** Replace `seqnum` and `sid` of a captured frame (the rest stays byte-identical). */
export function rewriteHeader(xml: string, seqnum: number, sid: string): string {
  return xml.replace(/<Event seqnum="[^"]*" sid="[^"]*"/, `<Event seqnum="${seqnum}" sid="${escapeXml(sid)}"`);
}

/**
 * The fields of a captured frame, found by pattern (enough for well-formed eisy frames).
 *
 * Deliberately not the dispatcher's `parseEventFrame`: `truth()` built from a capture is what
 * tests compare a client's mirror against, so it must come from an independent reading of the
 * frames, or a parser bug would agree with itself.
 */
export interface ParsedEvent extends EventParts {
  seqnum?: number;
  sid?: string;
  timestamp?: string;
}

export function parseEvent(xml: string): ParsedEvent | undefined {
  const control = /<control>([^<]*)<\/control>/.exec(xml);
  const action = /<action([^>]*)>([^<]*)<\/action>/.exec(xml);
  if (!control || !action) return undefined;
  const attr = (source: string, name: string): string | undefined => {
    const m = new RegExp(`\\b${name}="([^"]*)"`).exec(source);
    return m ? unescapeXml(m[1]) : undefined;
  };
  const text = (tag: string): string | undefined => {
    const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
    return m ? unescapeXml(m[1]) : undefined;
  };
  const head = /<Event[^>]*>/.exec(xml)?.[0] ?? '';
  const seq = attr(head, 'seqnum');
  const attrs = action[1];
  return {
    seqnum: seq === undefined ? undefined : Number(seq),
    sid: attr(head, 'sid'),
    timestamp: attr(head, 'timestamp'),
    control: unescapeXml(control[1]),
    action: unescapeXml(action[2]),
    uom: attr(attrs, 'uom'),
    prec: attr(attrs, 'prec'),
    node: text('node') ?? '',
    fmtAct: text('fmtAct'),
    fmtName: text('fmtName'),
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Wall-clock fields of `date` in a zone `offsetMinutes` east of UTC. */
function shifted(date: Date, offsetMinutes: number): Date {
  return new Date(date.getTime() + offsetMinutes * 60_000);
}

/**
 * `2026-05-06T14:34:43.779036-07:00`: local time with microseconds and offset, as the eisy writes it.
 * JavaScript dates stop at milliseconds, so the caller supplies the last three digits.
 */
export function formatTimestamp(date: Date, offsetMinutes: number, extraMicros = 0): string {
  const d = shifted(date, offsetMinutes);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `.${pad(d.getUTCMilliseconds(), 3)}${pad(extraMicros % 1000, 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** Program times: `260506 14:30:36 ` (yyMMdd HH:mm:ss and a trailing space, as on the wire). */
export function formatProgramTime(date: Date, offsetMinutes: number): string {
  const d = shifted(date, offsetMinutes);
  return `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} `;
}

/** Variable times: `20260506 13:23:15 `. */
export function formatVariableTime(date: Date, offsetMinutes: number): string {
  const century = String(Math.floor(shifted(date, offsetMinutes).getUTCFullYear() / 100));
  return `${century}${formatProgramTime(date, offsetMinutes)}`;
}
