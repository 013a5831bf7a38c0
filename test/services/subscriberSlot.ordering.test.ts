/**
 * The subscriber slot's rules about the order of things: frames that arrive before the reader
 * attaches, an end that races the flush, a failure followed by a close, a late `opened`, a frame
 * racing a release or a stop, the close grace.
 *
 * The network cannot produce these orders on demand, so a scripted transport plays it: the test
 * says when the connection opens, what frames arrive and when it ends. It keeps the transport
 * contract (src/services/transport.ts): every report comes from the test's own turn, never from
 * inside `open`, `send`, `close` or `destroy`; `opened` at most once; `closed` exactly once and
 * last. What the slot does to the connection (`send`, `close`, `destroy`) is recorded: that is
 * what a controller would see.
 */
import { createEventStream, silentLogger } from '../../src';
import { ConnectError, TokenRejectedError } from '../../src/errors';
import { SubscriberSlot, type Link, type LinkHandlers } from '../../src/services/subscriberSlot';
import type {
  OpenedInfo,
  Transport,
  TransportConnection,
  TransportListener,
  TransportRequest,
} from '../../src/services/transport';

/** One scripted connection: the test plays the controller's side through `listener`. */
class ScriptedConnection implements TransportConnection {
  /** What the slot asked of the connection, in order: `send <text>`, `close <code> <reason>`, `destroy`. */
  readonly calls: string[] = [];
  #closed = false;
  constructor(readonly listener: TransportListener) {}

  send(text: string): void {
    this.calls.push(`send ${text}`);
  }
  close(code: number, reason: string): void {
    this.calls.push(`close ${code} ${reason}`);
  }
  destroy(): void {
    this.calls.push('destroy');
  }

  // The controller's side (called by the test, on its own turn).
  opened(info: OpenedInfo = {}): void {
    this.#live('opened');
    this.listener.opened(info);
  }
  frame(text: string): void {
    this.#live('frame');
    this.listener.frame(text);
  }
  failed(error: Error): void {
    this.#live('failed');
    this.listener.failed(error);
  }
  closed(code: number, reason = ''): void {
    this.#live('closed');
    this.#closed = true;
    this.listener.closed(code, reason);
  }
  #live(what: string): void {
    if (this.#closed) throw new Error(`test script error: ${what} after closed breaks the transport contract`);
  }
}

class ScriptedTransport implements Transport {
  readonly connections: ScriptedConnection[] = [];
  open(_request: TransportRequest, listener: TransportListener): ScriptedConnection {
    const connection = new ScriptedConnection(listener);
    this.connections.push(connection);
    return connection;
  }
  get last(): ScriptedConnection {
    const connection = this.connections.at(-1);
    if (!connection) throw new Error('no connection opened');
    return connection;
  }
}

const request: TransportRequest = {
  url: 'ws://127.0.0.1:1/rest/subscribe',
  headers: {},
  maxPayload: 1 << 20,
  logger: silentLogger,
};

/** What a reader heard, in order. */
function recorder(onFrame: (raw: string) => void = () => {}): { heard: string[]; handlers: LinkHandlers } {
  const heard: string[] = [];
  return {
    heard,
    handlers: {
      frame: (raw) => {
        heard.push(`frame ${raw}`);
        onFrame(raw);
      },
      closed: (code, reason) => heard.push(`closed ${code} ${reason}`),
      failed: (error) => heard.push(`failed ${error.message}`),
    },
  };
}

/** Let queued microtasks (the slot's flush) and promise continuations run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `promise`'s outcome, or 'pending' if it has not settled within `ms` (bounds what a wrong slot would hang on). */
async function outcome<T>(promise: Promise<T>, ms = 300): Promise<{ value: T } | { error: unknown } | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const GRACE_MS = 50;
let transport: ScriptedTransport;
let slot: SubscriberSlot;
let controller: AbortController;

beforeEach(() => {
  transport = new ScriptedTransport();
  slot = new SubscriberSlot(transport, { closeGraceMs: GRACE_MS });
  controller = new AbortController();
});

