/**
 * XML character references, done by hand rather than by fast-xml-parser: the parser runs with
 * entity processing switched off (so a DOCTYPE can never define and expand an entity), and both
 * the fast scanner and the fallback then decode text through this one function.
 */

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** A reference the validator accepts: `&name;` (1–20 word chars), `&#123;`, `&#x1F;`. */
const REFERENCE = /&(?:\w{1,20}|#\d+|#x[0-9a-fA-F]+);/y;

/** Longest reference `decodeEntities` decodes, `&` and `;` included (`&#x10FFFF;` and 20-char names fit). */
const MAX_REFERENCE = 22;

/**
 * Index of the `;` that ends a reference starting at `amp`, or -1 when there is none within
 * `MAX_REFERENCE` characters. The search is bounded so that a text of many `&` and one distant `;`
 * costs linear time, not a search to the `;` from every `&`.
 */
function referenceEnd(text: string, amp: number): number {
  const last = Math.min(text.length, amp + MAX_REFERENCE);
  for (let i = amp + 1; i < last; i++) {
    const c = text.charCodeAt(i);
    if (c === 59 /* ; */) return i;
    if (c === 38 /* & */) return -1;
  }
  return -1;
}

function decodeOne(body: string): string | undefined {
  if (body.charCodeAt(0) !== 35 /* # */) return NAMED[body];
  const hex = body.charCodeAt(1) === 120; /* x */
  const code = hex ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
  // Code points XML forbids (NUL, surrogates, beyond U+10FFFF) stay literal instead of throwing.
  if (!(code > 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return String.fromCodePoint(code);
}

/**
 * Decodes the five predefined entities and numeric references. Anything else (an unknown named
 * entity such as `&xxe;`) is left exactly as written: it is never expanded.
 */
export function decodeEntities(text: string): string {
  let amp = text.indexOf('&');
  if (amp === -1) return text;
  let out = '';
  let from = 0;
  while (amp !== -1) {
    const semi = referenceEnd(text, amp);
    const decoded = semi === -1 ? undefined : decodeOne(text.slice(amp + 1, semi));
    if (decoded !== undefined) {
      out += text.slice(from, amp) + decoded;
      from = semi + 1;
      amp = text.indexOf('&', from);
    } else {
      amp = text.indexOf('&', amp + 1);
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/** True when the text contains no `&` that `decodeEntities` would leave literal. */
export function isFullyDecodable(text: string): boolean {
  let amp = text.indexOf('&');
  while (amp !== -1) {
    const semi = referenceEnd(text, amp);
    if (semi === -1 || decodeOne(text.slice(amp + 1, semi)) === undefined) return false;
    amp = text.indexOf('&', semi + 1);
  }
  return true;
}

function isReferenceAt(xml: string, at: number): boolean {
  REFERENCE.lastIndex = at;
  return REFERENCE.test(xml);
}

/**
 * Escapes every `&` that does not start a reference (`NUM.107=24&VAL.111=1` becomes
 * `NUM.107=24&amp;VAL.111=1`), outside CDATA sections (where `&` is legal and must stay verbatim).
 * Returns the input itself when nothing needed repair, so callers can compare by identity.
 */
export function repairStrayAmpersands(xml: string): string {
  let amp = xml.indexOf('&');
  if (amp === -1) return xml;
  let out = '';
  let from = 0;
  let cdata = xml.indexOf('<![CDATA[');
  while (amp !== -1) {
    if (cdata !== -1 && cdata < amp) {
      const end = xml.indexOf(']]>', cdata + 9);
      if (end === -1) break; // unterminated CDATA: the frame is malformed anyway
      if (amp < end) {
        amp = xml.indexOf('&', end + 3);
        cdata = xml.indexOf('<![CDATA[', end + 3);
        continue;
      }
      cdata = xml.indexOf('<![CDATA[', end + 3);
      continue;
    }
    if (!isReferenceAt(xml, amp)) {
      out += xml.slice(from, amp) + '&amp;';
      from = amp + 1;
    }
    amp = xml.indexOf('&', amp + 1);
  }
  return from === 0 ? xml : out + xml.slice(from);
}

/** Index just after the `>` that ends the tag opened at `lt`, skipping quoted attribute values; -1 when unterminated. */
function tagEnd(xml: string, lt: number): number {
  let quote = 0;
  for (let i = lt + 1; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      quote = c;
    } else if (c === 62 /* > */) {
      return i + 1;
    }
  }
  return -1;
}

/**
 * The character data of an inner-XML fragment (well-formed, as `eventInfo` is): text with entities
 * decoded, CDATA contents verbatim, tags, comments and processing instructions left out. One pass,
 * linear in the fragment's length.
 */
export function characterData(xml: string): string {
  if (xml.indexOf('<') === -1) return xml.indexOf('&') === -1 ? xml : decodeEntities(xml);
  let out = '';
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt === -1) {
      out += decodeEntities(xml.slice(i));
      break;
    }
    if (lt > i) out += decodeEntities(xml.slice(i, lt));
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end === -1) break;
      out += xml.slice(lt + 9, end);
      i = end + 3;
    } else if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end === -1) break;
      i = end + 3;
    } else {
      const end = tagEnd(xml, lt);
      if (end === -1) break;
      i = end;
    }
  }
  return out;
}
