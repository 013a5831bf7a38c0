/**
 * Work per frame stays linear in its size: every hostile frame of `bench/worstFrames.ts`, built at
 * the default `maxPayload`, goes through `feed()` (every decoder subscribed) within a generous
 * CPU-time bound. Before the fix, 80,000 distinct attributes took ~9 s (duplicate checks with
 * `includes` over a growing list) and 1e6 `&` in CDATA ~6 s (a `;` search from every `&`).
 */
import { WORST_CASES, frame } from '../../bench/worstFrames';
import { EventDispatcher, type ProgramStatus, type VariableChange } from '../../src/dispatcher';
import { decodeEntities, isFullyDecodable } from '../../src/dispatcher/entities';
import { DEFAULT_MAX_PAYLOAD } from '../../src/options';

/** CPU time, not wall time: the bound must hold on a shared machine too. Linear cases take < 0.5 s. */
const BOUND_MS = 3000;

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function cpuMs(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function subscribedDispatcher(): {
  dispatcher: EventDispatcher;
  programs: ProgramStatus[];
  variables: VariableChange[];
} {
  const dispatcher = new EventDispatcher({ logger: silent });
  const programs: ProgramStatus[] = [];
  const variables: VariableChange[] = [];
  const noop = (): void => {};
  dispatcher.onEvent(noop);
  dispatcher.onProperty(noop);
  dispatcher.onProgramStatus((p) => programs.push(p));
  dispatcher.onVariable((v) => variables.push(v));
  dispatcher.onVariableTableChange(noop);
  dispatcher.onLifecycle(noop);
  dispatcher.onSystemStatus(noop);
  dispatcher.onHeartbeat(noop);
  return { dispatcher, programs, variables };
}

describe('work per frame at maxPayload', () => {
  test.each(WORST_CASES.map((c) => [c.name, c] as const))('%s: feed() finishes within the bound', (_name, c) => {
    const raw = c.build(DEFAULT_MAX_PAYLOAD);
    expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(DEFAULT_MAX_PAYLOAD);
    expect(raw.length).toBeGreaterThan(DEFAULT_MAX_PAYLOAD * 0.15);
    const { dispatcher } = subscribedDispatcher();
    const ms = cpuMs(() => dispatcher.feed(raw));
    expect(dispatcher.stats.framesFed).toBe(1);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  test('80,000 distinct attributes on <Event> parse, and a repeated one is still refused', () => {
    const c = WORST_CASES.find((w) => w.name === 'attributes on <Event>')!;
    const raw = c.build(DEFAULT_MAX_PAYLOAD);
    const { dispatcher } = subscribedDispatcher();
    let ms = cpuMs(() => expect(dispatcher.feed(raw)?.control).toBe('ST'));
    expect(ms).toBeLessThan(BOUND_MS);
    const repeated = raw.replace('<Event seqnum="1"', '<Event seqnum="1" a5="2"');
    ms = cpuMs(() => expect(dispatcher.feed(repeated)).toBeNull());
    expect(ms).toBeLessThan(BOUND_MS);
    expect(dispatcher.stats.dropped.malformed).toBe(1);
  });

  test('1e6 `&` and one `;` in a program id CDATA: decoded verbatim, in linear time', () => {
    const id = `${'&'.repeat(1_000_000)};`;
    const { dispatcher, programs } = subscribedDispatcher();
    const ms = cpuMs(() => dispatcher.feed(frame('_1', '0', '', `<id><![CDATA[${id}]]></id><s>21</s>`)));
    expect(ms).toBeLessThan(BOUND_MS);
    expect(programs).toHaveLength(1);
    expect(programs[0].id).toBe(id);
  });

  test('entity decoding looks for the `;` only within a reference length', () => {
    const text = `${'&'.repeat(1_000_000)};&amp;&#x41;`;
    let decoded = '';
    const ms = cpuMs(() => {
      decoded = decodeEntities(text);
      expect(isFullyDecodable(text)).toBe(false);
      expect(isFullyDecodable(`${'&amp;'.repeat(200_000)}x`)).toBe(true);
    });
    expect(ms).toBeLessThan(BOUND_MS);
    expect(decoded).toBe(`${'&'.repeat(1_000_000)};&A`);
    // The longest references still decode.
    expect(decodeEntities('&#x10FFFF;&#1114111;')).toBe(String.fromCodePoint(0x10ffff).repeat(2));
  });
});