afterEach(async () => {
  // Leave no timer behind: end whatever is left, as the transport would.
  slot.abandon();
  for (const connection of transport.connections) {
    try {
      connection.closed(1006);
    } catch {
      // already closed by the test
    }
  }
  await slot.whenVacant();
});

/** An open link with no opening frame (header auth), as the `connect` actor hands it to the reader. */
async function openLink(): Promise<{ link: Link; connection: ScriptedConnection }> {
  const opening = slot.open(request, () => undefined, controller.signal);
  const connection = transport.last;
  connection.opened();
  return { link: await opening, connection };
}

describe('frames that arrive before the reader attaches', () => {
  it('are held, then handed over in order on a later turn, and later frames follow them', async () => {
    const { link, connection } = await openLink();
    connection.frame('f1');
    connection.frame('f2');
    const reader = recorder();
    link.attach(reader.handlers);
    // Not during attach: status listeners must hear SYNCING before the first replay event.
    expect(reader.heard).toEqual([]);
    await settle();
    expect(reader.heard).toEqual(['frame f1', 'frame f2']);
    connection.frame('f3');
    expect(reader.heard).toEqual(['frame f1', 'frame f2', 'frame f3']);
  });

  it('the end of a connection that came before the reader is reported after the held frames', async () => {
    const { link, connection } = await openLink();
    connection.frame('f1');
    connection.frame('f2');
    connection.closed(1000, 'bye');
    const reader = recorder();
    link.attach(reader.handlers);
    await settle();
    expect(reader.heard).toEqual(['frame f1', 'frame f2', 'closed 1000 bye']);
  });

  it('an end that arrives between attach and the hand-over still waits for the held frames', async () => {
    const { link, connection } = await openLink();
    connection.frame('f1');
    connection.frame('f2');
    const reader = recorder();
    link.attach(reader.handlers);
    connection.closed(1006);
    await settle();
    expect(reader.heard).toEqual(['frame f1', 'frame f2', 'closed 1006 ']);
  });

  it('a reader that lets go during the hand-over hears nothing more (frames or end)', async () => {
    const { link, connection } = await openLink();
    connection.frame('f1');
    connection.frame('f2');
    connection.frame('f3');
    connection.closed(1000);
    const reader = recorder(() => link.detach());
    link.attach(reader.handlers);
    await settle();
    expect(reader.heard).toEqual(['frame f1']);
  });

  it('are dropped when the link is detached before any reader took them', async () => {
    const { link, connection } = await openLink();
    connection.frame('f1');
    link.detach();
    const reader = recorder();
    link.attach(reader.handlers);
    await settle();
    connection.frame('f2');
    expect(reader.heard).toEqual(['frame f2']);
  });
});

describe('the end of a connection', () => {
  it('a failure followed by a close is reported once, as the failure', async () => {
    const { link, connection } = await openLink();
    const reader = recorder();
    link.attach(reader.handlers);
    await settle();
    connection.failed(new ConnectError('read ECONNRESET'));
    connection.closed(1006);
    await settle();
    expect(reader.heard).toEqual(['failed read ECONNRESET']);
  });

  it('a failure followed by a close before the reader attached: the held frames, then the failure only', async () => {
    const { link, connection } = await openLink();
    connection.frame('f1');
    connection.failed(new ConnectError('read ECONNRESET'));
    connection.closed(1006);
    const reader = recorder();
    link.attach(reader.handlers);
    await settle();
    expect(reader.heard).toEqual(['frame f1', 'failed read ECONNRESET']);
  });
});

