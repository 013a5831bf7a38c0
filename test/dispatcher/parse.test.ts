import { parseEventFrame, type IoxEvent } from '../../src/dispatcher';
import { parseFrame } from '../../src/dispatcher/parse';
import { describeWithFixtures, grab, xmlOf } from './fixtures';

const DECL = '<?xml version="1.0" encoding="UTF-8"?>';
const frame = (inner: string, attrs = 'seqnum="1" sid="uuid:1" timestamp="2026-05-06T14:35:03.032401-07:00"'): string =>
  `${DECL}<Event ${attrs}>${inner}</Event>`;
const envelope = (xml: string): string => JSON.stringify({ type: 'event', data: xml });

describeWithFixtures('parseEventFrame on the eisy captures', (fx) => {
  test('every received event frame parses; only the spolisy envelope is not an event', () => {
    const failures = fx.all.filter((f) => xmlOf(f) !== null && parseEventFrame(f) === null);
    expect(failures).toEqual([]);
    const nonEvents = fx.all.filter((f) => xmlOf(f) === null);
    expect(nonEvents).toEqual(['{"type":"spolisy","data":"{\\"status\\":\\"inactive\\"}"}']);
    expect(parseEventFrame(nonEvents[0])).toBeNull();
    expect(parseFrame(nonEvents[0]).drop).toBe('not-event');
  });

  test.each([['ws-frames.jsonl', 'jsonl'] as const, ['ws-frames-pyisy.log', 'pyisy'] as const])(
    'counts per control match the raw text of %s',
    (_file, key) => {
      const frames = fx[key];
      const expected = new Map<string, number>();
      for (const f of frames) {
        const control = grab(xmlOf(f) ?? '', /<control>([^<]*)<\/control>/);
        if (control !== undefined) expected.set(control, (expected.get(control) ?? 0) + 1);
      }
      const actual = new Map<string, number>();
      for (const f of frames) {
        const e = parseEventFrame(f);
        if (e) actual.set(e.control, (actual.get(e.control) ?? 0) + 1);
      }
      expect(actual).toEqual(expected);
      expect(actual.size).toBeGreaterThan(5);
    },
  );

  test('every field matches the raw text (regex over the XML, independent of the parser)', () => {
    for (const f of fx.all) {
      const xml = xmlOf(f);
      if (xml === null) continue;
      const e = parseEventFrame(f)!;
      expect(e.seqnum).toBe(Number(grab(xml, /seqnum="(\d+)"/)));
      expect(e.sid).toBe(grab(xml, /sid="([^"]*)"/));
      expect(e.timestamp).toBe(grab(xml, /timestamp="([^"]*)"/));
      expect(e.action).toBe(grab(xml, /<action[^>]*>([^<]*)<\/action>/));
      expect(e.node).toBe(grab(xml, /<node>([^<]*)<\/node>/) ?? '');
      expect(e.uom).toBe(grab(xml, /<action[^>]* uom="([^"]*)"/));
      const prec = grab(xml, /<action[^>]* prec="([^"]*)"/);
      expect(e.prec).toBe(prec === undefined ? undefined : Number(prec));
      expect(e.formattedAction).toBe(grab(xml, /<fmtAct>([^<]*)<\/fmtAct>/));
      expect(e.formattedName).toBe(grab(xml, /<fmtName>([^<]*)<\/fmtName>/));
      expect(e.eventInfo).toBe(grab(xml, /<eventInfo>([\s\S]*)<\/eventInfo>/) ?? '');
      expect(e.isSystem).toBe(e.control.startsWith('_'));
      expect(e.isProperty).toBe(!e.control.startsWith('_') && e.node !== '');
    }
  });

  const find = (pattern: RegExp): IoxEvent => {
    const raw = fx.jsonl.find((f) => pattern.test(f));
    if (raw === undefined) throw new Error(`no frame matches ${pattern}`);
    return parseEventFrame(raw)!;
  };

  test('known frames decode to the exact expected values', () => {
    expect(find(/seqnum=\\"9\\"/)).toEqual({
      seqnum: 9,
      sid: 'uuid:1',
      timestamp: '2026-05-06T14:30:36.236101-07:00',
      control: '_1',
      action: '0',
      node: '',
      eventInfo: '<id>8D</id><on /><nr /><r>260506 14:30:36 </r><f>260506 14:30:36 </f><s>31</s>',
      eventInfoText: '8D260506 14:30:36 260506 14:30:36 31',
      isSystem: true,
      isProperty: false,
    });
    expect(find(/seqnum=\\"4\\"/)).toMatchObject({
      control: '_3',
      action: 'WH',
      node: '8E 55 0D 1',
      eventInfo: '<status>0</status>',
      eventInfoText: '0',
    });
    expect(find(/seqnum=\\"425\\"/)).toMatchObject({
      control: '_0',
      action: '90',
      node: '',
      eventInfo: '',
      isSystem: true,
    });
    expect(find(/<control>_7</)).toMatchObject({
      seqnum: 15,
      control: '_7',
      action: '1',
      eventInfo: '<![CDATA[U7 Rest:  submitCmd([6536],[DOF],[<NULL>])]]>',
      eventInfoText: 'U7 Rest:  submitCmd([6536],[DOF],[<NULL>])',
    });
    expect(find(/seqnum=\\"17\\"/)).toEqual({
      seqnum: 17,
      sid: 'uuid:1',
      timestamp: '2026-04-07T17:06:43.088115-07:00',
      control: 'OL',
      action: '153',
      node: '42 92 8C 1',
      uom: '100',
      prec: 0,
      formattedAction: '60%',
      formattedName: 'On Level',
      eventInfo: '',
      eventInfoText: '',
      isSystem: false,
      isProperty: true,
    });
  });
});

