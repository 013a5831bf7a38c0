/**
 * Differential tests of the hand-written `_1` payload reader (`payloadFast.ts`): the decoders
 * (fast reader first, fast-xml-parser when it declines) must give exactly what the
 * fast-xml-parser path alone gives, on every fixture payload and on generated and mutated ones.
 */
import fc from 'fast-check';
import { parseEventFrame } from '../../src/dispatcher';
import {
  decodeProgramStatus,
  decodeVariable,
  decodeVariableTableChange,
  programStatusViaParser,
  variableTableChangeViaParser,
  variableViaParser,
} from '../../src/dispatcher/decoders';
import { readProgram, readVar } from '../../src/dispatcher/payloadFast';
import type { IoxEvent } from '../../src/dispatcher/types';
import { characterData } from '../../src/dispatcher/entities';
import { describeWithFixtures } from './fixtures';

function trigger(action: string, eventInfo: string): IoxEvent {
  return {
    seqnum: 1,
    sid: 's',
    timestamp: '',
    control: '_1',
    action,
    node: '',
    uom: undefined,
    prec: undefined,
    formattedAction: undefined,
    formattedName: undefined,
    eventInfo,
    eventInfoText: characterData(eventInfo),
    isSystem: true,
    isProperty: false,
  };
}

/** Every `_1` decoder agrees with its fast-xml-parser-only reference on this payload. */
function checkPayload(eventInfo: string): void {
  const program = trigger('0', eventInfo);
  expect(decodeProgramStatus(program)).toStrictEqual(programStatusViaParser(program));
  for (const action of ['6', '7']) {
    const variable = trigger(action, eventInfo);
    expect(decodeVariable(variable)).toStrictEqual(variableViaParser(variable));
  }
  const table = trigger('9', eventInfo);
  expect(decodeVariableTableChange(table)).toStrictEqual(variableTableChangeViaParser(table));
}

const scratch: (string | undefined)[] = [];
const fastAccepts = (eventInfo: string): boolean => readProgram(eventInfo, scratch) || readVar(eventInfo, scratch);

const REAL_PAYLOADS = [
  '<id>8D</id><on /><nr /><r>260506 14:30:36 </r><f>260506 14:30:36 </f><s>31</s>',
  '<id>3</id><off /><nr /><r>260502 06:43:01 </r><f>260502 06:43:01 </f><s>21</s>',
  '<var type="2" id="12"><prec>0</prec><val>0</val><ts>20260506 13:23:15 </ts></var>',
  '<var type="1" id="1"><init>20</init><prec>1</prec></var>',
  '<var type="2" id="0"/>',
  '<var><type>1</type><id>0</id></var>',
];

