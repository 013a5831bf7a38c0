/**
 * The fast path: a hand-written scanner for the fixed `<Event>` envelope the controller sends.
 *
 * It accepts only a strict, simple subset of XML — the exact declaration the eisy writes, the
 * known child elements (`control`, `action`, `node`, `eventInfo`, `fmtAct`, `fmtName`) with plain
 * text, double- or single-quoted attributes, and an `eventInfo` made of plain elements, text and
 * CDATA. Everything in that subset is well-formed XML, so whatever the scanner accepts the
 * validator accepts too. On anything else (comments, DOCTYPE, processing instructions, unknown or
 * repeated children, unusual entities, `>` in text, ...) it returns `BAIL` and fast-xml-parser
 * decides; it never rejects a frame itself. The differential tests hold it to that.
 *
 * Why this file is over 300 lines and stays one: it is one job, one grammar read top to bottom,
 * and its helpers return positions and attributes through module-level out-parameters (`pos`,
 * `attrName`, `attrValue`) so the hot path allocates nothing per field. Split across modules those
 * would become exported setters or result objects, costing the speed the `pipeline` benchmark
 * holds it to, and a reader would have to hold the same grammar in two files.
 */
import { decodeEntities, isFullyDecodable } from './entities';
import { makeEvent } from './event';
import type { IoxEvent } from './types';

/** Returned when the scanner declines a frame and the fallback must decide. */
export const BAIL = null;

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const LT = 60; // <
const GT = 62; // >
const SLASH = 47; // /
const EQUALS = 61; // =
const QUOTE = 34; // "
const APOS = 39; // '
const MAX_DEPTH = 32;

// Out-parameters of the helpers below. The scanner is synchronous and not re-entrant, and
// returning positions through module variables avoids allocating a result object per field.
let pos = 0;
let attrName = '';
let attrValue = '';

function isWhitespace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function skipWhitespace(xml: string, i: number): number {
  while (isWhitespace(xml.charCodeAt(i))) i++;
  return i;
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46;
}

/** Reads an ASCII element or attribute name at `i`; returns its end, or `i` when there is none. */
function nameEnd(xml: string, i: number): number {
  if (!isNameStart(xml.charCodeAt(i))) return i;
  i++;
  while (isNameChar(xml.charCodeAt(i))) i++;
  return i;
}

/** Text with no markup, no `>` and only entities we decode; `null` otherwise. */
function cleanText(raw: string): string | null {
  if (raw.indexOf('>') !== -1) return null;
  if (raw.indexOf('&') === -1) return raw;
  return isFullyDecodable(raw) ? decodeEntities(raw) : null;
}

const ATTRIBUTE = 1;
const TAG_END = 2; // '>'
const SELF_CLOSED = 3; // '/>'
const DECLINE = 0;

/**
 * At `i`, just after a tag name or an attribute: reads the next attribute (into `attrName`,
 * `attrValue`) or the end of the tag. Sets `pos` after what was read.
 */
function nextAttribute(xml: string, i: number): number {
  let c = xml.charCodeAt(i);
  if (c === GT) {
    pos = i + 1;
    return TAG_END;
  }
  if (c === SLASH) {
    if (xml.charCodeAt(i + 1) !== GT) return DECLINE;
    pos = i + 2;
    return SELF_CLOSED;
  }
  if (!isWhitespace(c)) return DECLINE;
  i = skipWhitespace(xml, i + 1);
  c = xml.charCodeAt(i);
  if (c === GT || c === SLASH) return nextAttribute(xml, i);
  const end = nameEnd(xml, i);
  if (end === i || xml.charCodeAt(end) !== EQUALS) return DECLINE;
  const quote = xml.charCodeAt(end + 1);
  if (quote !== QUOTE && quote !== APOS) return DECLINE;
  const close = xml.indexOf(quote === QUOTE ? '"' : "'", end + 2);
  if (close === -1) return DECLINE;
  const raw = xml.slice(end + 2, close);
  if (raw.indexOf('<') !== -1) return DECLINE;
  const value = cleanText(raw);
  if (value === null) return DECLINE;
  attrName = xml.slice(i, end);
  attrValue = value;
  pos = close + 1;
  return ATTRIBUTE;
}

