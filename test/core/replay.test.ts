import { eventFrame, sleep, until } from '../helpers/scriptedServer';
import { timeline, useScriptedServer } from './harness';

/** Connecting, the replay and the quiet window, against a real loopback server. */
const world = useScriptedServer();

describe('connect, replay, quiet window', () => {
  it('holds back the replay as SYNCING and goes CONNECTED exactly one quiet window after the last replay frame', async () => {
    world.server.onConnection = async (ws) => {
      for (let i = 0; i < 12; i++) {
        ws.send(eventFrame('ST', String(i * 10), `AA BB ${i} 1`, { seqnum: i, uom: '100', fmtAct: `${i}%` }));
        await sleep(40); // gaps shorter than quietMs: still one replay
      }
    };
    // A quiet window well above the 40 ms gaps, so a loaded machine's late timer cannot split the replay.
    const quietMs = 400;
    const stream = world.open({ quietMs });
    const statuses = timeline(stream);
    const deliveries: Array<{ node: string; replay: boolean; at: number }> = [];
    stream.onEvent((event, info) => deliveries.push({ node: event.node, replay: info.replay, at: Date.now() }));
    stream.start();

    await until(() => stream.status === 'CONNECTED', 5000, 'CONNECTED');
    expect(statuses.map((s) => s.status)).toEqual(['INITIALIZING', 'SYNCING', 'CONNECTED']);
    expect(deliveries).toHaveLength(12);
    expect(deliveries.every((d) => d.replay)).toBe(true);

    const lastReplayAt = deliveries[deliveries.length - 1].at;
    const connectedAt = statuses[2].at;
    // Not before the window (the per-frame restart is exact), and not much later either.
    expect(connectedAt - lastReplayAt).toBeGreaterThanOrEqual(quietMs - 5);
    expect(connectedAt - lastReplayAt).toBeLessThan(quietMs + 100);

    world.server.broadcast(eventFrame('ST', '255', 'AA BB 1 1', { seqnum: 12 }));
    await until(() => deliveries.length === 13, 2000, 'live event');
    expect(deliveries[12].replay).toBe(false);
    expect(stream.connected).toBe(true);
    expect(stream.lastEventAt).toBeInstanceOf(Date);
  });

  it('waits for the first frame before starting the quiet window, and syncMaxMs caps the replay from its first frame', async () => {
    // A controller that opens, waits longer than quietMs and than syncMaxMs, then replays slowly forever.
    world.server.onConnection = async (ws) => {
      await sleep(900);
      for (let i = 0; i < 100 && ws.readyState === ws.OPEN; i++) {
        ws.send(eventFrame('ST', '0', `CC ${i} 1`, { seqnum: i }));
        await sleep(50);
      }
    };
    const stream = world.open({ syncMaxMs: 600 });
    const statuses = timeline(stream);
    const replayAt: number[] = [];
    let live = 0;
    stream.onEvent((_e, info) => (info.replay ? replayAt.push(Date.now()) : live++));
    stream.start();
    await until(() => stream.status === 'SYNCING', 2000);
    await sleep(800);
    // No frame yet: neither the quiet window nor the cap has started.
    expect(stream.status).toBe('SYNCING');
    await until(() => stream.status === 'CONNECTED', 3000);
    const took = statuses[2].at - replayAt[0];
    expect(took).toBeGreaterThanOrEqual(590);
    expect(took).toBeLessThan(900);
    expect(replayAt.length).toBeGreaterThan(5);
    expect(statuses.map((s) => s.status)).toEqual(['INITIALIZING', 'SYNCING', 'CONNECTED']);
  });

  it('tells the dispatcher where the replay ends: the mirror holds what the replay said', async () => {
    world.server.onConnection = (ws) => {
      ws.send(eventFrame('ST', '128', '11 22 33 1', { seqnum: 0, uom: '100', prec: '0', fmtAct: '50%' }));
      ws.send(eventFrame('OL', '255', '11 22 33 1', { seqnum: 1, uom: '100', prec: '0', fmtAct: '100%' }));
    };
    const stream = world.open();
    stream.start();
    await until(() => stream.status === 'CONNECTED');
    const node = stream.mirror.nodes.get('11 22 33 1');
    expect(node?.get('ST')?.value).toBe('128');
    expect(node?.get('OL')?.value).toBe('255');
  });

  it('keeps reading through a frame with invalid UTF-8 and a binary frame', async () => {
    world.server.onConnection = (ws) => {
      ws.send(eventFrame('ST', '1', '1A 1A 1A 1', { seqnum: 0 }));
      ws.send(Buffer.from([0x3c, 0xff, 0xfe, 0x3e])); // invalid UTF-8 text frame
      ws.send(Buffer.from([1, 2, 3]), { binary: true });
      ws.send(eventFrame('ST', '2', '1A 1A 1A 1', { seqnum: 1 }));
    };
    const stream = world.open();
    let events = 0;
    stream.onEvent(() => events++);
    stream.start();
    await until(() => stream.status === 'CONNECTED');
    expect(events).toBe(2);
    expect(stream.stats.connections).toBe(1);
    expect(world.server.upgrades).toHaveLength(1);
  });
});
