/**
 * Hostile frames for the per-frame cost checks: each builder fills a frame of about `bytes`
 * characters with one pattern that once made a tier do more than linear work (or that could),
 * next to a typical frame. Shared by `bench/worst.ts` and `test/dispatcher/linear.test.ts`.
 */

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** A frame with the given `control`, `action`, `node`, inner `eventInfo` and optional `fmtAct`. */
export function frame(control: string, action: string, node: string, eventInfo: string, fmtAct?: string): string {
  const formatted = fmtAct === undefined ? '' : `<fmtAct>${fmtAct}</fmtAct>`;
  return (
    `${DECLARATION}<Event seqnum="1" sid="uuid:1" timestamp="2026-11-30T12:00:00.000000">` +
    `<control>${control}</control><action>${action}</action><node>${node}</node>` +
    `<eventInfo>${eventInfo}</eventInfo>${formatted}</Event>`
  );
}

/** `unit` repeated until the frame is about `bytes` long (the envelope's ~200 bytes aside). */
function fill(unit: string, bytes: number): string {
  return unit.repeat(Math.max(1, Math.floor((bytes - 256) / unit.length)));
}

function distinctAttributes(bytes: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes - 300; i++) {
    const attribute = ` a${i}="1"`;
    parts.push(attribute);
    length += attribute.length;
  }
  return parts.join('');
}

/** One worst case: its name, what it stresses, and a builder for a frame of about `bytes`. */
export interface WorstCase {
  name: string;
  what: string;
  build: (bytes: number) => string;
}

/** The typical frame: a status change as the eisy sends it (for the µs/KiB comparison). */
export const TYPICAL_FRAME =
  `${DECLARATION}<Event seqnum="1234" sid="uuid:91" timestamp="2026-11-30T12:00:00.000000">` +
  '<control>ST</control><action uom="100" prec="0">255</action><node>1A 2B 3C 1</node>' +
  '<eventInfo></eventInfo><fmtAct>On</fmtAct><fmtName>Status</fmtName></Event>';

export const WORST_CASES: readonly WorstCase[] = [
  {
    name: 'attributes on <Event>',
    what: 'distinct attribute names on the root (duplicate check)',
    build: (bytes) => {
      const event = frame('ST', '1', 'n', '');
      return event.replace('<Event seqnum="1"', `<Event seqnum="1"${distinctAttributes(bytes)}`);
    },
  },
  {
    name: 'attributes in eventInfo',
    what: 'distinct attribute names on one payload element',
    build: (bytes) => frame('_1', '0', '', `<x${distinctAttributes(bytes)}/>`),
  },
  {
    name: '& in CDATA',
    what: '`&` in a CDATA payload field, one `;` at the end (entity decoding)',
    build: (bytes) => frame('_1', '0', '', `<id><![CDATA[${fill('&', bytes)};]]></id><s>21</s>`),
  },
  {
    name: '& in variable CDATA',
    what: 'the same in a `_1`/`6` variable value',
    build: (bytes) => frame('_1', '6', '', `<var type="2" id="1"><val><![CDATA[${fill('&', bytes)};]]></val></var>`),
  },
  {
    name: 'stray & in text',
    what: '`&` in element text, one `;` at the end (repair, then decoding)',
    build: (bytes) => frame('_1', '0', '', `<id>${fill('&', bytes / 5)};</id>`),
  },
  {
    name: 'unterminated references',
    what: '`&#x41` without `;` in text, one `;` at the end',
    build: (bytes) => frame('_1', '0', '', `<id>${fill('&#x41', bytes / 1.4)};</id>`),
  },
  {
    name: '& in fmtAct',
    what: 'stray `&` in a field the scanner decodes',
    build: (bytes) => frame('ST', '0', 'n', '', `${fill('&', bytes / 5)};`),
  },
  {
    name: 'deep nesting',
    what: 'nested payload elements (scanner depth cap, then fast-xml-parser)',
    build: (bytes) => {
      const depth = Math.floor((bytes - 256) / 7);
      return frame('_1', '0', '', '<a>'.repeat(depth) + '</a>'.repeat(depth));
    },
  },
  {
    name: 'long CDATA',
    what: 'one CDATA section filling the frame',
    build: (bytes) => frame('_1', '0', '', `<id><![CDATA[${fill('x', bytes)}]]></id>`),
  },
  {
    name: 'many CDATA sections',
    what: 'CDATA sections with `&` between them (repair step)',
    build: (bytes) => frame('_1', '0', '', fill('<![CDATA[&]]>&amp;', bytes)),
  },
  {
    name: 'huge eventInfo',
    what: 'many sibling payload elements, decoded',
    build: (bytes) => frame('_1', '0', '', `<id>1</id>${fill('<i>1</i>', bytes)}`),
  },
  {
    name: '> in text',
    what: '`>` in a field (outside the scanner subset: fast-xml-parser decides)',
    build: (bytes) => frame('ST', fill('>', bytes), 'n', ''),
  },
];