describeWithFixtures('differential: _1 payload reader', (fx) => {
  const fixturePayloads = [...new Set(fx.all.map((raw) => parseEventFrame(raw)?.eventInfo ?? ''))];

  test('every fixture payload decodes identically under every _1 action, and the real _1 payloads take the fast reader', () => {
    for (const info of [...fixturePayloads, ...REAL_PAYLOADS]) checkPayload(info);
    const real = fx.all
      .map((raw) => parseEventFrame(raw))
      .filter((e): e is IoxEvent => e !== null && e.control === '_1' && ['0', '6', '7', '9'].includes(e.action));
    expect(real.length).toBeGreaterThan(0);
    for (const e of real)
      expect({ info: e.eventInfo, fast: fastAccepts(e.eventInfo) }).toEqual({ info: e.eventInfo, fast: true });
  });

  // Generated payloads: the shapes the reader accepts and their near misses.
  const NAMES = [
    'id',
    's',
    'r',
    'f',
    'on',
    'off',
    'rr',
    'nr',
    'val',
    'init',
    'prec',
    'ts',
    'type',
    'id',
    'var',
    'x',
    'p',
    'ID',
    '__proto__',
    'constructor',
  ];
  const TEXTS = [
    '',
    '3',
    '8D',
    ' 8d ',
    '31',
    'F0',
    'zz',
    '-7',
    '2.5',
    ' 12 ',
    '007',
    '1e3',
    '260506 14:30:36 ',
    '&amp;',
    '&lt;1&gt;',
    '&#65;',
    '&#x41;',
    '&xxe;',
    'a&b',
    '>',
    'é',
    '\n',
    '\t1',
    '<![CDATA[5]]>',
    '0x1F',
  ];
  const text = fc.constantFrom(...TEXTS);
  const name = fc.constantFrom(...NAMES);
  const element: fc.Arbitrary<string> = fc.oneof(
    fc.tuple(name, text).map(([n, t]) => `<${n}>${t}</${n}>`),
    fc
      .tuple(name, fc.constantFrom('/>', ' />', '  />', '></', '>'))
      .map(([n, end]) => (end === '></' ? `<${n}></${n}>` : `<${n}${end}`)),
    fc.tuple(name, fc.constantFrom(' a="1"', ' type="2"', " id='3'"), text).map(([n, a, t]) => `<${n}${a}>${t}</${n}>`),
    fc.tuple(name, name, text).map(([a, b, t]) => `<${a}><${b}>${t}</${b}></${a}>`),
    fc.constantFrom(' ', '\n', 'text', '<!-- c -->', '&amp;'),
  );
  const attrs = fc
    .array(fc.tuple(fc.constantFrom('type', 'id', 'x', 'TYPE'), text, fc.constantFrom('"', "'")), { maxLength: 3 })
    .map((list) => list.map(([n, v, q]) => ` ${n}=${q}${v}${q}`).join(''));
  const flat = fc.array(element, { maxLength: 8 }).map((parts) => parts.join(''));
  const variable = fc
    .tuple(attrs, flat, fc.constantFrom('', '/', ' ', 'tail'))
    .map(([a, body, variant]) =>
      variant === '/'
        ? `<var${a}/>`
        : variant === 'tail'
          ? `<var${a}>${body}</var><var/>`
          : `<var${a}${variant}>${body}</var>`,
    );
  // Clean payloads in the accepted shape (known names, each once, simple texts), with any text.
  const cleanElement = (names: readonly string[]) =>
    fc
      .uniqueArray(fc.tuple(fc.constantFrom(...names), text, fc.constantFrom('text', '/>', ' />')), {
        selector: ([n]) => n,
        maxLength: names.length,
      })
      .map((list) => list.map(([n, t, form]) => (form === 'text' ? `<${n}>${t}</${n}>` : `<${n}${form}`)).join(''));
  const cleanProgram = cleanElement(['id', 's', 'r', 'f', 'on', 'off', 'rr', 'nr']);
  const cleanVar = fc
    .tuple(
      fc.uniqueArray(fc.tuple(fc.constantFrom('type', 'id'), text), { selector: ([n]) => n, maxLength: 2 }),
      cleanElement(['val', 'init', 'prec', 'ts', 'type', 'id']),
    )
    .map(([a, body]) => `<var${a.map(([n, v]) => ` ${n}="${v}"`).join('')}${body === '' ? '/>' : `>${body}</var>`}`);
  const payload = fc.oneof(flat, variable, cleanProgram, cleanVar);

  test('generated flat and <var> payloads decode identically', () => {
    let accepted = 0;
    fc.assert(
      fc.property(payload, (info) => {
        if (fastAccepts(info)) accepted++;
        checkPayload(info);
      }),
      { numRuns: 4000 },
    );
    expect(accepted).toBeGreaterThan(1000); // the test exercises the fast reader, not only its refusals
  });

  const TOKENS = [
    '<',
    '>',
    '/',
    ' ',
    '&',
    '&amp;',
    '"',
    "'",
    '=',
    '</var>',
    '<var>',
    '<on />',
    '<id>',
    '</id>',
    '<s>',
    '<val>',
    '</val>',
    '<![CDATA[',
    ']]>',
    '\n',
    'é',
  ];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 30 }) }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;
  const apply = (s: string, m: Mutation): string => {
    const at = m.at % (s.length + 1);
    if (m.kind === 'insert') return s.slice(0, at) + m.token + s.slice(at);
    if (m.kind === 'delete') return s.slice(0, at) + s.slice(at + m.length);
    return s.slice(0, at + m.length) + s.slice(at, at + m.length) + s.slice(at + m.length);
  };

  test('mutated real payloads decode identically', () => {
    const seeds = [...REAL_PAYLOADS, ...fixturePayloads.filter((p) => p.startsWith('<'))];
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 3 }), (seed, mutations) => {
        let info = seed;
        for (const m of mutations) info = apply(info, m);
        checkPayload(info);
      }),
      { numRuns: 4000 },
    );
  });
});
