/**
 * A small hand-written reader for the flat `_1` payloads the controller sends on every program
 * run and variable change:
 *
 * - program status: `<id>8D</id><on /><nr /><r>..</r><f>..</f><s>31</s>`
 * - variable: `<var type="2" id="12"><prec>0</prec><val>0</val><ts>..</ts></var>` (also
 *   `<var type="2" id="0"/>` and `<var><type>1</type><id>0</id></var>` for the table change)
 *
 * It accepts only that strict subset: known element names, each at most once, plain text (no
 * markup, no `>`; entities decoded by the same `decodeEntities` the fast-xml-parser path uses),
 * `<x/>` or `<x />` for empty elements, double-quoted `type`/`id` attributes on `<var>`, and
 * nothing between or around the elements. On anything else it declines (`false`) and the decoder
 * falls back to fast-xml-parser, which stays the reference: the differential tests prove both
 * give identical decoded values on every fixture payload and on generated and mutated ones.
 *
 * Results go to a caller-owned array (`out[k]` is the text of `names[k]`, `''` for an empty
 * element, `undefined` when absent), so a read allocates nothing but the field strings.
 */
import { decodeEntities } from './entities';

const LT = 60; // <
const GT = 62; // >
const SLASH = 47; // /
const SPACE = 32;
const QUOTE = 34; // "

/** Index of the name `xml[from, to)` in `names`, or -1. */
function nameIndex(names: readonly string[], xml: string, from: number, to: number): number {
  const length = to - from;
  for (let k = 0; k < names.length; k++) {
    const name = names[k];
    if (name.length === length && xml.startsWith(name, from)) return k;
  }
  return -1;
}

/**
 * Reads flat child elements from `i` until the end of `xml` or a closing tag (`</`). Returns the
 * index where it stopped, or -1 to decline.
 */
function readChildren(xml: string, i: number, names: readonly string[], out: (string | undefined)[]): number {
  const n = xml.length;
  while (i < n) {
    if (xml.charCodeAt(i) !== LT) return -1;
    if (xml.charCodeAt(i + 1) === SLASH) return i;
    let j = i + 1;
    for (; j < n; j++) {
      const c = xml.charCodeAt(j);
      if (c === GT || c === SLASH || c === SPACE) break;
    }
    const k = nameIndex(names, xml, i + 1, j);
    if (k < 0 || out[k] !== undefined) return -1;
    const c = xml.charCodeAt(j);
    if (c === GT) {
      const lt = xml.indexOf('<', j + 1);
      if (lt < 0) return -1;
      const name = names[k];
      const after = lt + 2 + name.length;
      if (xml.charCodeAt(lt + 1) !== SLASH || !xml.startsWith(name, lt + 2) || xml.charCodeAt(after) !== GT) return -1;
      let text = xml.slice(j + 1, lt);
      if (text.indexOf('>') !== -1) return -1;
      if (text.indexOf('&') !== -1) text = decodeEntities(text);
      out[k] = text;
      i = after + 1;
    } else if (c === SLASH) {
      if (xml.charCodeAt(j + 1) !== GT) return -1;
      out[k] = '';
      i = j + 2;
    } else if (c === SPACE) {
      if (xml.charCodeAt(j + 1) !== SLASH || xml.charCodeAt(j + 2) !== GT) return -1;
      out[k] = '';
      i = j + 3;
    } else {
      return -1;
    }
  }
  return i;
}

/** Names of the program status children, in the order of `readProgram`'s output. */
export const PROGRAM_NAMES = ['id', 's', 'r', 'f', 'on', 'off', 'rr', 'nr'] as const;

/** Reads a program status payload into `out` (indexed like `PROGRAM_NAMES`); false to decline. */
export function readProgram(xml: string, out: (string | undefined)[]): boolean {
  for (let k = 0; k < PROGRAM_NAMES.length; k++) out[k] = undefined;
  return xml.length > 0 && readChildren(xml, 0, PROGRAM_NAMES, out) === xml.length;
}

/** Names of the `<var>` children, then its two attributes, in the order of `readVar`'s output. */
export const VAR_NAMES = ['val', 'init', 'prec', 'ts', 'type', 'id'] as const;
/** `out[VAR_TYPE_ATTR]` / `out[VAR_ID_ATTR]`: the `type` / `id` attributes of `<var>`. */
export const VAR_TYPE_ATTR = 6;
export const VAR_ID_ATTR = 7;

/**
 * Reads a `<var ...>...</var>` payload (the only element) into `out` (children indexed like
 * `VAR_NAMES`, then the `type` and `id` attributes); false to decline.
 */
export function readVar(xml: string, out: (string | undefined)[]): boolean {
  for (let k = 0; k < 8; k++) out[k] = undefined;
  if (!xml.startsWith('<var')) return false;
  let i = 4;
  let attributes = 0;
  for (;;) {
    const c = xml.charCodeAt(i);
    if (c === GT) {
      i++;
      break;
    }
    if (c === SLASH) {
      // `<var .../>`: must end the payload and carry at least one attribute (an empty `<var/>`
      // is a plain string to fast-xml-parser).
      return attributes > 0 && xml.charCodeAt(i + 1) === GT && i + 2 === xml.length;
    }
    if (c !== SPACE) return false;
    const eq = xml.indexOf('=', i + 1);
    if (eq < 0) return false;
    const slot =
      eq - i - 1 === 4 && xml.startsWith('type', i + 1)
        ? VAR_TYPE_ATTR
        : eq - i - 1 === 2 && xml.startsWith('id', i + 1)
          ? VAR_ID_ATTR
          : -1;
    if (slot < 0 || out[slot] !== undefined || xml.charCodeAt(eq + 1) !== QUOTE) return false;
    const close = xml.indexOf('"', eq + 2);
    if (close < 0) return false;
    let value = xml.slice(eq + 2, close);
    if (value.indexOf('<') !== -1 || value.indexOf('>') !== -1) return false;
    if (value.indexOf('&') !== -1) value = decodeEntities(value);
    out[slot] = value;
    attributes++;
    i = close + 1;
  }
  const end = readChildren(xml, i, VAR_NAMES, out);
  if (end < 0 || end === i) return false; // no children: fast-xml-parser's shape differs, let it decide
  return end + 6 === xml.length && xml.startsWith('</var>', end);
}
