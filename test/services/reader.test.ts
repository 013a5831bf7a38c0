import { createActor, sendTo, setup, type Actor } from 'xstate';
import { parseEventFrame } from '../../src/dispatcher/parse';
import { ConnectError, summarizeError } from '../../src/errors';
import { silentLogger } from '../../src/logger';
import type { ReaderInput, StreamEvent } from '../../src/machine/events';
import { createReaderActor, type FrameSink } from '../../src/services/reader';
import { SubscriberSlot, type Link } from '../../src/services/subscriberSlot';
import type { Transport, TransportListener } from '../../src/services/transport';
import { eventFrame, heartbeatFrame } from '../helpers/scriptedServer';

// The reader actor, invoked by a small parent chart the way the stream's chart invokes it, over a
// real Link of a real SubscriberSlot. The transport under the link is scripted: these rules are
// about what happens within one I/O turn (a burst of frames, a close right behind them, a stop from
// inside the sink), which a network cannot produce on demand. The script keeps the transport
// contract: the test makes its calls on turns of its own, and `closed` comes once, last.

/** What the parent chart heard from the reader, and what the sink was handed, in one order. */
type Entry = { chart: StreamEvent } | { delivered: string; replay: boolean };

/** A transport whose one connection the test plays by hand. */
class ScriptedTransport implements Transport {
  listener: TransportListener | undefined;
  #closed = false;

  open(_request: unknown, listener: TransportListener) {
    this.listener = listener;
    const end = () => setImmediate(() => this.closed(1006, ''));
    return { send: () => {}, close: end, destroy: end };
  }

  /** Deliver these frames in this turn, one after the other. */
  frames(...raws: string[]): void {
    for (const raw of raws) this.listener?.frame(raw);
  }

  closed(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.listener?.closed(code, reason);
  }
}

/** The parent: reads in `open` until LEAVE; records every reader event it hears, in any state. */
function parentChart(sink: FrameSink, log: Entry[]) {
  const readerInput = ({ context }: { context: { link: Link } }): ReaderInput => ({ link: context.link });
  return setup({
    types: {
      context: {} as { link: Link },
      input: {} as { link: Link },
      events: {} as StreamEvent | { type: 'GO_LIVE' } | { type: 'LEAVE' },
    },
    actors: { reader: createReaderActor(() => sink) },
    actions: {
      record: ({ event }) => {
        log.push({ chart: event as StreamEvent });
      },
      goLive: sendTo('reader', { type: 'LIVE' }),
    },
  }).createMachine({
    context: ({ input }) => ({ link: input.link }),
    on: {
      FRAME: { actions: 'record' },
      LIVE_FRAME: { actions: 'record' },
      SOCKET_CLOSED: { actions: 'record' },
      SOCKET_ERROR: { actions: 'record' },
    },
    initial: 'open',
    states: {
      open: {
        invoke: { id: 'reader', src: 'reader', input: readerInput },
        on: { GO_LIVE: { actions: 'goLive' }, LEAVE: 'left' },
      },
      left: {},
    },
  });
}

/** A frame the controller stamped after the subscription began: the sink calls `liveArrived` for it. */
const LIVE_MARK = 'live-by-its-timestamp';
const liveFrame = (action: string) => eventFrame('ST', action, 'n1', { sid: LIVE_MARK });

interface Rig {
  transport: ScriptedTransport;
  actor: Actor<ReturnType<typeof parentChart>>;
  log: Entry[];
  /** What the chart heard, in order. */
  chart(): StreamEvent[];
  /** Frames the sink was handed, in order. */
  delivered(): Array<{ delivered: string; replay: boolean }>;
  /** Runs inside the sink, after the frame is recorded (a listener reacting to the event). */
  onDelivered: (raw: string) => void;
}

const actors: Array<{ stop(): void }> = [];
afterEach(() => {
  for (const actor of actors.splice(0)) actor.stop();
});

