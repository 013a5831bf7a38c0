/** Feeding the captured stream through the dispatcher, checked against values computed from the raw text. */
import { EventDispatcher } from '../../src/dispatcher';
import { silentLogger } from '../../src/logger';
import { describeWithFixtures, grab, xmlOf } from './fixtures';

describeWithFixtures('dispatcher replaying ws-frames.jsonl', (fx) => {
  /** Last action per (node, control) for node events, from a regex over the raw XML. */
  const expectedMirror = (frames: string[]): Map<string, Map<string, string>> => {
    const nodes = new Map<string, Map<string, string>>();
    for (const f of frames) {
      const xml = xmlOf(f);
      if (xml === null) continue;
      const control = grab(xml, /<control>([^<]*)<\/control>/)!;
      const node = grab(xml, /<node>([^<]*)<\/node>/) ?? '';
      if (control.startsWith('_') || node === '') continue;
      if (!nodes.has(node)) nodes.set(node, new Map());
      nodes.get(node)!.set(control, grab(xml, /<action[^>]*>([^<]*)<\/action>/)!);
    }
    return nodes;
  };
  const actualMirror = (d: EventDispatcher): Map<string, Map<string, string>> =>
    new Map(
      [...d.mirror.nodes].map(([node, controls]) => [node, new Map([...controls].map(([c, s]) => [c, s.value]))]),
    );

  test('the mirror after the replay equals the last value per (node, control) in the raw frames', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    d.beginReplay();
    // The replay is the burst before the first `_0` heartbeat that follows seqnum 14 (see WIRE.md): seqnum <= 424.
    const replay = fx.jsonl.filter((f) => Number(grab(f, /seqnum=\\"(\d+)\\"/) ?? -1) <= 424);
    for (const f of replay) d.feed(f, { replay: true });
    d.endReplay();
    expect(actualMirror(d)).toEqual(expectedMirror(replay));
    expect(d.mirror.nodes.size).toBeGreaterThan(50);
  });

  test('a second replay of the same capture keeps the mirror identical; one that omits a node sweeps it', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    for (const f of fx.jsonl) d.feed(f);
    const before = actualMirror(d);
    d.beginReplay();
    for (const f of fx.jsonl) d.feed(f, { replay: true });
    d.endReplay();
    expect(actualMirror(d)).toEqual(before);

    const victim = [...before.keys()][0];
    d.beginReplay();
    for (const f of fx.jsonl) if (!f.includes(`<node>${victim}</node>`)) d.feed(f, { replay: true });
    d.endReplay();
    const expected = new Map(before);
    expected.delete(victim);
    expect(actualMirror(d)).toEqual(expected);
  });

  test('typed channels see every structured event in the capture, stats add up', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    const counts = { program: 0, variable: 0, lifecycle: 0, system: 0, heartbeat: 0, events: 0 };
    d.onEvent(() => counts.events++);
    d.onProgramStatus(() => counts.program++);
    d.onVariable(() => counts.variable++);
    d.onLifecycle(() => counts.lifecycle++);
    d.onSystemStatus(() => counts.system++);
    d.onHeartbeat((h) => {
      expect(h.maxSilenceSeconds).toBe(90);
      counts.heartbeat++;
    });
    const raw = fx.jsonl.map((f) => xmlOf(f) ?? '').join('\n');
    const count = (re: RegExp): number => (raw.match(re) ?? []).length;
    for (const f of fx.jsonl) d.feed(f);
    expect(counts).toEqual({
      program: count(/<control>_1<\/control><action>0</g),
      variable: count(/<control>_1<\/control><action>[67]</g),
      lifecycle: count(/<control>_3</g),
      system: count(/<control>_5</g),
      heartbeat: count(/<control>_0</g),
      events: fx.jsonl.length - 1,
    });
    expect(d.stats).toMatchObject({
      framesFed: fx.jsonl.length,
      eventsParsed: fx.jsonl.length - 1,
      undecodable: 0,
      listenerErrors: 0,
      fallbacks: 0,
    });
    expect(d.stats.dropped['not-event']).toBe(1);
    // The capture itself has seqnum holes after the replay (e.g. 425 → 428).
    const seqnums = fx.jsonl
      .map((f) => grab(f, /seqnum=\\"(\d+)\\"/))
      .filter((s): s is string => s !== undefined)
      .map(Number);
    const holes = seqnums.filter((n, i) => i > 0 && n !== seqnums[i - 1] + 1).length;
    expect(d.stats.gaps).toBe(holes);
    expect(holes).toBeGreaterThan(0);
  });

  test('the last program 3 status and variable 2:8 in the capture are in the mirror', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    for (const f of fx.jsonl) d.feed(f);
    expect(d.mirror.programs.get('3')).toMatchObject({
      id: '3',
      enabled: true,
      runAtReboot: false,
      statusCode: 0x31,
      runState: 'idle',
      evaluation: 'false',
      lastRun: '260506 14:35:25',
    });
    expect(d.mirror.variables.get('2:8')).toMatchObject({ type: 2, id: 8, value: 1, prec: 0, ts: '20260506 14:36:01' });
    expect(d.mirror.variables.get('2:1')).toMatchObject({ init: 0 });
  });

  test('a variable init frame from the pyisy capture decodes', () => {
    const d = new EventDispatcher({ logger: silentLogger });
    const got: unknown[] = [];
    d.onVariable((v, info) => got.push([v, info.event.seqnum]));
    for (const f of fx.pyisy) d.feed(f);
    expect(got).toContainEqual([
      { kind: 'init', type: 1, id: 1, value: undefined, init: 20, prec: 1, ts: undefined },
      310,
    ]);
  });
});
