import { createEventStream, silentLogger, type EventStream } from '../../src';
import { startSimulator, type Simulator } from '../../src/simulator';

/**
 * Found by the chaos soak's slow-replay fault once the delay exceeded `syncMaxMs`.
 *
 * A controller that opens the socket but starts its status replay later than `syncMaxMs` (a busy
 * or freshly rebooted eisy) must not make the stream claim CONNECTED before the replay: the
 * sync cap used to fire in `awaitingReplay`, so CONNECTED's `endReplay` swept every node out of
 * the mirror (nothing had confirmed them yet) and the whole replay then arrived flagged as live
 * changes (`info.replay === false`), e.g. ~400 spurious "changes" for the generated house.
 */
describe('a replay that starts later than syncMaxMs', () => {
  let sim: Simulator;
  let stream: EventStream;

  beforeEach(async () => {
    // speed 60: heartbeat promise 1.5 s, so the watchdog (1.5 s + 0.3 s) bounds the silent wait.
    sim = await startSimulator({ speed: 60, liveEvents: false });
    stream = createEventStream({
      url: sim.url,
      quietMs: 50,
      syncMaxMs: 300,
      backoffMs: [20],
      heartbeatGraceMs: 300,
      defaultHeartbeatPromiseMs: 1500,
      logger: silentLogger,
    });
  });
  afterEach(async () => {
    await stream.stop();
    await sim.close();
  });

  const connected = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`still ${stream.status}`)), 5000);
      const off = stream.onStatus((status) => {
        if (status !== 'CONNECTED') return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });

  it('keeps the mirror and flags the replay as replay when a reconnect waits 700 ms for it', async () => {
    stream.start();
    await connected();
    const truthSize = sim.truth().size;
    expect(stream.mirror.nodes.size).toBe(truthSize);

    const mirrorAtConnected: number[] = [];
    let replayedAsLive = 0;
    stream.onStatus((status) => {
      if (status === 'CONNECTED') mirrorAtConnected.push(stream.mirror.nodes.size);
    });
    stream.onProperty((_change, info) => {
      if (!info.replay) replayedAsLive++; // no live events are configured: every property frame is replay
    });

    sim.faults.slowReplay(700, 1);
    sim.faults.drop();
    await connected();

    // CONNECTED means "in sync": the mirror must hold every node, never an empty sweep.
    expect(mirrorAtConnected).toEqual([truthSize]);
    expect(stream.mirror.nodes.size).toBe(truthSize);
    expect(replayedAsLive).toBe(0);
  });

  it('does not report CONNECTED on the first connect before any replay frame arrived', async () => {
    sim.faults.slowReplay(700, 1);
    stream.start();
    await connected();
    expect(stream.mirror.nodes.size).toBe(sim.truth().size);
  });
});
