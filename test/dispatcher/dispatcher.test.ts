import {
  EventDispatcher,
  type DeliveryInfo,
  type IoxEvent,
  type PropertyChange,
  type SequenceGap,
} from '../../src/dispatcher';
import type { Logger } from '../../src/logger';
import { silentLogger } from '../../src/logger';

let seq = 0;
const ev = (
  control: string,
  action: string,
  node = '',
  eventInfo = '',
  extra: { sid?: string; seqnum?: number; uom?: string; prec?: string; fmt?: string } = {},
): string =>
  `<?xml version="1.0" encoding="UTF-8"?><Event seqnum="${extra.seqnum ?? seq++}" sid="${extra.sid ?? 'uuid:1'}" timestamp="2026-05-06T14:35:03-07:00">` +
  `<control>${control}</control><action${extra.uom ? ` uom="${extra.uom}"` : ''}${extra.prec ? ` prec="${extra.prec}"` : ''}>${action}</action>` +
  `<node>${node}</node><eventInfo>${eventInfo}</eventInfo>${extra.fmt ? `<fmtAct>${extra.fmt}</fmtAct>` : ''}</Event>`;

const recordingLogger = (): Logger & { errors: unknown[][] } => {
  const errors: unknown[][] = [];
  return { ...silentLogger, error: (...args: unknown[]) => void errors.push(args), errors };
};

beforeEach(() => {
  seq = 0;
});