/** Open a link through a real slot, then start the parent chart reading it. */
async function rig(): Promise<Rig> {
  const transport = new ScriptedTransport();
  const slot = new SubscriberSlot(transport);
  const opening = slot.open(
    { url: 'ws://127.0.0.1:1/rest/subscribe', headers: {}, maxPayload: 1 << 20, logger: silentLogger },
    () => undefined,
    new AbortController().signal,
  );
  await turn();
  transport.listener?.opened({});
  const link = await opening;
  const log: Entry[] = [];
  const result: Rig = {
    transport,
    log,
    actor: undefined as unknown as Rig['actor'],
    chart: () => log.flatMap((e) => ('chart' in e ? [e.chart] : [])),
    delivered: () => log.flatMap((e) => ('delivered' in e ? [e] : [])),
    onDelivered: () => {},
  };
  // The sink parses as the dispatcher does; it proves a frame live by its mark, before delivering it.
  const sink: FrameSink = (raw, replay, liveArrived) => {
    if (raw.includes(LIVE_MARK)) liveArrived();
    log.push({ delivered: raw, replay });
    result.onDelivered(raw);
    return parseEventFrame(raw);
  };
  result.actor = createActor(parentChart(sink, log), { input: { link } });
  actors.push(result.actor);
  result.actor.start();
  await turn();
  return result;
}

