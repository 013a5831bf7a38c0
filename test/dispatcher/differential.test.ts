/**
 * Differential tests: every fast tier must produce exactly what the fast-xml-parser path produces
 * (or decline). The fallback alone is `parseEventFrameWithFallback`.
 */
import fc from 'fast-check';
import { fastParseJson, fastParseXml } from '../../src/dispatcher/fastpath';
import { parseEventFrame } from '../../src/dispatcher';
import { parseEventFrameWithFallback, parseFrame, prepareXml } from '../../src/dispatcher/parse';
import { scanEventXml } from '../../src/dispatcher/scanner';
import { parseWithFastXmlParser } from '../../src/dispatcher/xmlFallback';
import { Dropped } from '../../src/dispatcher/envelope';
import { describeWithFixtures } from './fixtures';

/** Asserts each tier agrees with the fallback on one frame; returns which tier would answer. */
function checkAgreement(raw: string): void {
  const reference = parseEventFrameWithFallback(raw);
  expect(parseEventFrame(raw)).toStrictEqual(reference);
  if (raw.startsWith('{')) {
    const json = fastParseJson(raw);
    if (json !== null) expect(json).toStrictEqual(reference);
  }
  const prepared = prepareXml(raw);
  if ('xml' in prepared) {
    const viaFallback = parseWithFastXmlParser(prepared.xml);
    const expected = viaFallback instanceof Dropped ? null : viaFallback;
    const tier1 = fastParseXml(prepared.xml);
    if (tier1 !== null) expect(tier1).toStrictEqual(expected);
    const tier2 = scanEventXml(prepared.xml);
    if (tier2 !== null) expect(tier2).toStrictEqual(expected);
  }
}

