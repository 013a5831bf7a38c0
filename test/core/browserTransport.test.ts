/**
 * The browser transport's contract, on a scripted stand-in for the DOM WebSocket (the real one is
 * exercised in headless Chromium by test/browser). Events come on later turns, as in a browser.
 */
import { silentLogger, type Logger } from '../../src';
import { BROWSER_CLOSE_GRACE_MS, browserTransport } from '../../src/services/browserTransport';
import type { TransportRequest } from '../../src/services/transport';
import { transportRecorder } from '../helpers/transportRecorder';

class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  readyState = 0;
  binaryType = 'blob';
  sent: string[] = [];
  closes: Array<[number?, string?]> = [];
  onopen: ((e: object) => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: object) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols?: string[],
  ) {
    FakeWebSocket.instances.push(this);
  }
  send(text: string) {
    if (this.readyState === 0)
      throw new DOMException("Failed to execute 'send': Still in CONNECTING state.", 'InvalidStateError');
    this.sent.push(text);
  }
  close(code?: number, reason?: string) {
    // As the DOM's close(): a page may send 1000 or 3000-4999 only (WHATWG WebSockets Standard),
    // and a socket already CLOSING or CLOSED ignores the call (recorded all the same).
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
      throw new DOMException(
        `The close code must be either 1000, or between 3000 and 4999. ${code} is neither.`,
        'InvalidAccessError',
      );
    }
    this.closes.push([code, reason]);
    if (this.readyState < 2) this.readyState = 2;
  }
  // What the browser does, on its own turn:
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  message(data: unknown) {
    this.onmessage?.({ data });
  }
  closed(code: number, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

const request = (extra: Partial<TransportRequest> = {}): TransportRequest => ({
  url: 'ws://127.0.0.1:1/api/events/subscribe',
  headers: {},
  maxPayload: 16,
  logger: silentLogger,
  ...extra,
});

beforeEach(() => {
  FakeWebSocket.instances = [];
  (globalThis as { WebSocket?: unknown }).WebSocket = FakeWebSocket;
});
afterAll(() => {
  delete (globalThis as { WebSocket?: unknown }).WebSocket;
});

describe('browserTransport', () => {
  it('opens, reads text and binary frames as UTF-8 (leniently), sends, and closes with the peer code', async () => {
    const { calls, listener } = transportRecorder();
    const connection = browserTransport.open(request({ protocols: ['ISYSUB'] }), listener);
    const socket = FakeWebSocket.instances[0];
    expect(socket.protocols).toEqual(['ISYSUB']);
    expect(socket.binaryType).toBe('arraybuffer');
    socket.open();
    connection.send('{"auth":{}}');
    socket.message('<Event/>');
    socket.message(new Uint8Array([0x68, 0xc3, 0xa9, 0xff]).buffer);
    socket.closed(1000, 'bye');
    expect(socket.sent).toEqual(['{"auth":{}}']);
    expect(calls).toEqual(['opened', 'frame <Event/>', 'frame hé\uFFFD', 'closed 1000 bye']);
  });

  it('reports a connection that never opened as failed, then closed (the browser hides why)', () => {
    const { calls, listener } = transportRecorder();
    browserTransport.open(request(), listener);
    const socket = FakeWebSocket.instances[0];
    socket.onerror?.({});
    socket.closed(1006);
    expect(calls).toEqual([
      expect.stringMatching(/^failed CONNECT_FAILED WebSocket connection failed/),
      'closed 1006 ',
    ]);
  });

  it('fails a frame over maxPayload and closes with 4009, a code a page may send (1009 would throw)', () => {
    const { calls, listener } = transportRecorder();
    browserTransport.open(request(), listener);
    const socket = FakeWebSocket.instances[0];
    socket.open();
    socket.message('x'.repeat(17));
    expect(calls).toEqual([
      'opened',
      expect.stringMatching(/^failed CONNECT_FAILED frame of 17 bytes exceeds maxPayload/),
    ]);
    expect(socket.closes).toEqual([[4009, 'message too big']]);
  });

  it('destroy() aborts, delivers nothing more, and reports closed once: on the close event or after the grace', async () => {
    jest.useFakeTimers();
    try {
      const { calls, listener } = transportRecorder();
      const connection = browserTransport.open(request(), listener);
      const socket = FakeWebSocket.instances[0];
      socket.open();
      connection.destroy();
      connection.destroy();
      socket.message('late');
      expect(socket.closes).toEqual([[undefined, undefined]]);
      jest.advanceTimersByTime(BROWSER_CLOSE_GRACE_MS);
      socket.closed(1005); // the browser's event, too late to count twice
      expect(calls).toEqual(['opened', 'closed 1006 closed by the client']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses an Authorization header with AUTH_REJECTED, on a later turn, without making a socket', async () => {
    const { calls, listener } = transportRecorder();
    browserTransport.open(request({ headers: { Authorization: 'Basic c2VjcmV0' } }), listener);
    expect(calls).toEqual([]);
    await tick();
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(calls).toEqual([
      expect.stringMatching(
        /^failed AUTH_REJECTED a browser's WebSocket cannot send request headers \(Authorization\)/,
      ),
      'closed 1006 ',
    ]);
    expect(calls.join()).not.toContain('c2VjcmV0');
  });

  it('refuses tls options with TLS_FAILED rather than connect without the pin', async () => {
    const { calls, listener } = transportRecorder();
    browserTransport.open(request({ tls: { fingerprint256: 'AB:CD' } }), listener);
    await tick();
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(calls[0]).toMatch(/^failed TLS_FAILED in a browser the `tls` options cannot apply/);
  });

  it('leaves other headers out with a warning naming them', () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
    browserTransport.open(
      request({ headers: { 'User-Agent': 'app/1', Origin: 'x' }, logger }),
      transportRecorder().listener,
    );
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(warnings).toEqual(["a browser's WebSocket cannot send request headers; left out: User-Agent, Origin"]);
  });
  it('a close before open is the attempt failure even with no error event before it: failed, then closed', () => {
    const { calls, listener } = transportRecorder();
    browserTransport.open(request(), listener);
    FakeWebSocket.instances[0].closed(1006);
    expect(calls).toEqual([
      'failed CONNECT_FAILED WebSocket connection failed (a browser does not say why: refused, TLS, or an HTTP status)',
      'closed 1006 ',
    ]);
  });

  it('a close after open is not a failure; error events are one failure ("WebSocket error") however many come', () => {
    const { calls, listener } = transportRecorder();
    browserTransport.open(request(), listener);
    const socket = FakeWebSocket.instances[0];
    socket.open();
    socket.onerror?.({});
    socket.onerror?.({});
    socket.closed(1006);
    expect(calls).toEqual(['opened', 'failed CONNECT_FAILED WebSocket error', 'closed 1006 ']);

    const second = transportRecorder();
    browserTransport.open(request(), second.listener);
    FakeWebSocket.instances[1].open();
    FakeWebSocket.instances[1].closed(1000, 'bye');
    expect(second.calls).toEqual(['opened', 'closed 1000 bye']);
  });

  it('close(code, reason) asks a CONNECTING or OPEN socket to close with them, and nothing once CLOSING or CLOSED', () => {
    const connecting = browserTransport.open(request(), transportRecorder().listener);
    connecting.close(1000, 'client closing');
    expect(FakeWebSocket.instances[0].closes).toEqual([[1000, 'client closing']]);
    connecting.close(1000, 'again'); // now CLOSING
    expect(FakeWebSocket.instances[0].closes).toEqual([[1000, 'client closing']]);

    const open = browserTransport.open(request(), transportRecorder().listener);
    const socket = FakeWebSocket.instances[1];
    socket.open();
    open.close(4000, 'bye');
    expect(socket.closes).toEqual([[4000, 'bye']]);
    socket.closed(4000, 'bye');
    open.close(4000, 'after closed');
    expect(socket.closes).toEqual([[4000, 'bye']]);
  });

  it('send() and close() on a refused request (no socket) do nothing', async () => {
    const { calls, listener } = transportRecorder();
    const connection = browserTransport.open(request({ headers: { Authorization: 'Basic c2VjcmV0' } }), listener);
    expect(() => connection.send('{"auth":{}}')).not.toThrow();
    expect(() => connection.close(1000, 'client closing')).not.toThrow();
    await tick();
    expect(calls).toEqual([expect.stringMatching(/^failed AUTH_REJECTED /), 'closed 1006 ']);
  });

  describe('destroy()', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    // Scripted socket: these are orders of events a real peer cannot produce on demand (an open
    // arriving after destroy(), a close event before or after the grace, a peer already closing).

    it('an open arriving after destroy() is not reported: the attempt ends with closed alone', () => {
      const { calls, listener } = transportRecorder();
      const connection = browserTransport.open(request(), listener);
      const socket = FakeWebSocket.instances[0];
      connection.destroy();
      expect(socket.closes).toEqual([[undefined, undefined]]); // a CONNECTING socket is aborted
      socket.open(); // the browser's open event, already on its way
      socket.message('late');
      socket.closed(1006);
      expect(calls).toEqual(['closed 1006 ']);
    });

    it('is idempotent: a second destroy() sends no second close and starts no second grace timer', () => {
      const { calls, listener } = transportRecorder();
      const connection = browserTransport.open(request(), listener);
      const socket = FakeWebSocket.instances[0];
      socket.open();
      connection.destroy();
      connection.destroy();
      expect(socket.closes).toEqual([[undefined, undefined]]);
      expect(jest.getTimerCount()).toBe(1);
      socket.closed(1005); // the close event clears the grace: no timer left to keep a process alive
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(BROWSER_CLOSE_GRACE_MS);
      expect(calls).toEqual(['opened', 'closed 1005 ']);
    });

    it('after closed does nothing: no close(), no grace timer, no second closed', () => {
      const { calls, listener } = transportRecorder();
      const connection = browserTransport.open(request(), listener);
      const socket = FakeWebSocket.instances[0];
      socket.open();
      socket.closed(1000, 'bye');
      connection.destroy();
      expect(socket.closes).toEqual([]);
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(BROWSER_CLOSE_GRACE_MS);
      expect(calls).toEqual(['opened', 'closed 1000 bye']);
    });

    it('on a socket the peer is already closing sends no close() of its own, and still bounds the wait', () => {
      const { calls, listener } = transportRecorder();
      const connection = browserTransport.open(request(), listener);
      const socket = FakeWebSocket.instances[0];
      socket.open();
      socket.readyState = 2; // CLOSING: the peer's close frame arrived, the browser is answering it
      connection.destroy();
      expect(socket.closes).toEqual([]);
      jest.advanceTimersByTime(BROWSER_CLOSE_GRACE_MS);
      expect(calls).toEqual(['opened', 'closed 1006 closed by the client']);
    });
  });

  it('without a WebSocket in the environment, open() throws a TypeError saying so', () => {
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    expect(() => browserTransport.open(request(), transportRecorder().listener)).toThrow(
      new TypeError('no WebSocket in this environment'),
    );
  });

  it('the Authorization refusal tells the user what works instead: TokenAuth on /api/events/subscribe', async () => {
    const { calls, listener } = transportRecorder();
    browserTransport.open(request({ headers: { authorization: 'Bearer t0ken' } }), listener);
    await tick();
    expect(calls[0]).toMatch(
      / \(LocalAuth, a bearer token\) cannot reach the controller; use TokenAuth on \/api\/events\/subscribe$/,
    );
    expect(calls.join()).not.toContain('t0ken');
  });

  it('tls options whose values are all undefined are no refusal; any one defined value is', async () => {
    const unset = transportRecorder();
    browserTransport.open(request({ tls: { ca: undefined, rejectUnauthorized: undefined } }), unset.listener);
    const mixed = transportRecorder();
    browserTransport.open(request({ tls: { ca: undefined, rejectUnauthorized: false } }), mixed.listener);
    await tick();
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(unset.calls).toEqual([]);
    expect(mixed.calls[0]).toMatch(/^failed TLS_FAILED in a browser the `tls` options cannot apply/);
  });

  it('warns about nothing when there are no headers to leave out', () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
    browserTransport.open(request({ logger }), transportRecorder().listener);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(warnings).toEqual([]);
  });
});
