import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EventDispatcher } from '../../src/dispatcher/dispatcher';
import { parseEventFrame } from '../../src/dispatcher/parse';
import { parseControllerTime, ReplayClock, type ReplayVerdict } from '../../src/dispatcher/replayClock';
import { describeWithFixtures, FIXTURE_DIR } from './fixtures';

describe('parseControllerTime', () => {
  it('reads the controller format, offset and microseconds included', () => {
    expect(parseControllerTime('2026-05-06T14:34:43.779036-07:00')).toBe(Date.UTC(2026, 4, 6, 21, 34, 43, 779));
    expect(parseControllerTime('2026-05-06T21:34:43Z')).toBe(Date.UTC(2026, 4, 6, 21, 34, 43));
    expect(parseControllerTime('2026-05-06T23:34:43.5+0200')).toBe(Date.UTC(2026, 4, 6, 21, 34, 43, 500));
  });

  it.each([
    ['', 'absent'],
    ['2026-05-06 14:34:43', 'no T, no offset'],
    ['2026-05-06T14:34:43', 'no offset: local to an unknown zone'],
    ['1970-01-01T00:00:07Z', 'a controller that never got the time'],
    ['2026-13-06T14:34:43Z', 'month 13'],
    ['yesterday', 'not a date'],
  ])('refuses %j (%s)', (text) => {
    expect(parseControllerTime(text)).toBeUndefined();
  });
});

/** A frame as the classifier sees it: its stamp (controller clock) and its arrival (local clock). */
interface Arrival {
  timestamp: string;
  at: number;
  truth: 'replay' | 'live';
}

const iso = (ms: number): string => new Date(ms).toISOString();

function run(clock: ReplayClock, frames: readonly Arrival[], connectAfter = -1): ReplayVerdict[] {
  return frames.map((f, i) => {
    const verdict = clock.classify(f.timestamp, f.at);
    if (i === connectAfter) clock.connected();
    return verdict;
  });
}

function misflagged(frames: readonly Arrival[], verdicts: readonly ReplayVerdict[]): number {
  return frames.filter((f, i) => verdicts[i] !== f.truth).length;
}

/**
 * A busy house: the controller's clock runs `skew` ms ahead; the replay (stamped with last-change
 * times, the latest 5 ms before the subscription, plus a `_5` header frame stamped at it) arrives
 * in 300 ms; live changes every `every` ms from 1 ms after the subscription, the first ones queued
 * behind the replay.
 */
function busyHouse(t0: number, skew: number, every: number): Arrival[] {
  const frames: Arrival[] = [];
  const replayMs = 300;
  frames.push({ timestamp: iso(t0 - 86_400_000 + skew), at: t0 + 20, truth: 'replay' });
  frames.push({ timestamp: iso(t0 + skew), at: t0 + 21, truth: 'replay' });
  for (let i = 0; i < 200; i++) {
    const changedAt = i === 100 ? t0 - 5 : t0 - 1000 - i * 997;
    frames.push({ timestamp: iso(changedAt + skew), at: t0 + 22 + (i * replayMs) / 200, truth: 'replay' });
  }
  for (let at = t0 + 1; at < t0 + 3000; at += every)
    frames.push({ timestamp: iso(at + skew), at: Math.max(at, t0 + 22 + replayMs) + 1, truth: 'live' });
  return frames;
}

const T1 = Date.UTC(2026, 10, 30, 12, 0, 0, 0);
const T2 = T1 + 3_600_000;