describeWithFixtures('differential: fixture frames', (fx) => {
  test('all tiers agree with fast-xml-parser on every captured frame, and the fast tiers handle them all', () => {
    for (const raw of fx.all) checkAgreement(raw);
    const fallbacks = fx.all.filter((raw) => parseFrame(raw).usedFallback);
    expect(fallbacks).toEqual([]);
  });

  test('the general scanner alone handles every captured frame', () => {
    for (const raw of fx.all) {
      const prepared = prepareXml(raw);
      if (!('xml' in prepared)) continue;
      expect(scanEventXml(prepared.xml)).toStrictEqual(parseEventFrameWithFallback(raw));
    }
  });

  const TOKENS = [
    '<',
    '>',
    '&',
    '"',
    "'",
    '\\',
    '\\"',
    '/',
    ' ',
    '\n',
    '=',
    ';',
    '&amp;',
    '&#65;',
    '&x;',
    '</eventInfo>',
    '<eventInfo>',
    '<![CDATA[',
    ']]>',
    '<!--',
    '-->',
    '<?',
    '<a>',
    '</a>',
    '<b/>',
    '</Event>',
    '<control>',
    '\u0000',
    'é',
    '\ud83d\ude00',
  ];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), token: fc.string({ maxLength: 3 }) }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;
  const apply = (text: string, m: Mutation): string => {
    const at = m.at % (text.length + 1);
    switch (m.kind) {
      case 'insert':
        return text.slice(0, at) + m.token + text.slice(at);
      case 'delete':
        return text.slice(0, at) + text.slice(at + m.length);
      case 'duplicate':
        return text.slice(0, at + m.length) + text.slice(at, at + m.length) + text.slice(at + m.length);
      case 'replace':
        return text.slice(0, at) + m.token + text.slice(at + m.token.length);
    }
  };

  test('all tiers agree on mutated captured frames (raw XML and JSON envelope forms)', () => {
    const xmlFrames = fx.all.filter((f) => !f.startsWith('{"type":"spolisy"'));
    fc.assert(
      fc.property(
        fc.constantFrom(...xmlFrames),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (raw, mutations) => {
          let mutated = raw;
          for (const m of mutations) mutated = apply(mutated, m);
          checkAgreement(mutated);
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('differential: generated frames', () => {
  const text = fc.stringMatching(
    /^(?:[A-Za-z0-9 %.:_-]|&amp;|&lt;|&gt;|&quot;|&apos;|&#6[0-9];|&#x4[1-9];|&bogus;|&|>|"|'|é)*$/,
    { maxLength: 12 },
  );
  const attrValue = fc.stringMatching(/^(?:[A-Za-z0-9 :._-]|&amp;|&#65;|&zz;|>|&)*$/, { maxLength: 10 });
  const name = fc.constantFrom('a', 'var', 'id', 's', 'on', 'x.y', 'n-1', '_p');
  const inner: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      text,
      fc.constantFrom('<![CDATA[<NULL> & ]]>', '<![CDATA[]]>', '<!-- c -->', '<?pi x?>', '<a></b>', '<a>', '</a>'),
      fc
        .tuple(
          name,
          fc.array(fc.tuple(name, attrValue, fc.constantFrom('"', "'")), { maxLength: 2 }),
          fc.array(tie('node'), { maxLength: 3 }),
          fc.boolean(),
          fc.constantFrom('', ' '),
        )
        .map(([n, attrs, children, selfClose, space]) => {
          const a = attrs.map(([k, v, q]) => ` ${k}=${q}${v}${q}`).join('');
          return selfClose ? `<${n}${a}${space}/>` : `<${n}${a}>${children.join('')}</${n}>`;
        }),
    ),
  })).node;

  const child = fc.oneof(
    text.map((t) => `<control>${t}</control>`),
    fc.constantFrom('<control>ST</control>', '<control>_1</control>', '<control></control>', '<control/>'),
    fc
      .tuple(text, fc.option(attrValue), fc.option(fc.constantFrom('0', '-1', '2', 'x', '')), fc.boolean())
      .map(([t, uom, prec, precFirst]) => {
        const u = uom === null ? '' : ` uom="${uom}"`;
        const p = prec === null ? '' : ` prec="${prec}"`;
        return `<action${precFirst ? p + u : u + p}>${t}</action>`;
      }),
    text.map((t) => `<node>${t}</node>`),
    fc.constantFrom(
      '<node/>',
      '<node></node>',
      '<eventInfo/>',
      '<eventInfo></eventInfo>',
      '<other>1</other>',
      ' ',
      '\n',
      'junk',
    ),
    fc.array(inner, { maxLength: 3 }).map((parts) => `<eventInfo>${parts.join('')}</eventInfo>`),
    text.map((t) => `<fmtAct>${t}</fmtAct>`),
    text.map((t) => `<fmtName>${t}</fmtName>`),
  );

  const eventAttrs = fc
    .tuple(
      fc.option(fc.constantFrom('0', '17', '007', '-1', 'x', '')),
      fc.option(attrValue),
      fc.option(attrValue),
      fc.boolean(),
      fc.constantFrom('"', "'"),
      fc.constantFrom(' ', '  ', '\n'),
    )
    .map(([seq, sid, ts, reversed, q, ws]) => {
      const parts = [
        seq === null ? '' : `seqnum=${q}${seq}${q}`,
        sid === null ? '' : `sid=${q}${sid}${q}`,
        ts === null ? '' : `timestamp=${q}${ts}${q}`,
      ].filter(Boolean);
      if (reversed) parts.reverse();
      return parts.map((p) => ws + p).join('');
    });

  const xmlFrame = fc
    .tuple(
      fc.constantFrom('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?>', '', ' ', '<!-- hi -->'),
      eventAttrs,
      fc.array(child, { maxLength: 7 }),
      fc.constantFrom('', '\n', ' x'),
    )
    .map(([decl, attrs, children, tail]) => `${decl}<Event${attrs}>${children.join('')}</Event>${tail}`);

  const canonical = fc
    .tuple(
      text,
      text,
      fc.option(fc.tuple(attrValue, attrValue)),
      text,
      fc.array(inner, { maxLength: 3 }),
      fc.option(fc.tuple(text, text)),
    )
    .map(
      ([control, action, uomPrec, node, info, fmt]) =>
        `<?xml version="1.0" encoding="UTF-8"?><Event seqnum="3" sid="uuid:1" timestamp="t"><control>${control}</control>` +
        `<action${uomPrec ? ` uom="${uomPrec[0]}" prec="${uomPrec[1]}"` : ''}>${action}</action><node>${node}</node>` +
        `<eventInfo>${info.join('')}</eventInfo>${fmt ? `<fmtAct>${fmt[0]}</fmtAct><fmtName>${fmt[1]}</fmtName>` : ''}</Event>`,
    );

  const wrapped = (xml: fc.Arbitrary<string>): fc.Arbitrary<string> =>
    fc
      .tuple(xml, fc.constantFrom('raw', 'json', 'json-reordered'))
      .map(([x, form]) =>
        form === 'raw'
          ? x
          : form === 'json'
            ? JSON.stringify({ type: 'event', data: x })
            : JSON.stringify({ data: x, type: 'event' }),
      );

  test('all tiers agree on generated envelope variants', () => {
    fc.assert(
      fc.property(wrapped(xmlFrame), (raw) => checkAgreement(raw)),
      { numRuns: 2000 },
    );
  });

  test('all tiers agree on generated canonical frames; both the fast tiers and the fallback are exercised', () => {
    let fast = 0;
    fc.assert(
      fc.property(wrapped(canonical), (raw) => {
        checkAgreement(raw);
        if (!parseFrame(raw).usedFallback) fast++;
      }),
      { numRuns: 2000 },
    );
    // The fast tiers take only ~95–120 of the 2,000 random frames (the rest fall back): 50 keeps the
    // check meaningful without failing on an unlucky seed (the old bound of 100 did, now and then: 96).
    expect(fast).toBeGreaterThan(50);
    expect(2000 - fast).toBeGreaterThan(50);
  });
});
