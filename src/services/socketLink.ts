import type WebSocket from 'isomorphic-ws';
import { summarizeError, type ErrorSummary } from '../errors';
import type { OpenLink } from '../machine/events';

/** Where a link delivers what its socket does. */
export interface LinkHandlers {
  frame(raw: string): void;
  closed(code: number, reason: string): void;
  failed(error: ErrorSummary): void;
}

/** How a socket ended: closed by the peer, or failed. */
type LinkEnd = { kind: 'closed'; code: number; reason: string } | { kind: 'failed'; error: ErrorSummary };

/** How long a polite close may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

/**
 * An open WebSocket between the `connect` actor and the `reader` actor.
 *
 * Frames that arrive before the reader attaches are buffered: the controller starts its replay
 * right after the upgrade, and losing its first frames would leave the mirror incomplete.
 * After `release()` nothing more is delivered, whatever the socket still does.
 */
export class SocketLink implements OpenLink {
  readonly socket: WebSocket;
  /** Local epoch ms when the upgrade completed: where the replay-by-clock rule counts from. */
  openedAt = 0;
  /** The upgrade response's `Date` header (the controller's clock, second resolution), when sent. */
  serverDate: string | undefined;
  #handlers: LinkHandlers | null = null;
  #early: string[] = [];
  #ended: LinkEnd | null = null;
  #released = false;

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data: WebSocket.RawData) => this.#onMessage(data));
    socket.on('close', (code: number, reason: Buffer) =>
      this.#end({ kind: 'closed', code, reason: reason.toString() }),
    );
    socket.on('error', (error: Error) => this.#end({ kind: 'failed', error: summarizeError(error) }));
  }

  /** Start delivering, first whatever arrived before. */
  attach(handlers: LinkHandlers): void {
    if (this.#released) return;
    this.#handlers = handlers;
    const early = this.#early;
    this.#early = [];
    for (const raw of early) {
      if (this.#handlers !== handlers) return; // released by a handler
      handlers.frame(raw);
    }
    if (this.#ended && this.#handlers === handlers) this.#report(this.#ended);
  }

  /** Stop delivering and close the socket politely (destroyed if the peer does not answer). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#handlers = null;
    this.#early = [];
    const socket = this.socket;
    if (socket.readyState === socket.OPEN) {
      socket.close(1000, 'client closing');
      const force = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
      socket.once('close', () => clearTimeout(force));
    } else if (socket.readyState !== socket.CLOSED) {
      socket.terminate();
    }
  }

  /** Stop delivering and destroy the socket at once: it is dead, a closing handshake would hang. */
  abandon(): void {
    this.#released = true;
    this.#handlers = null;
    this.#early = [];
    if (this.socket.readyState !== this.socket.CLOSED) this.socket.terminate();
  }

  #onMessage(data: WebSocket.RawData): void {
    if (this.#released) return;
    // Text and binary alike are decoded (invalid UTF-8 becomes U+FFFD, since validation is off):
    // a frame that is not an event is the dispatcher's to count and drop, never a reason to disconnect.
    const raw = toText(data);
    if (this.#handlers) this.#handlers.frame(raw);
    else this.#early.push(raw);
  }

  #end(ended: LinkEnd): void {
    if (this.#ended) return; // an error is followed by a close: report the first only
    this.#ended = ended;
    if (this.#handlers) this.#report(ended);
  }

  #report(ended: LinkEnd): void {
    const handlers = this.#handlers;
    if (!handlers) return;
    this.#handlers = null;
    if (ended.kind === 'closed') handlers.closed(ended.code, ended.reason);
    else handlers.failed(ended.error);
  }
}

function toText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
