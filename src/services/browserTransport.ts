import { AuthRejectedError, ConnectError, TlsError, type IoxError } from '../errors';
import type { Transport, TransportConnection, TransportListener, TransportRequest } from './transport';

/**
 * How long after `destroy()` the browser gets to report the socket closed before the connection
 * is reported closed anyway. A browser keeps a socket whose peer never answers the close frame
 * until its own closing-handshake timeout (a minute in Chromium); the stream must not wait that
 * long to stop or to reconnect.
 */
export const BROWSER_CLOSE_GRACE_MS = 2000;

/**
 * The close code sent after a frame over `maxPayload`: 4009, 1009 (Message Too Big) moved into the
 * private-use range. A page's `close()` only takes 1000 or 3000-4999 and throws an
 * `InvalidAccessError` for any other code (WHATWG WebSockets Standard, `close()`), so 1009 is the
 * browser's own.
 */
export const BROWSER_CLOSE_TOO_BIG = 4009;

/**
 * The browser transport: one DOM `WebSocket` per connection.
 *
 * What the platform does not let it do (and what it does instead):
 *
 * - **Headers.** A browser's WebSocket sends no request headers of the page's choosing. An
 *   `Authorization` header (`LocalAuth`'s Basic credentials, `PortalAuth`'s bearer token on
 *   `/rest/subscribe`) cannot reach the controller, so the attempt fails with an
 *   `AuthRejectedError` saying so, and the stream goes to FAILED instead of retrying what cannot
 *   work. Use `TokenAuth` on `/api/events/subscribe`, which sends its token in the first frame.
 *   Other headers (`headers` option: `User-Agent`, client ids; `legacyIsy`'s `Origin`) are left
 *   out with a warning: the browser sets `User-Agent` and `Origin` itself.
 * - **TLS.** The browser verifies the certificate; `tls` (`ca`, `fingerprint256`,
 *   `rejectUnauthorized`) cannot be applied, so the attempt fails with a `TlsError` rather than
 *   connect without the pin it was asked for. Trust the controller's certificate in the browser.
 * - **HTTP statuses.** The browser hides the upgrade response: a 401, a 404 and a refused TCP
 *   connection all look like an `error` then a close with 1006. The attempt fails with a
 *   `ConnectError`, the stream retries with backoff, and a 401 cannot trigger the auth refresh.
 *   (Token auth's verdict comes later, as the controller's close code.)
 * - **Timeouts.** The stream's `connectTimeoutMs` works: it destroys the attempt, which aborts a
 *   socket still connecting. The transport's `handshakeTimeoutMs` is not needed for that.
 * - **Destroy.** There is no `terminate()`: `destroy()` calls `close()` (an abort while
 *   connecting, a close frame once open), stops delivering frames at once, and reports `closed`
 *   when the browser's `close` event arrives, or {@link BROWSER_CLOSE_GRACE_MS} later at most.
 * - **maxPayload.** The browser reads a whole message before the page sees it; a bigger one (its
 *   UTF-8 bytes counted) fails the connection afterwards instead of being refused while it
 *   arrives. The close sent is {@link BROWSER_CLOSE_TOO_BIG} `'message too big'`: a page may not
 *   send 1009 (Message Too Big) itself.
 * - **Invalid UTF-8.** A browser validates text frames: one with invalid UTF-8 fails the
 *   connection (close 1007, and the browser logs it), which costs a reconnect and a replay. (Node
 *   skips that validation; binary frames are decoded leniently in both.)
 *
 * Frames: text frames arrive as strings; binary frames are read as `ArrayBuffer` and decoded as
 * UTF-8 (invalid bytes become U+FFFD), like the Node transport does.
 */
export const browserTransport: Transport = {
  open(request, listener) {
    return new BrowserConnection(request, listener);
  },
};

type SocketLike = Pick<WebSocket, 'readyState' | 'send' | 'close' | 'binaryType'> & {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
};

const CONNECTING = 0;
const OPEN = 1;

class BrowserConnection implements TransportConnection {
  readonly #socket: SocketLike | null;
  readonly #listener: TransportListener;
  readonly #maxPayload: number;
  readonly #decoder = new TextDecoder('utf-8');
  readonly #encoder = new TextEncoder();
  #opened = false;
  #failed = false;
  #closed = false;
  /** After destroy(): nothing but `closed` is reported. */
  #silenced = false;
  #grace: ReturnType<typeof setTimeout> | undefined;

