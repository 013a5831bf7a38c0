import { createEventStream, silentLogger, type EventStream, type IoxEvent } from '../../src';
import { startSimulator, type Simulator } from '../../src/simulator';

/**
 * Issue 14: in a busy house (a live change every 200 ms) the quiet window never elapses, so the
 * stream used to sit in SYNCING until the 10 s cap and hand every live change of those 10 s to
 * listeners as `replay: true`. By the controller's clock, the first live frame ends SYNCING.
 */

interface Seen {
  event: IoxEvent;
  replay: boolean;
  at: number;
  sid: string;
}

function record(stream: EventStream): { seen: Seen[]; connectedAt: number[] } {
  const seen: Seen[] = [];
  const connectedAt: number[] = [];
  stream.onEvent((event, info) => seen.push({ event, replay: info.replay, at: Date.now(), sid: event.sid }));
  stream.onStatus((status) => {
    if (status === 'CONNECTED') connectedAt.push(Date.now());
  });
  return { seen, connectedAt };
}

/** Frames of one subscription, checked against the simulator's own count of its replay. */
function verdicts(seen: readonly Seen[], sid: string, replayEnd: number) {
  const frames = seen.filter((s) => s.sid === sid);
  const replay = frames.filter((s) => s.event.seqnum < replayEnd);
  const live = frames.filter((s) => s.event.seqnum >= replayEnd);
  return {
    replay,
    live,
    replayFlaggedLive: replay.filter((s) => !s.replay).length,
    liveFlaggedReplay: live.filter((s) => s.replay).length,
    lastReplayAt: replay.at(-1)?.at ?? Number.NaN,
  };
}

const until = async (predicate: () => boolean, ms: number, what: string): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('a busy house (a live change every 200 ms)', () => {
  let sim: Simulator;
  let stream: EventStream;

  afterEach(async () => {
    await stream?.stop();
    await sim?.close();
  });

  it.each([
    ['with the Date header on the upgrade', true],
    ['without it: the first sync falls back, the reconnect is calibrated', false],
  ])(
    'flags every frame right and is CONNECTED right after the replay, %s',
    async (_name, dateHeader) => {
      sim = await startSimulator({ busy: 200, speed: 4, dateHeader });
      // The default policy: quiet window 1 s, cap 10 s (a shorter cap only keeps the fallback case quick).
      stream = createEventStream({ url: sim.url, logger: silentLogger, syncMaxMs: dateHeader ? 10_000 : 2000 });
      const { seen, connectedAt } = record(stream);
      const replayEnds = new Map<string, number>();
      const watchSessions = setInterval(() => {
        for (const s of sim.sessions()) if (s.sid && s.replayEnd !== undefined) replayEnds.set(s.sid, s.replayEnd);
      }, 5);
      try {
        stream.start();
        await until(() => connectedAt.length === 1, 15_000, 'first CONNECTED');
        await until(() => seen.filter((s) => !s.replay).length >= 5, 5000, 'live changes');
        const firstSid = seen[0].sid;

        sim.faults.drop();
        await until(() => connectedAt.length === 2, 15_000, 'second CONNECTED');
        const secondSid = seen.at(-1)!.sid;
        await until(() => seen.filter((s) => s.sid === secondSid && !s.replay).length >= 5, 5000, 'live changes');

        const subscriptions = dateHeader ? [firstSid, secondSid] : [secondSid];
        for (const [i, sid] of subscriptions.entries()) {
          const v = verdicts(seen, sid, replayEnds.get(sid)!);
          expect(v.replay.length).toBeGreaterThan(100);
          expect(v.live.length).toBeGreaterThanOrEqual(5);
          expect({ sid, replayFlaggedLive: v.replayFlaggedLive, liveFlaggedReplay: v.liveFlaggedReplay }).toEqual({
            sid,
            replayFlaggedLive: 0,
            liveFlaggedReplay: 0,
          });
          // The first live frame ended SYNCING: well inside the 1 s quiet window after the replay.
          const connected = connectedAt[dateHeader ? i : 1];
          expect(connected - v.lastReplayAt).toBeLessThan(1000);
        }
        if (!dateHeader) {
          // The first subscription had nothing to tell the clocks apart: quiet window and cap.
          const first = verdicts(seen, firstSid, replayEnds.get(firstSid)!);
          expect(first.replayFlaggedLive).toBe(0);
          expect(stream.stats.replay.reference).toBe('calibrated');
        }
        expect(stream.stats.replay.clockOffsetMs).not.toBeNull();
        expect(Math.abs(stream.stats.replay.clockOffsetMs!)).toBeLessThan(100); // same machine: no skew
      } finally {
        clearInterval(watchSessions);
      }
    },
    40_000,
  );

  it('by the quiet window alone (the old rule, `replayByClock: false`), hides live changes as replay until the cap', async () => {
    sim = await startSimulator({ busy: 200, speed: 4 });
    stream = createEventStream({ url: sim.url, logger: silentLogger, syncMaxMs: 2000, replayByClock: false });
    const { seen, connectedAt } = record(stream);
    let replayEnd: number | undefined;
    const watchSessions = setInterval(() => {
      replayEnd ??= sim.sessions().find((s) => s.replayEnd !== undefined)?.replayEnd;
    }, 5);
    try {
      stream.start();
      await until(() => connectedAt.length === 1, 15_000, 'CONNECTED');
      const v = verdicts(seen, seen[0].sid, replayEnd!);
      // The quiet window never elapsed: the 2 s cap ended SYNCING, and every live change before it was "replay".
      expect(connectedAt[0] - v.lastReplayAt).toBeGreaterThanOrEqual(1000);
      expect(v.liveFlaggedReplay).toBeGreaterThanOrEqual(3);
      expect(stream.stats.replay.byClock).toBe(0);
    } finally {
      clearInterval(watchSessions);
    }
  }, 30_000);
});