describe('EventDispatcher deliveries', () => {
  test('works on plain feed without beginReplay: onEvent, onProperty with previous value and mirror', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    const events: [IoxEvent, DeliveryInfo][] = [];
    const props: PropertyChange[] = [];
    d.onEvent((e, info) => events.push([e, info]));
    d.onProperty((p) => props.push(p));
    d.feed(ev('ST', '0', 'A 1', '', { uom: '100', prec: '0', fmt: 'Off' }));
    d.feed(ev('ST', '255', 'A 1', '', { uom: '100', prec: '0', fmt: 'On' }), { replay: true });
    d.feed(ev('DON', '0', 'A 1'));
    expect(events.map(([e, i]) => [e.control, e.action, i.replay, i.event === e])).toEqual([
      ['ST', '0', false, true],
      ['ST', '255', true, true],
      ['DON', '0', false, true],
    ]);
    expect(props).toEqual([
      {
        node: 'A 1',
        control: 'ST',
        kind: 'status',
        value: '0',
        uom: '100',
        prec: 0,
        formatted: 'Off',
        name: undefined,
        previous: undefined,
      },
      {
        node: 'A 1',
        control: 'ST',
        kind: 'status',
        value: '255',
        uom: '100',
        prec: 0,
        formatted: 'On',
        name: undefined,
        previous: '0',
      },
      {
        node: 'A 1',
        control: 'DON',
        kind: 'command',
        value: '0',
        uom: undefined,
        prec: undefined,
        formatted: undefined,
        name: undefined,
        previous: undefined,
      },
    ]);
    expect(d.mirror.nodes.get('A 1')?.get('ST')).toMatchObject({ value: '255', uom: '100', prec: 0, formatted: 'On' });
    expect(typeof d.mirror.nodes.get('A 1')?.get('ST')?.updatedAt).toBe('number');
  });

  test('onProperty filters by node and control', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    const byNode: string[] = [];
    const byControl: string[] = [];
    const both: string[] = [];
    d.onProperty((p) => byNode.push(p.control), { node: 'B 1' });
    d.onProperty((p) => byControl.push(p.node), { control: 'OL' });
    d.onProperty((p) => both.push(p.value), { node: 'B 1', control: 'ST' });
    d.feed(ev('ST', '1', 'A 1'));
    d.feed(ev('OL', '2', 'A 1'));
    d.feed(ev('ST', '3', 'B 1'));
    d.feed(ev('OL', '4', 'B 1'));
    d.feed(ev('_5', '1'));
    expect(byNode).toEqual(['ST', 'OL']);
    expect(byControl).toEqual(['A 1', 'B 1']);
    expect(both).toEqual(['3']);
  });

  test('typed channels decode system events and the mirror is updated before listeners run', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    const seen: unknown[] = [];
    d.onProgramStatus((p) => seen.push(['program', p, d.mirror.programs.get(p.id)?.runState]));
    d.onVariable((v) => seen.push(['variable', v, d.mirror.variables.get(`${v.type}:${v.id}`)?.value]));
    d.onVariableTableChange((t) => seen.push(['table', t]));
    d.onLifecycle((l) => seen.push(['lifecycle', l.verb, l.address, l.requiresReload, l.status]));
    d.onSystemStatus((s) => seen.push(['system', s.state]));
    d.onHeartbeat((h) => seen.push(['heartbeat', h.maxSilenceSeconds]));
    d.feed(ev('_1', '0', '', '<id>8d</id><off /><rr /><r>260506 14:30:36 </r><f>260506 14:30:37 </f><s>22</s>'));
    d.feed(ev('_1', '6', '', '<var type="2" id="12"><prec>0</prec><val>-3</val><ts>20260506 13:23:15 </ts></var>'));
    d.feed(ev('_1', '9', '', '<var><type>1</type><id>0</id></var>'));
    d.feed(ev('_3', 'WH', '8E 55 0D 1', '<status>1</status>'));
    d.feed(ev('_5', '1'));
    d.feed(ev('_0', '120'));
    expect(seen).toEqual([
      [
        'program',
        {
          id: '8D',
          statusCode: 0x22,
          runState: 'then',
          evaluation: 'true',
          enabled: false,
          runAtReboot: true,
          lastRun: '260506 14:30:36',
          lastFinish: '260506 14:30:37',
        },
        'then',
      ],
      [
        'variable',
        { kind: 'value', type: 2, id: 12, value: -3, init: undefined, prec: 0, ts: '20260506 13:23:15' },
        -3,
      ],
      ['table', { type: 1, id: 0 }],
      ['lifecycle', 'WH', '8E 55 0D 1', false, '1'],
      ['system', 'busy'],
      ['heartbeat', 120],
    ]);
  });

  test('programs and variables reach the mirror even with no listener (init merges with value)', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    d.feed(ev('_1', '0', '', '<id>3</id><on /><nr /><s>31</s>'));
    d.feed(ev('_1', '6', '', '<var type="1" id="1"><prec>1</prec><val>20</val><ts>20260502 14:56:16 </ts></var>'));
    d.feed(ev('_1', '7', '', '<var type="1" id="1"><init>5</init><prec>1</prec></var>'));
    expect(d.mirror.programs.get('3')).toMatchObject({
      id: '3',
      runState: 'idle',
      evaluation: 'false',
      enabled: true,
      runAtReboot: false,
    });
    expect(d.mirror.variables.get('1:1')).toMatchObject({
      type: 1,
      id: 1,
      value: 20,
      init: 5,
      prec: 1,
      ts: '20260502 14:56:16',
    });
  });

  test('a throwing listener is isolated, logged and counted; the others and the feed go on', () => {
    const logger = recordingLogger();
    const d = new EventDispatcher({ logger });
    const after: string[] = [];
    d.onEvent(() => {
      throw new Error('boom');
    });
    d.onEvent((e) => after.push(e.control));
    d.onHeartbeat(() => {
      throw new Error('boom 2');
    });
    d.onHeartbeat((h) => after.push(`hb${h.maxSilenceSeconds}`));
    expect(() => d.feed(ev('_0', '90'))).not.toThrow();
    d.feed(ev('ST', '1', 'A 1'));
    expect(after).toEqual(['_0', 'hb90', 'ST']);
    expect(d.stats.listenerErrors).toBe(3);
    expect(logger.errors).toHaveLength(3);
  });

  test('unsubscribe stops deliveries, also when done during a delivery', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    const got: string[] = [];
    const offA = d.onEvent(() => {
      got.push('a');
      offA();
      offB();
    });
    const offB = d.onEvent(() => got.push('b'));
    const offGap = d.onGap(() => got.push('gap'));
    d.feed(ev('ST', '1', 'A 1'));
    d.feed(ev('ST', '1', 'A 1'));
    offGap();
    d.feed(ev('ST', '1', 'A 1', '', { seqnum: 50 }));
    // Listeners removed during a delivery still get that delivery (copy-on-write), not the next.
    expect(got).toEqual(['a', 'b']);
  });

  test('stats count frames, events, drops by reason, repairs and fallbacks', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    d.feed(ev('ST', '1', 'A 1'));
    d.feed('{"type":"spolisy","data":"{}"}');
    d.feed('');
    d.feed('<Event><control>ST</control>');
    d.feed(ev('_7', '1', '', 'a=1&b=2'));
    d.feed('<Event seqnum="9"><!-- c --><control>ST</control></Event>');
    expect(d.stats).toMatchObject({ framesFed: 6, eventsParsed: 3, repaired: 1, listenerErrors: 0 });
    expect(d.stats.dropped).toMatchObject({ 'not-event': 1, empty: 1, malformed: 1 });
    expect(d.stats.fallbacks).toBe(2);
  });
});