/**
 * Reads the rest of a tag's attributes, the first of which was just read, checking that no name
 * repeats (in a set: a hostile frame may carry tens of thousands of names, and the work per frame
 * must stay linear). Returns the step that ended the tag, or `DECLINE` on a repeat.
 */
function distinctAttributes(xml: string): number {
  const first = attrName;
  let seen: Set<string> | null = null;
  let step = nextAttribute(xml, pos);
  while (step === ATTRIBUTE) {
    if (seen === null) seen = new Set([first]);
    if (seen.has(attrName)) return DECLINE;
    seen.add(attrName);
    step = nextAttribute(xml, pos);
  }
  return step;
}

/** Text content from `i` up to the closing tag `close`; sets `pos` after the closing tag. */
function simpleText(xml: string, i: number, close: string): string | null {
  const lt = xml.indexOf('<', i);
  if (lt === -1 || !xml.startsWith(close, lt)) return null;
  const text = cleanText(xml.slice(i, lt));
  pos = lt + close.length;
  return text;
}

/**
 * Checks the inner XML of `<eventInfo>` from `i` and finds its end. Returns the raw inner XML
 * (verbatim) and sets `pos` after `</eventInfo>`, or `null` to decline.
 */
function eventInfoContent(xml: string, i: number): string | null {
  const start = i;
  let stack: string[] | null = null;
  for (;;) {
    const lt = xml.indexOf('<', i);
    if (lt === -1) return null;
    // Text between markup: `>` is legal XML but outside the subset; `&` was made valid by the repair step.
    const gt = xml.indexOf('>', i);
    if (gt !== -1 && gt < lt) return null;
    const c1 = xml.charCodeAt(lt + 1);
    if (c1 === SLASH) {
      if (stack === null || stack.length === 0) {
        if (!xml.startsWith('</eventInfo>', lt)) return null;
        pos = lt + 12;
        return xml.slice(start, lt);
      }
      const end = nameEnd(xml, lt + 2);
      if (xml.charCodeAt(end) !== GT || xml.slice(lt + 2, end) !== stack[stack.length - 1]) return null;
      stack.pop();
      i = end + 1;
    } else if (c1 === 33 /* ! */) {
      if (!xml.startsWith('<![CDATA[', lt)) return null;
      const end = xml.indexOf(']]>', lt + 9);
      if (end === -1) return null;
      i = end + 3;
    } else {
      const end = nameEnd(xml, lt + 1);
      if (end === lt + 1) return null;
      const name = xml.slice(lt + 1, end);
      if (name === 'eventInfo') return null;
      let step = nextAttribute(xml, end);
      if (step === ATTRIBUTE) step = distinctAttributes(xml);
      if (step === DECLINE) return null;
      if (step === TAG_END) {
        if (stack === null) stack = [];
        if (stack.length >= MAX_DEPTH) return null;
        stack.push(name);
      }
      i = pos;
    }
  }
}

/**
 * True when `content` is inner XML the scanner's subset accepts (elements, text, CDATA; balanced),
 * so that a frame carrying it as `eventInfo` is well-formed.
 */
export function isSimpleInnerXml(content: string): boolean {
  if (content.indexOf('<') === -1 && content.indexOf('>') === -1) return true;
  const inner = eventInfoContent(`${content}</eventInfo>`, 0);
  return inner !== null && inner.length === content.length;
}

/**
 * Scans one XML frame (already unwrapped and repaired). Returns the event, or `BAIL` when the
 * frame is outside the subset the scanner handles.
 */