describe('the token verdict (opening frame sent, waiting for the first sign)', () => {
  /** Open with an opening frame the test releases when it wants. */
  function openWithToken(): { opening: Promise<Link>; releaseToken: () => void } {
    let releaseToken!: () => void;
    const token = new Promise<string>((resolve) => (releaseToken = () => resolve('{"token":"t"}')));
    const opening = slot.open(request, () => token, controller.signal);
    opening.catch(() => {}); // awaited later; a failed assertion first must not leave it unhandled
    return { opening, releaseToken };
  }

  it('one frame after the token is the acceptance', async () => {
    const { opening, releaseToken } = openWithToken();
    const connection = transport.last;
    connection.opened();
    releaseToken();
    await settle();
    expect(connection.calls).toEqual(['send {"token":"t"}']);
    connection.frame('f1');
    const result = await outcome(opening);
    expect(result).toEqual({ value: expect.any(Object) });
  });

  it('a frame that arrived while the token was computed is the acceptance too, and is kept for the reader', async () => {
    const { opening, releaseToken } = openWithToken();
    const connection = transport.last;
    connection.opened();
    connection.frame('f1');
    releaseToken();
    const result = await outcome(opening);
    expect(result).toEqual({ value: expect.any(Object) });
    const reader = recorder();
    (result as { value: Link }).value.attach(reader.handlers);
    await settle();
    expect(reader.heard).toEqual(['frame f1']);
  });

  it('the token is not sent on a connection the peer closed while it was computed', async () => {
    const { opening, releaseToken } = openWithToken();
    const connection = transport.last;
    connection.opened();
    connection.closed(1011, 'going down');
    releaseToken();
    const result = await outcome(opening);
    expect(result).toEqual({ error: expect.any(ConnectError) });
    expect(connection.calls.filter((call) => call.startsWith('send'))).toEqual([]);
  });

  it('a frame racing a release() is not the acceptance: the close decides', async () => {
    const { opening, releaseToken } = openWithToken();
    const connection = transport.last;
    connection.opened();
    releaseToken();
    await settle();
    slot.release();
    expect(connection.calls).toEqual(['send {"token":"t"}', 'close 1000 client closing']);
    connection.frame('f1');
    connection.closed(1000);
    const result = await outcome(opening);
    expect(result).toEqual({ error: expect.any(ConnectError) });
    expect((result as { error: Error }).error.message).toMatch(/code 1000/);
  });

  it('a frame after silence() is not the acceptance: the 1008 close decides', async () => {
    const { opening, releaseToken } = openWithToken();
    const connection = transport.last;
    connection.opened();
    releaseToken();
    await settle();
    slot.silence();
    connection.frame('f1');
    connection.closed(1008, 'unauthorized');
    const result = await outcome(opening);
    expect(result).toEqual({ error: expect.any(TokenRejectedError) });
  });
});

describe('silence()', () => {
  it('stops every delivery from the live link: frames and its end', async () => {
    const { link, connection } = await openLink();
    const reader = recorder();
    link.attach(reader.handlers);
    await settle();
    connection.frame('f1');
    slot.silence();
    connection.frame('f2');
    connection.closed(1000);
    await settle();
    expect(reader.heard).toEqual(['frame f1']);
  });

  it('a reader that attaches after silence() hears nothing', async () => {
    const { link, connection } = await openLink();
    slot.silence();
    const reader = recorder();
    link.attach(reader.handlers);
    connection.frame('f1');
    connection.closed(1000);
    await settle();
    expect(reader.heard).toEqual([]);
  });
});

