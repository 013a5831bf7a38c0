import type { TlsOptions } from '../auth/types';
import type { Logger } from '../logger';

/**
 * The transport: how one WebSocket to the controller is opened, read, closed and torn down.
 *
 * The stream never touches a socket itself. Its subscriber slot (the controller's one
 * subscriber slot, as the stream sees it) asks a `Transport` to open a connection and from then
 * on owns it, from the first TCP packet to the moment the transport reports it `closed`. Two
 * implementations are meant to exist: Node (`ws` over a socket the transport itself connects and,
 * for `wss://`, verifies: CA, host name, SHA-256 pin) and the browser (the DOM `WebSocket`).
 *
 * ## Contract
 *
 * `open(request, listener)` returns at once with a {@link TransportConnection}; it never throws
 * for a network reason (a bad URL or an unsupported request may throw a `TypeError`). From then
 * on the transport calls the listener, always asynchronously (never from inside `open`, `send`,
 * `close` or `destroy`), in this order:
 *
 * 1. `opened(info)` at most once, when the upgrade succeeded (HTTP 101, subprotocol agreed).
 * 2. `frame(text)` for every frame after `opened`, in order, decoded as UTF-8: text and binary
 *    frames alike, invalid bytes as U+FFFD (a frame that is not an event is the dispatcher's to
 *    count and drop, never a reason to disconnect).
 * 3. `failed(error)` at most once: before `opened` it is why the attempt failed, after it why
 *    the link broke. Errors are typed and free of secrets: `HandshakeError` (an HTTP status on
 *    the upgrade), `TlsError` (certificate rejected), `ConnectError` (refused, reset, timed out).
 * 4. `closed(code, reason)` exactly once, last, when nothing of the connection is left at the
 *    transport level: in Node, when the TCP socket has closed. `code` is the peer's close code,
 *    1006 when there was no close frame. It follows `failed`, `close()` and `destroy()` alike.
 *
 * After `closed` nothing more is called. The slot counts a connection as occupying the
 * controller's subscriber slot until `closed`, so a transport must not report it early.
 *
 * ## Platform differences an implementation states in its own TSDoc
 *
 * - `headers`: the DOM `WebSocket` cannot send any; it fails the open with a `TypeError` when
 *   `request.headers` is not empty (token auth sends its token in the opening frame instead).
 * - `destroy()`: Node destroys the TCP socket (no close frame, the peer sees FIN/RST) and reports
 *   `closed` on the next turn. The DOM `WebSocket` has no terminate: it calls `close()` (which
 *   aborts a connection still CONNECTING), stops reporting frames at once, and reports `closed`
 *   when the browser's `close` event arrives.
 * - `tls`, `maxPayload`, `handshakeTimeoutMs`: applied where the platform lets the transport;
 *   in a browser the browser verifies certificates and bounds handshakes itself.
 */
export interface Transport {
  /** Start opening one connection; events go to `listener` (see the contract above). */
  open(request: TransportRequest, listener: TransportListener): TransportConnection;
}

/** What the stream asks a transport to open: one WebSocket to the controller's event stream. */
export interface TransportRequest {
  /** Full `ws://` / `wss://` URL of the stream endpoint. */
  readonly url: string;
  /** WebSocket subprotocols to offer (`['ISYSUB']` for legacy ISY994 controllers). */
  readonly protocols?: readonly string[];
  /** Upgrade request headers (auth, `User-Agent`, the legacy `Origin`). May be empty. */
  readonly headers: Readonly<Record<string, string>>;
  /** Largest frame accepted, in bytes; a bigger one fails the connection (`failed`, then `closed`). */
  readonly maxPayload: number;
  /** Certificate verification for `wss://` (default: on, system CAs). Node only. */
  readonly tls?: TlsOptions;
  /** Bound on TCP connect + TLS + upgrade, in ms. The stream's chart aborts earlier by `destroy()`. */
  readonly handshakeTimeoutMs?: number;
  /** Where warnings go (e.g. verification turned off). */
  readonly logger: Logger;
}

/** What a transport learned from the upgrade, where the platform shows it. */
export interface OpenedInfo {
  /** The upgrade response's `Date` header (the controller's clock, 1 s resolution). Not in browsers. */
  readonly serverDate?: string;
}

/** Where a connection reports what happens to it. See {@link Transport} for order and timing. */
export interface TransportListener {
  /** The upgrade succeeded: `send()` works and frames will arrive. */
  opened(info: OpenedInfo): void;
  /** One frame, decoded as UTF-8 text. */
  frame(text: string): void;
  /** The connection failed (typed, secret-free error); `closed` follows. */
  failed(error: Error): void;
  /** Nothing of the connection is left at the transport level. Called exactly once, last. */
  closed(code: number, reason: string): void;
}

/** One connection, as its owner (the subscriber slot) drives it. */
export interface TransportConnection {
  /** Send one text frame (the auth strategy's opening frame). Only after `opened`. */
  send(text: string): void;
  /**
   * Begin the closing handshake (a close frame with `code` and `reason`). Returns at once; the
   * owner destroys the connection if the peer does not answer within its close grace.
   */
  close(code: number, reason: string): void;
  /**
   * Tear the connection down now, in any phase: TCP connect, TLS handshake, upgrade, open or
   * closing. No closing handshake. Idempotent. `closed` still follows.
   */
  destroy(): void;
}