export function scanEventXml(xml: string): IoxEvent | typeof BAIL {
  let i = 0;
  if (xml.startsWith(DECLARATION)) i = skipWhitespace(xml, DECLARATION.length);
  if (!xml.startsWith('<Event', i)) return BAIL;

  let seqnum: string | undefined;
  let sid: string | undefined;
  let timestamp: string | undefined;
  let otherAttributes: Set<string> | null = null;
  let step = nextAttribute(xml, i + 6);
  while (step === ATTRIBUTE) {
    if (attrName === 'seqnum') {
      if (seqnum !== undefined) return BAIL;
      seqnum = attrValue;
    } else if (attrName === 'sid') {
      if (sid !== undefined) return BAIL;
      sid = attrValue;
    } else if (attrName === 'timestamp') {
      if (timestamp !== undefined) return BAIL;
      timestamp = attrValue;
    } else {
      // Unknown attributes are ignored, like the fallback does, but a repeat is malformed XML.
      // A set, not a list: a frame may carry tens of thousands of them (linear work per frame).
      if (otherAttributes === null) otherAttributes = new Set();
      else if (otherAttributes.has(attrName)) return BAIL;
      otherAttributes.add(attrName);
    }
    step = nextAttribute(xml, pos);
  }
  if (step !== TAG_END) return BAIL;
  i = pos;

  let control: string | undefined;
  let action: string | undefined;
  let node: string | undefined;
  let uom: string | undefined;
  let prec: string | undefined;
  let fmtAct: string | undefined;
  let fmtName: string | undefined;
  let eventInfo: string | undefined;

  for (;;) {
    i = skipWhitespace(xml, i);
    if (xml.charCodeAt(i) !== LT) return BAIL;
    let text: string | null;
    switch (xml.charCodeAt(i + 1)) {
      case SLASH:
        if (!xml.startsWith('</Event>', i)) return BAIL;
        i = skipWhitespace(xml, i + 8);
        if (i !== xml.length || control === undefined || control === '') return BAIL;
        return makeEvent(seqnum, sid, timestamp, control, action, node, uom, prec, fmtAct, fmtName, eventInfo);
      case 99 /* c */:
        if (control !== undefined || !xml.startsWith('<control>', i)) return BAIL;
        text = simpleText(xml, i + 9, '</control>');
        if (text === null) return BAIL;
        control = text;
        break;
      case 97 /* a */: {
        if (action !== undefined || !xml.startsWith('<action', i)) return BAIL;
        let s = nextAttribute(xml, i + 7);
        while (s === ATTRIBUTE) {
          if (attrName === 'uom') {
            if (uom !== undefined) return BAIL;
            uom = attrValue;
          } else if (attrName === 'prec') {
            if (prec !== undefined) return BAIL;
            prec = attrValue;
          } else {
            return BAIL;
          }
          s = nextAttribute(xml, pos);
        }
        if (s !== TAG_END) return BAIL;
        text = simpleText(xml, pos, '</action>');
        if (text === null) return BAIL;
        action = text;
        break;
      }
      case 110 /* n */:
        if (node !== undefined) return BAIL;
        if (xml.startsWith('<node/>', i)) {
          node = '';
          pos = i + 7;
          break;
        }
        if (!xml.startsWith('<node>', i)) return BAIL;
        text = simpleText(xml, i + 6, '</node>');
        if (text === null) return BAIL;
        node = text;
        break;
      case 101 /* e */:
        if (eventInfo !== undefined) return BAIL;
        if (xml.startsWith('<eventInfo/>', i)) {
          eventInfo = '';
          pos = i + 12;
          break;
        }
        if (!xml.startsWith('<eventInfo>', i)) return BAIL;
        // The common case, an empty payload, needs no inner scan.
        if (xml.startsWith('</eventInfo>', i + 11)) {
          eventInfo = '';
          pos = i + 23;
          break;
        }
        text = eventInfoContent(xml, i + 11);
        if (text === null) return BAIL;
        eventInfo = text;
        break;
      case 102 /* f */:
        if (xml.startsWith('<fmtAct>', i)) {
          if (fmtAct !== undefined) return BAIL;
          text = simpleText(xml, i + 8, '</fmtAct>');
          if (text === null) return BAIL;
          fmtAct = text;
        } else if (xml.startsWith('<fmtName>', i)) {
          if (fmtName !== undefined) return BAIL;
          text = simpleText(xml, i + 9, '</fmtName>');
          if (text === null) return BAIL;
          fmtName = text;
        } else {
          return BAIL;
        }
        break;
      default:
        return BAIL;
    }
    i = pos;
  }
}