describe('parseEventFrame edge cases', () => {
  test('stray & in eventInfo is escaped and the frame parses (and is counted as repaired)', () => {
    const raw = frame(
      '<control>_7</control><action>1</action><node></node><eventInfo>GET /rest?NUM.107=24&VAL.111=1&amp;x</eventInfo>',
    );
    const result = parseFrame(raw);
    expect(result.event?.eventInfo).toBe('GET /rest?NUM.107=24&amp;VAL.111=1&amp;x');
    expect(result.repaired).toBe(true);
    expect(parseFrame(frame('<control>ST</control><action>1</action>')).repaired).toBe(false);
  });

  test('stray & in a field is escaped then decoded back', () => {
    expect(
      parseEventFrame(frame('<control>GV1</control><action>a & b &lt;c&gt;</action><node>N 1</node>')),
    ).toMatchObject({
      action: 'a & b <c>',
    });
  });

  test('& inside CDATA is left alone', () => {
    const e = parseEventFrame(
      frame('<control>_7</control><action>1</action><eventInfo><![CDATA[a&b <x> ]]></eventInfo>'),
    );
    expect(e?.eventInfo).toBe('<![CDATA[a&b <x> ]]>');
    expect(parseFrame(frame('<control>_7</control><eventInfo><![CDATA[a&b]]></eventInfo>')).repaired).toBe(false);
  });

  test('CDATA containing < and </eventInfo> is preserved verbatim', () => {
    const info = '<![CDATA[if (a < b) </eventInfo> <NULL>]]>';
    expect(
      parseEventFrame(frame(`<control>_7</control><action>1</action><node></node><eventInfo>${info}</eventInfo>`))
        ?.eventInfo,
    ).toBe(info);
  });

  test('empty and self-closing eventInfo, missing node and missing eventInfo', () => {
    expect(
      parseEventFrame(frame('<control>_5</control><action>0</action><node></node><eventInfo></eventInfo>')),
    ).toMatchObject({ eventInfo: '', node: '' });
    expect(parseEventFrame(frame('<control>_5</control><action>0</action><node/><eventInfo/>'))).toMatchObject({
      eventInfo: '',
      node: '',
    });
    expect(parseEventFrame(frame('<control>ST</control><action>0</action>'))).toMatchObject({
      node: '',
      eventInfo: '',
      isProperty: false,
    });
  });

  test('negative and invalid prec', () => {
    expect(
      parseEventFrame(frame('<control>CLITEMP</control><action uom="4" prec="-1">215</action><node>A 1</node>'))?.prec,
    ).toBe(-1);
    expect(
      parseEventFrame(frame('<control>CLITEMP</control><action uom="4" prec="x">215</action><node>A 1</node>'))?.prec,
    ).toBeUndefined();
  });

  test('values stay strings: "007" is not a number', () => {
    const e = parseEventFrame(
      frame('<control>GV1</control><action uom="007">007</action><node>007</node><fmtAct>1e3</fmtAct>'),
    );
    expect(e).toMatchObject({ action: '007', uom: '007', node: '007', formattedAction: '1e3' });
  });

  test('unknown control _99 passes through', () => {
    expect(
      parseEventFrame(frame('<control>_99</control><action>ZZ</action><node></node><eventInfo><x a="1"/></eventInfo>')),
    ).toMatchObject({
      control: '_99',
      action: 'ZZ',
      eventInfo: '<x a="1"/>',
      isSystem: true,
    });
  });

  test('JSON envelopes: non-string data, other types, invalid JSON, key order', () => {
    expect(parseFrame(JSON.stringify({ type: 'event', data: { control: 'ST' } })).drop).toBe('bad-envelope');
    expect(parseFrame(JSON.stringify({ type: 'event', data: 42 })).drop).toBe('bad-envelope');
    expect(parseFrame('{"type":"spolisy","data":"{}"}').drop).toBe('not-event');
    expect(parseFrame('{"type":"event","data":').drop).toBe('bad-envelope');
    expect(parseFrame('[1,2]').event).toBeNull();
    const xml = frame('<control>ST</control><action>1</action><node>A 1</node>');
    expect(parseEventFrame(JSON.stringify({ data: xml, type: 'event' }))).toEqual(parseEventFrame(xml));
    expect(parseEventFrame(envelope(xml))).toEqual(parseEventFrame(xml));
  });

  test('empty, whitespace and non-string input', () => {
    expect(parseFrame('').drop).toBe('empty');
    expect(parseFrame('  \n').drop).toBe('empty');
    expect(parseFrame(envelope('  ')).drop).toBe('empty');
    expect(parseFrame(undefined as unknown as string).drop).toBe('not-string');
    expect(parseEventFrame(42 as unknown as string)).toBeNull();
  });

  test('non-Event roots, events without control, and XML still malformed after repair', () => {
    expect(parseFrame('<?xml version="1.0"?><Other><control>ST</control></Other>').drop).toBe('not-event-root');
    expect(parseFrame('<Event seqnum="1"><action>1</action></Event>').drop).toBe('no-control');
    expect(parseFrame('<Event seqnum="1"><control>ST</control><action>1</actio></Event>').drop).toBe('malformed');
    expect(parseFrame('<Event seqnum="1"><control>ST</control>').drop).toBe('malformed');
    expect(parseFrame('<Event seqnum="1" seqnum="2"><control>ST</control></Event>').drop).toBe('malformed');
    expect(parseFrame('<Event><control>ST</control><control>OL</control></Event>').drop).toBe('malformed');
    expect(parseFrame('<Event><control>ST</control></Event><Event><control>ST</control></Event>').event).toBeNull();
    expect(parseFrame('not xml at all').event).toBeNull();
  });

  test('a DOCTYPE with an entity is never expanded', () => {
    const raw =
      '<?xml version="1.0"?><!DOCTYPE Event [<!ENTITY boom "EXPANDED"><!ENTITY lol2 "&boom;&boom;&boom;">]>' +
      '<Event seqnum="1"><control>&boom;</control><action>&lol2;</action><node></node><eventInfo>&boom;</eventInfo></Event>';
    const result = parseFrame(raw);
    expect(JSON.stringify(result.event)).not.toContain('EXPANDED');
    expect(result.event).toMatchObject({ control: '&boom;', action: '&lol2;', eventInfo: '&boom;' });
    expect(result.usedFallback).toBe(true); // only fast-xml-parser reads a DOCTYPE, with entities off
  });

  test('numeric character references are decoded, invalid ones kept', () => {
    expect(
      parseEventFrame(frame('<control>GV1</control><action>&#65;&#x42;&#0;&#x110000;</action><node>A 1</node>'))
        ?.action,
    ).toBe('AB&#0;&#x110000;');
  });

  test('a 1 MiB frame parses', () => {
    const big = 'x'.repeat(1024 * 1024);
    const e = parseEventFrame(
      frame(`<control>_7</control><action>1</action><node></node><eventInfo><![CDATA[${big}]]></eventInfo>`),
    );
    expect(e?.eventInfo.length).toBe(big.length + 12);
    const bigText = parseEventFrame(envelope(frame(`<control>_7</control><action>${big}</action>`)));
    expect(bigText?.action.length).toBe(big.length);
  });

  test('whitespace between elements, single quotes and reordered attributes', () => {
    const e = parseEventFrame(
      `\n ${DECL}\n<Event timestamp='t' seqnum='5' sid="s" extra="x">\n  <control>ST</control>\n  <action prec="1" uom="51">50</action>\n  <node>A B C 1</node>\n</Event>\n`,
    );
    expect(e).toMatchObject({
      seqnum: 5,
      sid: 's',
      timestamp: 't',
      control: 'ST',
      action: '50',
      uom: '51',
      prec: 1,
      node: 'A B C 1',
    });
  });

  test('missing or non-numeric seqnum becomes -1', () => {
    expect(parseEventFrame('<Event><control>ST</control></Event>')?.seqnum).toBe(-1);
    expect(parseEventFrame('<Event seqnum="1.5"><control>ST</control></Event>')?.seqnum).toBe(-1);
  });
});
