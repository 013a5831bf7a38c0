/**
 * The reference parse path built on fast-xml-parser. It is used whenever the fast scanner meets
 * anything it does not recognise, and the differential tests use it as the oracle the scanner
 * must agree with.
 *
 * Well-formedness is decided by fast-xml-parser's validator (the parser itself is lenient and
 * would accept mismatched tags); the parser then extracts the fields. `eventInfo` is a stop node
 * so its inner XML comes back verbatim, CDATA markers included.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decodeEntities } from './entities';
import { Dropped } from './envelope';
import { makeEvent } from './event';
import type { IoxEvent } from './types';

/**
 * Options shared by every fast-xml-parser instance in the dispatcher, chosen so input cannot
 * abuse the parser: entity processing is off (a DOCTYPE may be read but its entities are never
 * expanded, and we decode the five predefined ones ourselves), no value is converted to a number
 * or trimmed, attributes are kept (grouped so they cannot collide with child names).
 */
export const SAFE_PARSER_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  allowBooleanAttributes: false,
  cdataPropName: false,
} as const;

const envelopeParser = new XMLParser({ ...SAFE_PARSER_OPTIONS, stopNodes: ['Event.eventInfo'] });

type Node = Record<string, unknown>;

/** Text of a simple element: a string, or an object with attributes and maybe `#text`. `null` when it has child elements. */
function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  for (const key of Object.keys(value)) if (key !== '#text' && key !== '@') return null;
  const text = (value as Node)['#text'];
  return typeof text === 'string' ? text : '';
}

function attrsOf(value: unknown): Node | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const attrs = (value as Node)['@'];
  return attrs !== null && typeof attrs === 'object' ? (attrs as Node) : undefined;
}

function attr(attrs: Node | undefined, name: string): string | undefined {
  if (attrs === undefined || !Object.prototype.hasOwnProperty.call(attrs, name)) return undefined;
  const value = attrs[name];
  return typeof value === 'string' ? decodeEntities(value) : undefined;
}

/** Optional simple field: `undefined` when absent, `null` when present but not simple text (duplicate or nested). */
function field(event: Node, name: string, decode: boolean): string | undefined | null {
  if (!Object.prototype.hasOwnProperty.call(event, name)) return undefined;
  const text = textOf(event[name]);
  if (text === null) return null;
  return decode ? decodeEntities(text) : text;
}

/** Parses one XML frame (already unwrapped and repaired) with fast-xml-parser: the event, or why it is dropped. Never throws. */
export function parseWithFastXmlParser(xml: string): IoxEvent | Dropped {
  let doc: unknown;
  try {
    if (XMLValidator.validate(xml) !== true) return Dropped.of.malformed;
    doc = envelopeParser.parse(xml);
  } catch {
    // The validator accepts a few things the parser refuses (reserved names such as __proto__).
    return Dropped.of.malformed;
  }
  if (doc === null || typeof doc !== 'object') return Dropped.of.malformed;
  // Whitespace around the root comes back as a top-level text node; it is not a second root.
  const roots = Object.keys(doc).filter((key) => key !== '#text');
  if (roots.length !== 1 || roots[0] !== 'Event') return Dropped.of['not-event-root'];
  const event = (doc as Node).Event;
  // An array means several <Event> roots; a string means an <Event> with text only.
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    return Array.isArray(event) ? Dropped.of.malformed : Dropped.of['no-control'];
  }
  const node = event as Node;
  const control = field(node, 'control', true);
  const action = field(node, 'action', true);
  const nodeAddress = field(node, 'node', true);
  const fmtAct = field(node, 'fmtAct', true);
  const fmtName = field(node, 'fmtName', true);
  const eventInfo = field(node, 'eventInfo', false);
  if (
    control === null ||
    action === null ||
    nodeAddress === null ||
    fmtAct === null ||
    fmtName === null ||
    eventInfo === null
  ) {
    return Dropped.of.malformed;
  }
  if (control === undefined || control === '') return Dropped.of['no-control'];
  const eventAttrs = attrsOf(node);
  const actionAttrs = attrsOf(node.action);
  return makeEvent(
    attr(eventAttrs, 'seqnum'),
    attr(eventAttrs, 'sid'),
    attr(eventAttrs, 'timestamp'),
    control,
    action,
    nodeAddress,
    attr(actionAttrs, 'uom'),
    attr(actionAttrs, 'prec'),
    fmtAct,
    fmtName,
    eventInfo,
  );
}
