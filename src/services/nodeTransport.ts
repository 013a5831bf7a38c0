import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { ConnectError, HandshakeError } from '../errors';
import { classifySocketError, openSocket } from './tls';
import type { OpenedInfo, Transport, TransportConnection, TransportListener, TransportRequest } from './transport';

/** Close code reported when the connection ended without a close frame (RFC 6455 §7.1.5). */
const NO_CLOSE_FRAME = 1006;

/**
 * The Node transport: `ws` over a TCP (or TLS) socket this transport connects, verifies and owns
 * from the first packet, so `destroy()` reaches it in every phase: TCP connect, a TLS handshake
 * the server never finishes, the upgrade, open, closing. `closed` is reported once the TCP
 * socket itself has closed.
 *
 * `tls` (CA, host name, SHA-256 pin) is checked before the upgrade request, and with it any
 * `Authorization` header, is written. Frames are decoded as UTF-8 without validation: one bad
 * byte from a controller must not cost a reconnect and a full replay.
 */
export const nodeTransport: Transport = {
  open: (request, listener) => new NodeConnection(request, listener),
};

class NodeConnection implements TransportConnection {
  readonly #listener: TransportListener;
  readonly #socket: Socket;
  #ws: WebSocket | null = null;
  #opened: OpenedInfo | undefined;
  #isOpen = false;
  #timer: NodeJS.Timeout | undefined;
  #failed = false;
  #closed = false;
  #closeCode = NO_CLOSE_FRAME;
  #closeReason = '';

  constructor(request: TransportRequest, listener: TransportListener) {
    this.#listener = listener;
    const url = new URL(request.url);
    const secure = url.protocol === 'wss:';
    if (!secure && url.protocol !== 'ws:') throw new TypeError(`unsupported WebSocket URL scheme ${url.protocol}`);
    const limit = request.handshakeTimeoutMs;
    const pending = openSocket(
      { host: url.hostname, port: Number(url.port || (secure ? 443 : 80)), secure },
      request.tls,
      request.logger,
      limit,
    );
    this.#socket = pending.socket;
    this.#socket.once('close', () => setImmediate(() => this.#report()));
    if (limit !== undefined && limit > 0) {
      this.#timer = setTimeout(() => this.#fail(new ConnectError(`handshake took longer than ${limit} ms`)), limit);
    }
    pending.ready.then(
      () => this.#upgrade(request),
      (error: Error) => this.#fail(error),
    );
  }

  send(text: string): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(text);
  }

  close(code: number, reason: string): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.close(code, reason);
    else this.destroy();
  }

  destroy(): void {
    clearTimeout(this.#timer);
    this.#ws?.terminate();
    this.#socket.destroy();
  }

  #upgrade(request: TransportRequest): void {
    if (this.#socket.destroyed) return;
    const socket = this.#socket;
    const ws = new WebSocket(request.url, request.protocols as string[] | undefined, {
      headers: { ...request.headers },
      maxPayload: request.maxPayload,
      skipUTF8Validation: true,
      followRedirects: false,
      // The socket is connected and verified already: the upgrade request goes over it.
      createConnection: () => socket,
    });
    this.#ws = ws;
    ws.on('upgrade', (response: IncomingMessage) => {
      const date = response.headers.date;
      this.#opened = { serverDate: typeof date === 'string' ? date : undefined };
    });
    ws.on('open', () => {
      clearTimeout(this.#timer);
      this.#isOpen = true;
      if (!this.#closed) this.#listener.opened(this.#opened ?? {});
    });
    ws.on('message', (data: WebSocket.RawData) => {
      if (!this.#closed) this.#listener.frame(toText(data));
    });
    ws.on('unexpected-response', (req: ClientRequest, response: IncomingMessage) => {
      // With this listener present ws leaves the request to us: drain and drop it.
      response.resume();
      req.destroy();
      this.#fail(new HandshakeError(response.statusCode ?? 0));
    });
    // Before the upgrade an error is why the attempt failed (typed); after it, ws's own error
    // (e.g. a frame over maxPayload) says why the link broke.
    ws.on('error', (error: Error) => this.#fail(this.#isOpen ? error : classifySocketError(error)));
    ws.on('close', (code: number, reason: Buffer) => {
      this.#closeCode = code;
      this.#closeReason = reason.toString();
      // ws has let go; make sure the TCP socket goes too (it normally has already).
      socket.destroy();
    });
  }

  #fail(error: Error): void {
    if (!this.#failed && !this.#closed) {
      this.#failed = true;
      this.#listener.failed(error);
    }
    this.destroy();
  }

  /** The TCP socket closed (and ws, a turn later, has said why): the connection is gone. */
  #report(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#listener.closed(this.#closeCode, this.#closeReason);
  }
}

function toText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
