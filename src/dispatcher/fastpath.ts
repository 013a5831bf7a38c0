/**
 * The fastest tier: one anchored regular expression per wire form that recognises the exact
 * envelope the eisy writes (declaration, `seqnum`/`sid`/`timestamp`, `control`, `action` with
 * optional `uom` then `prec`, `node`, `eventInfo`, optional `fmtAct` then `fmtName`). V8 compiles
 * it to native code, so a typical frame is recognised and split in one pass with no intermediate
 * strings. Field texts must be free of `<`, `>` and `&` (so they need no decoding and are
 * trivially well-formed); the `eventInfo` span is then checked by the scanner's inner-XML check.
 * Anything that does not match goes to the next tier, so this tier only has to be right about
 * what it accepts.
 */
import { makeEvent } from './event';
import { isSimpleInnerXml } from './scanner';
import type { IoxEvent } from './types';

/**
 * Builds the pattern. `q` is how a double quote appears (`"` in XML, `\"` inside the JSON
 * string), `text` the character class of field text, `info` the pattern of the `eventInfo` span.
 */
function envelopePattern(q: string, text: string, info: string, prefix: string, suffix: string): RegExp {
  const attr = `([^<>&"\\\\\\u0000-\\u001f]*)`;
  return new RegExp(
    `^${prefix}<\\?xml version=${q}1\\.0${q} encoding=${q}UTF-8${q}\\?>` +
      `<Event seqnum=${q}(\\d{1,15})${q} sid=${q}${attr}${q} timestamp=${q}${attr}${q}>` +
      `<control>(${text}+)</control>` +
      `<action(?: uom=${q}${attr}${q})?(?: prec=${q}${attr}${q})?>(${text}*)</action>` +
      `<node>(${text}*)</node>` +
      `<eventInfo>(${info})</eventInfo>` +
      `(?:<fmtAct>(${text}*)</fmtAct>)?(?:<fmtName>(${text}*)</fmtName>)?` +
      `</Event>${suffix}$`,
  );
}

/** Raw XML frames; trailing XML whitespace allowed. */
const XML_ENVELOPE = envelopePattern('"', '[^<>&]', '[^]*?', '', '[ \\t\\r\\n]*');
/**
 * JSON envelope frames, matched on the escaped text: fields may contain no `"`, `\` or control
 * characters (so JSON unescaping would not change them), and `eventInfo` may contain `\"` only.
 */
const JSON_ENVELOPE = envelopePattern(
  '\\\\"',
  '[^<>&"\\\\\\u0000-\\u001f]',
  '(?:[^"\\\\\\u0000-\\u001f&]|\\\\")*?',
  '\\{"type":"event","data":"',
  '"\\}',
);

function fromMatch(m: RegExpExecArray, eventInfo: string): IoxEvent {
  return makeEvent(m[1], m[2], m[3], m[4], m[7], m[8], m[5], m[6], m[10], m[11], eventInfo);
}

/** Recognises a canonical raw XML frame (already repaired); `null` to pass it on. */
export function fastParseXml(xml: string): IoxEvent | null {
  const m = XML_ENVELOPE.exec(xml);
  if (m === null) return null;
  const eventInfo = m[9];
  if (eventInfo.length !== 0 && !isSimpleInnerXml(eventInfo)) return null;
  return fromMatch(m, eventInfo);
}

/**
 * Recognises a canonical JSON-envelope frame without unescaping the whole envelope; `null` to
 * pass it on (then `JSON.parse` unwraps it). `eventInfo` with `&` is passed on too, since it may
 * need the stray-ampersand repair.
 */
export function fastParseJson(raw: string): IoxEvent | null {
  if (raw.charCodeAt(0) !== 123 /* { */) return null;
  const m = JSON_ENVELOPE.exec(raw);
  if (m === null) return null;
  let eventInfo = m[9];
  if (eventInfo.length !== 0) {
    if (eventInfo.indexOf('\\') !== -1) eventInfo = eventInfo.replaceAll('\\"', '"');
    if (!isSimpleInnerXml(eventInfo)) return null;
  }
  return fromMatch(m, eventInfo);
}