describe('sequence gaps', () => {
  const feedSeq = (d: EventDispatcher, sid: string, nums: number[]): void => {
    for (const n of nums) d.feed(ev('ST', '1', 'A 1', '', { sid, seqnum: n }));
  };

  test('gaps and backward steps within one sid are reported and counted; a new sid restarts', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    const gaps: SequenceGap[] = [];
    d.onGap((g, info) => {
      gaps.push(g);
      expect(info.event.seqnum).toBe(g.received);
    });
    feedSeq(d, 'uuid:1', [0, 1, 2, 5, 6, 4, 5]);
    feedSeq(d, 'uuid:2', [0, 1]);
    expect(gaps).toEqual([
      { sid: 'uuid:1', expected: 3, received: 5, kind: 'gap', missed: 2 },
      { sid: 'uuid:1', expected: 7, received: 4, kind: 'backwards', missed: 0 },
    ]);
    expect(d.stats.gaps).toBe(2);
  });

  test('beginReplay restarts tracking even when the controller reuses the sid', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    feedSeq(d, 'uuid:1', [0, 1, 2]);
    d.beginReplay();
    feedSeq(d, 'uuid:1', [0, 1]);
    expect(d.stats.gaps).toBe(0);
    feedSeq(d, 'uuid:1', [0]);
    expect(d.stats.gaps).toBe(1);
  });
});

describe('mirror mark and sweep', () => {
  test('a replay overwrites in place, never empties the mirror, and sweeps what it did not confirm', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    d.feed(ev('ST', '1', 'A 1'));
    d.feed(ev('OL', '255', 'A 1'));
    d.feed(ev('ST', '0', 'B 1'));
    d.feed(ev('_1', '0', '', '<id>1</id><s>21</s>'));

    d.beginReplay();
    expect(d.mirror.nodes.get('A 1')?.get('ST')?.value).toBe('1');
    const sizes: number[] = [];
    d.onEvent(() => sizes.push(d.mirror.nodes.size));
    d.feed(ev('ST', '2', 'A 1', '', { seqnum: 0 }), { replay: true });
    d.feed(ev('ST', '9', 'C 1', '', { seqnum: 1 }), { replay: true });
    expect(d.mirror.nodes.get('B 1')?.get('ST')?.value).toBe('0'); // still readable mid-replay
    d.endReplay();

    expect(sizes).toEqual([2, 3]);
    expect([...d.mirror.nodes.keys()].sort()).toEqual(['A 1', 'C 1']);
    expect([...d.mirror.nodes.get('A 1')!.keys()]).toEqual(['ST']);
    expect(d.mirror.nodes.get('A 1')?.get('ST')?.value).toBe('2');
    expect(d.mirror.programs.has('1')).toBe(true); // programs are not swept: replays do not carry them all
    expect(d.stats.swept).toBe(2);
    d.endReplay(); // without a mark: no-op
    expect(d.mirror.nodes.size).toBe(2);
  });

  test('a node removed (_3 NR) leaves the mirror', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    d.feed(ev('ST', '1', 'A 1'));
    d.feed(ev('_3', 'NR', 'A 1'));
    expect(d.mirror.nodes.has('A 1')).toBe(false);
  });
});