/** One macrotask: the reader's end-of-turn flush has run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('FRAME: one per I/O turn', () => {
  it('tells the chart one FRAME per turn, with the count of frames read in it', async () => {
    const r = await rig();
    r.transport.frames(eventFrame('ST', '1', 'n1'), eventFrame('ST', '2', 'n1'), eventFrame('ST', '3', 'n1'));
    await turn();
    r.transport.frames(eventFrame('ST', '4', 'n1'));
    await turn();
    expect(r.chart()).toStrictEqual([
      { type: 'FRAME', count: 3 },
      { type: 'FRAME', count: 1 },
    ]);
    expect(r.delivered()).toHaveLength(4);
  });

  it("carries a _0 heartbeat's promise on the FRAME of its own turn only", async () => {
    const r = await rig();
    r.transport.frames(eventFrame('ST', '1', 'n1'), heartbeatFrame(90));
    await turn();
    r.transport.frames(eventFrame('ST', '2', 'n1'));
    await turn();
    r.transport.frames(heartbeatFrame(120), eventFrame('ST', '3', 'n1'));
    await turn();
    expect(r.chart()).toStrictEqual([
      { type: 'FRAME', count: 2, heartbeatSec: 90 },
      { type: 'FRAME', count: 1 },
      { type: 'FRAME', count: 2, heartbeatSec: 120 },
    ]);
  });

  it('counts a frame the dispatcher drops (it is still proof the link is alive)', async () => {
    const r = await rig();
    r.transport.frames('<not-an-event/>', '');
    await turn();
    expect(r.delivered().map((d) => d.delivered)).toEqual(['<not-an-event/>', '']);
    expect(r.chart()).toStrictEqual([{ type: 'FRAME', count: 2 }]);
  });
});

describe('the end of the socket', () => {
  it('flushes the frames of the turn before SOCKET_CLOSED', async () => {
    const r = await rig();
    r.transport.frames(eventFrame('ST', '1', 'n1'), eventFrame('ST', '2', 'n1'));
    r.transport.closed(4000, 'bye');
    await turn();
    expect(r.chart()).toStrictEqual([
      { type: 'FRAME', count: 2 },
      { type: 'SOCKET_CLOSED', code: 4000, reason: 'bye' },
    ]);
  });

  it('sends no empty FRAME when the socket closes with nothing pending', async () => {
    const r = await rig();
    r.transport.frames(eventFrame('ST', '1', 'n1'));
    await turn();
    r.transport.closed(1006, '');
    await turn();
    expect(r.chart()).toStrictEqual([
      { type: 'FRAME', count: 1 },
      { type: 'SOCKET_CLOSED', code: 1006, reason: '' },
    ]);
  });

  it('flushes the frames of the turn before SOCKET_ERROR, and sends no empty FRAME', async () => {
    const r = await rig();
    const error = new ConnectError('connect failed: ECONNRESET', 'ECONNRESET');
    r.transport.frames(heartbeatFrame(90));
    r.transport.listener?.failed(error);
    r.transport.closed(1006, '');
    await turn();
    expect(r.chart()).toStrictEqual([
      { type: 'FRAME', count: 1, heartbeatSec: 90 },
      { type: 'SOCKET_ERROR', error: summarizeError(error) },
    ]);
  });

  it('a failure with nothing pending is SOCKET_ERROR alone', async () => {
    const r = await rig();
    const error = new ConnectError('connect failed: ECONNRESET', 'ECONNRESET');
    r.transport.listener?.failed(error);
    r.transport.closed(1006, '');
    await turn();
    expect(r.chart()).toStrictEqual([{ type: 'SOCKET_ERROR', error: summarizeError(error) }]);
  });
});

describe('replay and live', () => {
  it('hands frames to the sink as replay until the chart says LIVE, and as live after', async () => {
    const r = await rig();
    r.transport.frames(eventFrame('ST', '1', 'n1'), eventFrame('ST', '2', 'n1'));
    await turn();
    r.actor.send({ type: 'GO_LIVE' });
    r.transport.frames(eventFrame('ST', '3', 'n1'));
    await turn();
    expect(r.delivered().map((d) => d.replay)).toEqual([true, true, false]);
  });

  it('tells LIVE_FRAME while the chart still says replay, before the frame that proved it is delivered', async () => {
    const r = await rig();
    const replayed = eventFrame('ST', '0', 'n1');
    const proof = liveFrame('1');
    r.transport.frames(replayed, proof);
    await turn();
    expect(r.log).toStrictEqual([
      { delivered: replayed, replay: true },
      { chart: { type: 'LIVE_FRAME' } },
      { delivered: proof, replay: true },
      { chart: { type: 'FRAME', count: 2 } },
    ]);
  });

  it('tells no LIVE_FRAME once the chart has said LIVE', async () => {
    const r = await rig();
    r.actor.send({ type: 'GO_LIVE' });
    const live = liveFrame('1');
    r.transport.frames(live);
    await turn();
    expect(r.chart()).toStrictEqual([{ type: 'FRAME', count: 1 }]);
    expect(r.delivered()).toEqual([{ delivered: live, replay: false }]);
  });
});

describe('after the reader stops', () => {
  it('a stop from inside the sink cuts the burst short: no more frames to the sink, nothing to the chart', async () => {
    const r = await rig();
    const first = eventFrame('ST', '1', 'n1');
    const stopper = eventFrame('ST', 'stop-here', 'n1');
    r.onDelivered = (raw) => {
      if (raw === stopper) r.actor.send({ type: 'LEAVE' });
    };
    r.transport.frames(first, stopper, eventFrame('ST', '3', 'n1'), liveFrame('4'));
    r.transport.closed(1000, '');
    await turn();
    expect(r.actor.getSnapshot().value).toBe('left');
    expect(r.delivered().map((d) => d.delivered)).toEqual([first, stopper]);
    expect(r.chart()).toStrictEqual([]);
  });

  it('a stop between turns: later frames, LIVE_FRAME proofs, closes and failures reach no one', async () => {
    const r = await rig();
    r.transport.frames(eventFrame('ST', '1', 'n1'));
    await turn();
    r.actor.send({ type: 'LEAVE' });
    r.transport.frames(eventFrame('ST', '2', 'n1'), liveFrame('3'));
    r.transport.listener?.failed(new ConnectError('connect failed: ECONNRESET', 'ECONNRESET'));
    r.transport.closed(1006, '');
    await turn();
    expect(r.delivered()).toHaveLength(1);
    expect(r.chart()).toStrictEqual([{ type: 'FRAME', count: 1 }]);
  });
});