describe('ReplayClock', () => {
  it('cannot decide on a first subscription without a Date header, then calibrates on live frames', () => {
    const clock = new ReplayClock();
    const first = busyHouse(T1, 950, 200);
    clock.begin({ openedAt: T1 });
    const lastReplay = first.findIndex((f) => f.truth === 'live') - 1;
    const verdicts = run(clock, first, lastReplay + 3);
    expect(verdicts.slice(0, lastReplay + 4).every((v) => v === 'undecided')).toBe(true);
    expect(clock.stats.fallback).toBe('no-reference');
    // After CONNECTED the (live) frames calibrate the clock: the offset is the skew minus ~1 ms latency.
    expect(clock.stats.clockOffsetMs).toBeGreaterThanOrEqual(948);
    expect(clock.stats.clockOffsetMs).toBeLessThanOrEqual(950);

    const second = busyHouse(T2, 950, 200);
    clock.begin({ openedAt: T2 });
    expect(clock.stats.reference).toBe('calibrated');
    expect(misflagged(second, run(clock, second))).toBe(0);
  });

  it.each([200, 50])(
    'pins the subscription with the Date header and a header frame: busy house every %i ms',
    (every) => {
      const clock = new ReplayClock();
      const t0 = Date.UTC(2026, 10, 30, 12, 0, 0, 640);
      const frames = busyHouse(t0, 950, every);
      // The controller answered the upgrade in the second its clock called 12:00:01 (t0 + 950 ms skew).
      clock.begin({ openedAt: t0, serverDate: new Date(t0 + 950).toUTCString() });
      expect(clock.stats.reference).toBe('date-header');
      const verdicts = run(clock, frames);
      expect(misflagged(frames, verdicts)).toBe(0);
    },
  );

  it('with a Date header but no header frame stamped at the subscription, stays on the safe side', () => {
    const clock = new ReplayClock();
    const t0 = Date.UTC(2026, 10, 30, 12, 0, 0, 640);
    const frames = busyHouse(t0, 0, 200).filter((_, i) => i !== 1);
    clock.begin({ openedAt: t0, serverDate: new Date(t0).toUTCString() });
    const verdicts = run(clock, frames);
    // No replayed frame is called live; live changes within the Date header's second may be held as replay.
    const falseLive = frames.filter((f, i) => f.truth === 'replay' && verdicts[i] === 'live').length;
    expect(falseLive).toBe(0);
    expect(verdicts.at(-1)).toBe('live');
  });

  // The controller answers at :00.980 by its clock (= ours here); 'open' is seen `lag` ms later; the
  // replay's first frame is stamped as it is sent, right after. A late 'open' must not make it live.
  it.each([5, 40, 200])(
    "a Date header's second ending before a late 'open' (%i ms lag): the replay stays replay",
    (lag) => {
      const second = Date.UTC(2026, 10, 30, 20, 0, 0, 0);
      const requestedAt = second + 960;
      const openedAt = second + 980 + lag;
      const clock = new ReplayClock();
      clock.begin({ openedAt, requestedAt, serverDate: new Date(second).toUTCString() });
      expect(clock.classify(new Date(openedAt + 1).toISOString(), openedAt + 2)).toBe('replay');
      expect(clock.classify(new Date(second - 3_600_000).toISOString(), openedAt + 3)).toBe('replay');
      // A live change well after the replay is still live.
      expect(clock.classify(new Date(openedAt + 1500).toISOString(), openedAt + 1501)).toBe('live');
    },
  );

  it('falls back, and says why, for frames without a timestamp (ISY994 v4)', () => {
    const clock = new ReplayClock();
    clock.begin({ openedAt: 0, serverDate: new Date(0).toUTCString() });
    expect(clock.classify('', 5)).toBe('undecided');
    expect(clock.stats.fallback).toBe('no-timestamp');
    expect(clock.classify('garbage', 6)).toBe('undecided');
    expect(clock.stats.fallback).toBe('bad-timestamp');
    expect(clock.stats.byQuietWindow).toBe(2);
  });

  it('stops trusting its calibration when the controller clock jumps forward', () => {
    const clock = new ReplayClock();
    const first = busyHouse(T1, 0, 200);
    clock.begin({ openedAt: T1 });
    run(clock, first, first.findIndex((f) => f.truth === 'live') + 2);
    expect(clock.stats.clockOffsetMs).not.toBeNull();
    const second = busyHouse(T2, 3_600_000, 200); // NTP stepped the controller an hour ahead
    clock.begin({ openedAt: T2 });
    const verdicts = run(clock, second);
    expect(verdicts.slice(1).every((v) => v === 'undecided')).toBe(true);
    expect(clock.stats.fallback).toBe('clock-jump');
  });
});

interface CaptureRecord {
  direction: string;
  time: number;
  data: string;
}

describeWithFixtures('ReplayClock on the real eisy capture', () => {
  const records = readFileSync(resolve(FIXTURE_DIR, 'ws-frames.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CaptureRecord);
  const sentAt = records.find((r) => r.direction === 'send')!.time * 1000;
  // Every event with its arrival; the replay is the burst before the 17.6 s silence (seqnum < 424).
  const events = records
    .filter((r) => r.direction === 'receive')
    .map((r) => ({ event: parseEventFrame(r.data), at: r.time * 1000 }))
    .filter((e) => e.event !== null)
    .map((e) => ({
      timestamp: e.event!.timestamp,
      at: e.at,
      truth: e.event!.seqnum < 424 ? ('replay' as const) : ('live' as const),
    }));

  it('holds 424 replayed and 37 live events', () => {
    expect(existsSync(FIXTURE_DIR)).toBe(true);
    expect(events.filter((e) => e.truth === 'replay')).toHaveLength(424);
    expect(events.filter((e) => e.truth === 'live')).toHaveLength(37);
  });

  it('classifies every frame right with the Date header the controller would have sent', () => {
    // The controller's clock ran ~0.95 s ahead (measured on the live frames).
    const clock = new ReplayClock();
    clock.begin({ openedAt: sentAt, serverDate: new Date(sentAt + 950).toUTCString() });
    expect(misflagged(events, run(clock, events))).toBe(0);
    expect(clock.stats.clockOffsetMs).toBeGreaterThan(940);
    expect(clock.stats.clockOffsetMs).toBeLessThan(950);
  });

  it('classifies every frame right on a reconnect, by the offset the live frames taught', () => {
    const clock = new ReplayClock();
    clock.begin({ openedAt: sentAt });
    run(clock, events, 423);
    clock.begin({ openedAt: sentAt });
    expect(misflagged(events, run(clock, events))).toBe(0);
  });
});

describe('EventDispatcher with a replay decision per event', () => {
  it('hands listeners the flag the function decides from the parsed event', () => {
    const d = new EventDispatcher();
    const seen: Array<[string, boolean]> = [];
    d.onEvent((e, info) => seen.push([e.timestamp, info.replay]));
    const frame = (ts: string) =>
      `<?xml version="1.0" encoding="UTF-8"?><Event seqnum="1" sid="uuid:1" timestamp="${ts}"><control>ST</control><action>0</action><node>A 1</node><eventInfo></eventInfo></Event>`;
    const decide = (e: { timestamp: string }) => e.timestamp.startsWith('2025');
    d.feed(frame('2025-01-01T00:00:00Z'), { replay: decide });
    d.feed(frame('2026-01-01T00:00:00Z'), { replay: decide });
    expect(seen).toEqual([
      ['2025-01-01T00:00:00Z', true],
      ['2026-01-01T00:00:00Z', false],
    ]);
  });
});