describe('ending a connection', () => {
  it('an abort while opening destroys the connection and rejects with "connect attempt aborted"', async () => {
    const opening = slot.open(request, () => undefined, controller.signal);
    const connection = transport.last;
    controller.abort();
    const result = await outcome(opening);
    expect(result).toEqual({ error: expect.any(ConnectError) });
    expect((result as { error: Error }).error.message).toBe('connect attempt aborted');
    expect(connection.calls).toEqual(['destroy']);
  });

  it('an attempt whose signal was aborted already opens no connection at all', async () => {
    controller.abort();
    const result = await outcome(slot.open(request, () => undefined, controller.signal));
    expect((result as { error: Error }).error.message).toBe('connect attempt aborted');
    expect(transport.connections).toHaveLength(0);
    expect(slot.occupancy).toBe(0);
  });

  it('a connection that closes before the upgrade without a failure rejects the attempt, and the slot is vacant', async () => {
    // Neither built-in transport does this (both report `failed` first), but the contract allows it.
    const opening = slot.open(request, () => undefined, controller.signal);
    transport.last.closed(1006);
    const result = await outcome(opening);
    expect(result).toEqual({ error: new ConnectError('connection closed before the upgrade completed') });
    expect(slot.occupancy).toBe(0);
  });

  it('an `opened` that arrives after the link was abandoned is ignored: no polite close on a destroyed link', async () => {
    const opening = slot.open(request, () => undefined, controller.signal);
    const connection = transport.last;
    controller.abort();
    await outcome(opening);
    // The upgrade completed just as the attempt was given up (the report was already under way).
    connection.opened();
    slot.release();
    expect(connection.calls).toEqual(['destroy']);
  });

  it('release() closes politely with 1000 "client closing", then destroys after the grace if the peer does not answer', async () => {
    const { connection } = await openLink();
    slot.release();
    expect(connection.calls).toEqual(['close 1000 client closing']);
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 30));
    expect(connection.calls).toEqual(['close 1000 client closing', 'destroy']);
  });

  it('a second release() does not cut the polite close short', async () => {
    const { connection } = await openLink();
    slot.release();
    slot.release();
    expect(connection.calls).toEqual(['close 1000 client closing']);
  });

  it('release() while opening destroys at once (no close frame on a half-made connection)', async () => {
    const opening = slot.open(request, () => undefined, controller.signal);
    opening.catch(() => {}); // awaited below; a failed assertion first must not leave it unhandled
    const connection = transport.last;
    slot.release();
    expect(connection.calls).toEqual(['destroy']);
    connection.closed(1006);
    expect(await outcome(opening)).toEqual({ error: expect.any(ConnectError) });
    expect(slot.occupancy).toBe(0);
  });

  it('abandon() on a link the peer already closed does nothing: the link stays gone', async () => {
    const { link, connection } = await openLink();
    connection.closed(1000);
    expect(link.phase).toBe('gone');
    slot.abandon();
    link.abandon();
    expect(link.phase).toBe('gone');
    expect(connection.calls).toEqual([]);
  });
});

describe('abandon() when the transport never reports closed', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('frees the slot within the grace counted from the first call; a second call changes nothing', async () => {
    const { connection } = await openLink();
    let vacant = false;
    void slot.whenVacant().then(() => (vacant = true));
    slot.abandon();
    jest.advanceTimersByTime(GRACE_MS - 10);
    slot.abandon();
    await Promise.resolve();
    expect(vacant).toBe(false);
    jest.advanceTimersByTime(10);
    await Promise.resolve();
    expect(vacant).toBe(true);
    expect(slot.occupancy).toBe(0);
    expect(connection.calls).toEqual(['destroy']);
  });
});

describe('a transport that refuses the request outright (open() throws, as the contract allows for a bad request)', () => {
  /** Throws a TypeError from open(): no connection ever existed. */
  const refusing = {
    opens: 0,
    open(): never {
      this.opens++;
      throw new TypeError('unsupported request');
    },
  };
  beforeEach(() => {
    refusing.opens = 0;
  });

  it('the attempt fails with that error and the slot is vacant at once', async () => {
    const refusingSlot = new SubscriberSlot(refusing, { closeGraceMs: 60_000 });
    const first = await outcome(refusingSlot.open(request, () => undefined, controller.signal));
    expect(first).toEqual({ error: new TypeError('unsupported request') });
    expect(refusingSlot.occupancy).toBe(0);
    const again = await outcome(refusingSlot.open(request, () => undefined, controller.signal));
    expect(again).toEqual({ error: new TypeError('unsupported request') });
    expect(refusing.opens).toBe(2);
  });

  it('a stream on it keeps retrying and stop() resolves', async () => {
    const stream = createEventStream({
      url: 'ws://127.0.0.1:1',
      transport: refusing,
      backoffMs: [10],
      closeGraceMs: 60_000,
      logger: silentLogger,
    });
    stream.start();
    const deadline = Date.now() + 2000;
    while (refusing.opens < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const stopped = stream.stop().then(() => 'stopped');
    const bound = new Promise((resolve) => setTimeout(() => resolve('still stopping after 1 s'), 1000).unref());
    expect(await Promise.race([stopped, bound])).toBe('stopped');
    expect(refusing.opens).toBeGreaterThanOrEqual(2);
  });
});