  constructor(request: TransportRequest, listener: TransportListener) {
    this.#listener = listener;
    this.#maxPayload = request.maxPayload;
    const refusal = refuse(request);
    if (refusal) {
      // Reported like any failed attempt, on a later turn, with no socket ever made.
      this.#socket = null;
      setTimeout(() => {
        this.#fail(refusal);
        this.#onClose(1006, '');
      }, 0);
      return;
    }
    const WebSocketClass = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
    if (typeof WebSocketClass !== 'function') throw new TypeError('no WebSocket in this environment');
    const socket: SocketLike = new WebSocketClass(request.url, request.protocols ? [...request.protocols] : undefined);
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => this.#onOpen();
    socket.onmessage = (event) => this.#onMessage(event.data as unknown);
    socket.onerror = () => this.#fail();
    socket.onclose = (event) => this.#onClose(event.code, event.reason);
  }

  send(text: string): void {
    // Dropped unless OPEN, as the Node transport does: a DOM socket throws on send() while CONNECTING.
    if (this.#socket?.readyState === OPEN) this.#socket.send(text);
  }

  close(code: number, reason: string): void {
    const socket = this.#socket;
    if (socket && (socket.readyState === CONNECTING || socket.readyState === OPEN)) socket.close(code, reason);
  }

  destroy(): void {
    if (this.#silenced || this.#closed) return;
    this.#silenced = true;
    const socket = this.#socket;
    if (!socket) return; // a refused request: its `closed` is already on its way
    if (socket.readyState === CONNECTING || socket.readyState === OPEN) socket.close();
    this.#grace = setTimeout(() => this.#onClose(1006, 'closed by the client'), BROWSER_CLOSE_GRACE_MS);
  }

  #onOpen(): void {
    if (this.#silenced) return;
    this.#opened = true;
    this.#listener.opened({}); // a browser shows no response header (no `Date`)
  }

  #onMessage(data: unknown): void {
    if (this.#silenced || this.#failed) return;
    const size =
      typeof data === 'string' ? this.#textSizeForLimit(data) : data instanceof ArrayBuffer ? data.byteLength : 0;
    if (size > this.#maxPayload) {
      this.#fail(new ConnectError(`frame of ${size} bytes exceeds maxPayload (${this.#maxPayload})`));
      this.#socket?.close(BROWSER_CLOSE_TOO_BIG, 'message too big');
      return;
    }
    this.#listener.frame(typeof data === 'string' ? data : this.#decoder.decode(data as ArrayBuffer));
  }

  /**
   * A text frame's size as the maxPayload check needs it: its UTF-8 bytes when it could be over the
   * limit, else its length (no more than the bytes). A UTF-16 code unit is at most 3
   * bytes, so a frame whose length cannot reach the limit is not encoded: a house's frames never
   * are, and the per-frame path allocates nothing for the check.
   */
  #textSizeForLimit(text: string): number {
    return text.length * 3 <= this.#maxPayload ? text.length : this.#encoder.encode(text).byteLength;
  }

  #fail(error?: IoxError): void {
    if (this.#failed || this.#silenced) return;
    this.#failed = true;
    this.#listener.failed(
      error ??
        new ConnectError(
          this.#opened
            ? 'WebSocket error'
            : 'WebSocket connection failed (a browser does not say why: refused, TLS, or an HTTP status)',
        ),
    );
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed) return;
    if (!this.#opened) this.#fail(); // closed before it ever opened: that is the attempt's failure
    this.#closed = true;
    clearTimeout(this.#grace);
    const socket = this.#socket;
    if (socket) socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
    this.#listener.closed(code, reason);
  }
}

/** Why a request cannot be made from a browser (warns about what it leaves out), or undefined. */
function refuse(request: TransportRequest): IoxError | undefined {
  const names = Object.keys(request.headers);
  if (names.some((name) => name.toLowerCase() === 'authorization')) {
    return new AuthRejectedError(
      "a browser's WebSocket cannot send request headers (Authorization): credentials sent as a header " +
        '(LocalAuth, a bearer token) cannot reach the controller; use TokenAuth on /api/events/subscribe',
    );
  }
  if (request.tls && Object.values(request.tls).some((value) => value !== undefined)) {
    return new TlsError(
      "in a browser the `tls` options cannot apply (the browser verifies the controller's certificate): remove them",
    );
  }
  if (names.length > 0) {
    request.logger.warn(`a browser's WebSocket cannot send request headers; left out: ${names.join(', ')}`);
  }
  return undefined;
}
