/**
 * `eventInfo` after the stray-`&` repair: the XML field is well-formed (a stray `&` appears as
 * `&amp;`, as documented), and `eventInfoText` gives consumers what the controller meant: the
 * decoded text. Before the fix consumers only had `eventInfo`, holding `&amp;` where `&` was sent.
 */
import { parseEventFrame } from '../../src/dispatcher';
import { parseEventFrameWithFallback } from '../../src/dispatcher/parse';
import { frame } from '../../bench/worstFrames';

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
