/** Property-based: nothing a socket can deliver makes parse or feed throw. */
import fc from 'fast-check';
import { EventDispatcher, parseEventFrame } from '../../src/dispatcher';
import { silentLogger } from '../../src/logger';
import { describeWithFixtures } from './fixtures';

const sumDropped = (d: EventDispatcher): number => Object.values(d.stats.dropped).reduce((a, b) => a + b, 0);

describe('never throws on arbitrary input', () => {
  test('parseEventFrame and feed on arbitrary strings', () => {
    const dispatcher = new EventDispatcher({ logger: silentLogger });
    dispatcher.onEvent(() => undefined);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.json(),
          fc.string({
            unit: fc.constantFrom(
              '<',
              '>',
              '/',
              'Event',
              'control',
              '&',
              ';',
              '"',
              '{',
              '}',
              ':',
              'a',
              ' ',
              '![CDATA[',
              ']]>',
            ),
          }),
        ),
        (s) => {
          parseEventFrame(s);
          dispatcher.feed(s);
          dispatcher.feed(s, { replay: true });
        },
      ),
      { numRuns: 1000 },
    );
    expect(dispatcher.stats.framesFed).toBe(dispatcher.stats.eventsParsed + sumDropped(dispatcher));
  });

  test('feed on arbitrary non-string values', () => {
    const dispatcher = new EventDispatcher({ logger: silentLogger });
    fc.assert(
      fc.property(fc.anything(), (v) => {
        expect(dispatcher.feed(v as string)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

describeWithFixtures('never throws on mutated captured frames', (fx) => {
  test('random byte-level edits of real frames', () => {
    const dispatcher = new EventDispatcher({ logger: silentLogger });
    for (const cb of [
      'onProgramStatus',
      'onVariable',
      'onVariableTableChange',
      'onLifecycle',
      'onSystemStatus',
      'onHeartbeat',
      'onGap',
    ] as const) {
      dispatcher[cb](() => undefined);
    }
    dispatcher.onProperty(() => undefined);
    fc.assert(
      fc.property(
        fc.constantFrom(...fx.all),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 4, unit: 'binary' })), {
          minLength: 1,
          maxLength: 4,
        }),
        (raw, edits) => {
          let s = raw;
          for (const [at, del, ins] of edits) {
            const i = at % (s.length + 1);
            s = s.slice(0, i) + ins + s.slice(i + del);
          }
          parseEventFrame(s);
          dispatcher.feed(s);
        },
      ),
      { numRuns: 1000 },
    );
    expect(dispatcher.stats.framesFed).toBe(dispatcher.stats.eventsParsed + sumDropped(dispatcher));
    expect(dispatcher.stats.eventsParsed).toBeGreaterThan(0);
  });
});
