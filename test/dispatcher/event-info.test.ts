/**
 * `eventInfo` after the stray-`&` repair: the XML field is well-formed (a stray `&` appears as
 * `&amp;`, as documented), and `eventInfoText` gives consumers what the controller meant: the
 * decoded text. Before the fix consumers only had `eventInfo`, holding `&amp;` where `&` was sent.
 */
import { parseEventFrame } from '../../src/dispatcher';
import { parseEventFrameWithFallback } from '../../src/dispatcher/parse';
import { frame } from '../../bench/worstFrames';
import type { IoxEvent } from '../../src/dispatcher/types';

const withInfo = (inner: string): string => frame('_7', '1', '', inner);

describe('eventInfo and eventInfoText', () => {
  test.each([
    ['NUM.107=24&VAL.111=1', 'NUM.107=24&amp;VAL.111=1', 'NUM.107=24&VAL.111=1'],
    ['NUM.107=24&amp;VAL.111=1', 'NUM.107=24&amp;VAL.111=1', 'NUM.107=24&VAL.111=1'],
    ['a &lt; b &#x41;', 'a &lt; b &#x41;', 'a < b A'],
    ['<![CDATA[x&y <z>]]>', '<![CDATA[x&y <z>]]>', 'x&y <z>'],
    ['<a k="1>2">x&amp;y</a><b/>&amp;', '<a k="1>2">x&amp;y</a><b/>&amp;', 'x&y&'],
    ['', '', ''],
  ])('%j', (sent, xml, text) => {
    for (const event of [parseEventFrame(withInfo(sent)), parseEventFrameWithFallback(withInfo(sent))]) {
      expect(event?.eventInfo).toBe(xml);
      expect(event?.eventInfoText).toBe(text);
    }
  });

  test('the JSON envelope gives the same', () => {
    const raw = JSON.stringify({ type: 'event', data: withInfo('NUM.107=24&VAL.111=1') });
    expect(parseEventFrame(raw)?.eventInfoText).toBe('NUM.107=24&VAL.111=1');
  });
});

/**
 * Where users read `eventInfoText`: the field itself, and every copy of the event they make. It is
 * decoded on first read (an own enumerable accessor until then), so each copy below is taken from
 * a fresh, unread event; a prototype getter (not copied by spread or JSON) would fail the copies.
 */
describe('eventInfoText wherever the event goes', () => {
  const sent = '<a>x&amp;y</a><![CDATA[ & <z>]]>NUM.107=24&VAL.111=1';
  const text = 'x&y & <z>NUM.107=24&VAL.111=1';
  const fresh = (): IoxEvent[] => [parseEventFrame(withInfo(sent))!, parseEventFrameWithFallback(withInfo(sent))!];

  test('read, and read again', () => {
    for (const event of fresh()) {
      expect(event.eventInfoText).toBe(text);
      expect(event.eventInfoText).toBe(text);
    }
  });

  test('spread, Object.assign, structuredClone and JSON carry the text, in field order', () => {
    for (const copy of [
      ...fresh().map((e) => ({ ...e })),
      ...fresh().map((e) => Object.assign({}, e)),
      ...fresh().map((e) => structuredClone(e)),
      ...fresh().map((e) => JSON.parse(JSON.stringify(e)) as IoxEvent),
    ]) {
      expect(Object.getOwnPropertyDescriptor(copy, 'eventInfoText')).toMatchObject({ value: text, enumerable: true });
      expect(Object.keys(copy).slice(-4)).toEqual(['eventInfo', 'eventInfoText', 'isSystem', 'isProperty']);
    }
  });

  test('an event equals its plain-object form, and the plain and the decoded events share their key order', () => {
    for (const event of fresh()) expect(event).toEqual({ ...parseEventFrame(withInfo(sent)) });
    const plain = parseEventFrame(withInfo('plain text'))!;
    expect(Object.keys(plain)).toEqual(Object.keys(fresh()[0]));
    expect(plain.eventInfoText).toBe('plain text');
  });

  test('assignable before and after the first read; a frozen event still reads it and refuses a write', () => {
    const [unread, read] = fresh();
    unread.eventInfoText = 'mine';
    expect(unread.eventInfoText).toBe('mine');
    expect(read.eventInfoText).toBe(text);
    read.eventInfoText = 'mine too';
    expect({ ...read }.eventInfoText).toBe('mine too');
    const frozen: IoxEvent = Object.freeze(fresh()[0]);
    expect(frozen.eventInfoText).toBe(text);
    expect(frozen.eventInfoText).toBe(text);
    expect(() => {
      frozen.eventInfoText = 'no';
    }).toThrow(TypeError);
    expect(frozen.eventInfoText).toBe(text);
  });
});
