import { ConnectError, summarizeError, type ErrorSummary } from '../errors';
import { aborted, untilAborted } from './abort';
import type { OpenLink } from '../machine/events';
import { awaitTokenVerdict } from './tokenVerdict';
import type { OpenedInfo, Transport, TransportConnection, TransportRequest } from './transport';

/** How long a polite close may take before the connection is destroyed, ms. */
export const DEFAULT_CLOSE_GRACE_MS = 1000;

/** Where a link delivers what its connection does, once a reader has claimed it. */
export interface LinkHandlers {
  frame(raw: string): void;
  closed(code: number, reason: string): void;
  failed(error: ErrorSummary): void;
}

/** Where a connection is in its life. `gone`: nothing of it is left at the transport level. */
export type LinkPhase = 'opening' | 'open' | 'closing' | 'gone';

/** How a connection ended: closed (with the peer's code), or failed. */
export type LinkEnd = { kind: 'closed'; code: number; reason: string } | { kind: 'failed'; error: ErrorSummary };

/**
 * The controller's subscriber slot, as one stream sees it: the one owner of every connection the
 * stream opens, from the TCP connect to the transport's `closed`.
 *
 * A controller serves a handful of event-stream subscribers (an ISY994 four); a client that leaves
 * a second socket behind takes a slot from another app. So the slot can end its connection at any
 * moment (mid-TCP, mid-TLS, mid-upgrade, while the auth strategy computes the opening frame, open,
 * closing), it reports when it is vacant (nothing left at the TCP level), and it refuses to open a
 * connection while another is alive: the chart waits for vacancy first (`waitingForSlot`).
 *
 * Ending a connection: `release()` closes politely (a close frame; destroyed after `closeGraceMs`
 * if the peer does not answer), `abandon()` destroys at once (a dead link: a closing handshake
 * would only hang), `silence()` stops every delivery at once (`stop()` takes effect when called).
 */
export class SubscriberSlot {
  readonly #transport: Transport;
  readonly #closeGraceMs: number;
  readonly #links = new Set<Link>();
  #vacancyWaiters: Array<() => void> = [];

  constructor(transport: Transport, options: { closeGraceMs?: number } = {}) {
    this.#transport = transport;
    this.#closeGraceMs = options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
  }

  /** Connections alive at the transport level (0 or 1 unless something is wrong). */
  get occupancy(): number {
    return this.#links.size;
  }

  /** Resolves once no connection of this slot is left at the transport level. */
  whenVacant(): Promise<void> {
    if (this.#links.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#vacancyWaiters.push(resolve));
  }

  /**
   * Open one connection and send the auth strategy's opening frame. Resolves with the open link;
   * rejects with the transport's typed error, the opening frame's error, or a `ConnectError` when
   * `signal` aborts, and the connection is then destroyed at once. Until a reader claims the link
   * (`attach`), an abort still destroys it: a link is never left unowned between two actors.
   *
   * @throws Error when a connection is still alive: the caller must wait for `whenVacant()`.
   */
  async open(
    request: TransportRequest,
    openingFrame: () => string | undefined | Promise<string | undefined>,
    signal: AbortSignal,
  ): Promise<Link> {
    if (this.#links.size > 0) {
      throw new Error('SubscriberSlot: a connection is still alive; wait for the slot to be vacant first');
    }
    if (signal.aborted) throw aborted();
    const link = new Link(this.#closeGraceMs, (gone) => this.#left(gone));
    this.#links.add(link);
    link.bindAbort(signal);
    link.start(this.#transport, request);
    try {
      await link.opened;
      const frame = await untilAborted(Promise.resolve(openingFrame()), signal);
      if (frame !== undefined) {
        link.send(frame);
        await awaitTokenVerdict(link, signal);
      }
    } catch (error) {
      link.abandon();
      throw error;
    }
    return link;
  }

  /** Close every connection politely; those still opening are destroyed. */
  release(): void {
    for (const link of this.#links) link.release();
  }

  /** Destroy every connection at once, with no closing handshake. */
  abandon(): void {
    for (const link of this.#links) link.abandon();
  }

  /** Deliver nothing more from any connection alive now (frames, closes, errors). */
  silence(): void {
    for (const link of this.#links) link.silence();
  }

  #left(link: Link): void {
    this.#links.delete(link);
    if (this.#links.size > 0) return;
    const waiters = this.#vacancyWaiters;
    this.#vacancyWaiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * One connection in the slot: the open link the `connect` actor hands to the `reader` actor.
 *
 * Frames that arrive before the reader attaches are buffered (the controller starts its replay
 * right after the upgrade) and handed over on a later turn, so that status listeners hear
 * SYNCING before the first replay event. After `detach()`/`silence()` nothing more is delivered.
 */
export class Link implements OpenLink {
  /** Local epoch ms when the connection was asked for (before the TCP connect and the upgrade request). */
  requestedAt = 0;
  /** Local epoch ms when the upgrade completed (0 until then). */
  openedAt = 0;
  /** The upgrade response's `Date` header (the controller's clock), when the transport saw one. */
  serverDate: string | undefined;
  #phase: LinkPhase = 'opening';
  #connection: TransportConnection | null = null;
  #handlers: LinkHandlers | null = null;
  #early: string[] = [];
  #ended: LinkEnd | null = null;
  #silenced = false;
  #unbindAbort: (() => void) | null = null;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #destroyed = false;
  #signWaiters: Array<(sign: { kind: 'frame' } | LinkEnd) => void> = [];
  readonly #closeGraceMs: number;
  readonly #onGone: (link: Link) => void;
  readonly opened: Promise<void>;
  #settleOpened!: (error: Error | null) => void;

  constructor(closeGraceMs: number, onGone: (link: Link) => void) {
    this.#closeGraceMs = closeGraceMs;
    this.#onGone = onGone;
    this.opened = new Promise<void>((resolve, reject) => {
      this.#settleOpened = (error) => (error ? reject(error) : resolve());
    });
    this.opened.catch(() => {});
  }

  get phase(): LinkPhase {
    return this.#phase;
  }

  /** Until a reader claims the link, aborting `signal` destroys it. */
  bindAbort(signal: AbortSignal): void {
    const onAbort = () => {
      this.#settleOpened(aborted());
      this.abandon();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    this.#unbindAbort = () => signal.removeEventListener('abort', onAbort);
  }

  start(transport: Transport, request: TransportRequest): void {
    this.requestedAt = Date.now();
    try {
      this.#connection = this.#openWith(transport, request);
    } catch (error) {
      // Refused before any connection existed (the contract lets `open` throw a TypeError for a
      // request it cannot make): nothing to wait for, the slot is vacant at once.
      this.#gone();
      throw error;
    }
  }

  #openWith(transport: Transport, request: TransportRequest): TransportConnection {
    return transport.open(request, {
      opened: (info: OpenedInfo) => {
        if (this.#phase !== 'opening') return;
        this.#phase = 'open';
        this.openedAt = Date.now();
        this.serverDate = info.serverDate;
        this.#settleOpened(null);
      },
      frame: (text) => this.#onFrame(text),
      failed: (error) => {
        this.#settleOpened(error);
        this.#end({ kind: 'failed', error: summarizeError(error) });
      },
      closed: (code, reason) => {
        this.#settleOpened(new ConnectError('connection closed before the upgrade completed'));
        this.#end({ kind: 'closed', code, reason });
        this.#gone();
      },
    });
  }

  send(text: string): void {
    if (this.#phase === 'open') this.#connection?.send(text);
  }

  /** Resolves at the first frame (kept for the reader) or with how the connection ended, whichever comes first. */
  firstSign(): Promise<{ kind: 'frame' } | LinkEnd> {
    if (this.#early.length > 0) return Promise.resolve({ kind: 'frame' });
    if (this.#ended) return Promise.resolve(this.#ended);
    return new Promise((resolve) => this.#signWaiters.push(resolve));
  }

  #sign(sign: { kind: 'frame' } | LinkEnd): void {
    const waiters = this.#signWaiters;
    this.#signWaiters = [];
    for (const wake of waiters) wake(sign);
  }

  /** The reader claims the link: deliver from now on, first whatever arrived before (on a later turn). */
  attach(handlers: LinkHandlers): void {
    this.#unbindAbort?.();
    this.#unbindAbort = null;
    if (this.#silenced) return;
    this.#handlers = handlers;
    queueMicrotask(() => this.#flushEarly(handlers));
  }

  /** The reader lets go: deliver nothing more. */
  detach(): void {
    this.#handlers = null;
    this.#early = [];
  }

  /** Deliver nothing more, whoever listens. */
  silence(): void {
    this.#silenced = true;
    this.detach();
  }

  /** Close politely: a close frame, then destroyed if the peer has not closed within the grace. */
  release(): void {
    this.detach();
    if (this.#phase === 'open') {
      this.#phase = 'closing';
      this.#connection?.close(1000, 'client closing');
      this.#closeTimer = setTimeout(() => this.abandon(), this.#closeGraceMs);
    } else if (this.#phase === 'opening') {
      this.abandon();
    }
  }

  /** Destroy at once, in any phase, with no closing handshake. */
  abandon(): void {
    this.detach();
    if (this.#phase === 'gone' || this.#destroyed) return;
    this.#destroyed = true;
    this.#phase = 'closing';
    clearTimeout(this.#closeTimer);
    this.#connection?.destroy();
    // A transport that cannot tear down at once (a browser's WebSocket) still frees the slot
    // within the grace: nothing more is read from it either way.
    this.#closeTimer = setTimeout(() => this.#gone(), this.#closeGraceMs);
  }

  #gone(): void {
    if (this.#phase === 'gone') return;
    this.#phase = 'gone';
    clearTimeout(this.#closeTimer);
    this.#unbindAbort?.();
    this.#unbindAbort = null;
    this.#onGone(this);
  }

  #onFrame(text: string): void {
    if (this.#silenced || this.#phase === 'closing' || this.#phase === 'gone') return;
    if (this.#handlers) this.#handlers.frame(text);
    else {
      this.#early.push(text);
      if (this.#early.length === 1) this.#sign({ kind: 'frame' });
    }
  }

  #flushEarly(handlers: LinkHandlers): void {
    const early = this.#early;
    this.#early = [];
    for (const raw of early) {
      if (this.#handlers !== handlers) return; // detached (or silenced) by a handler
      handlers.frame(raw);
    }
    if (this.#ended && this.#handlers === handlers) this.#report(this.#ended);
  }

  #end(ended: LinkEnd): void {
    if (this.#ended) return; // a failure is followed by a close: report the first only
    this.#ended = ended;
    this.#sign(ended);
    // Before the reader has flushed what came earlier, the end waits its turn.
    if (this.#handlers && this.#early.length === 0) this.#report(ended);
  }

  #report(ended: LinkEnd): void {
    const handlers = this.#handlers;
    if (!handlers) return;
    this.#handlers = null;
    if (ended.kind === 'closed') handlers.closed(ended.code, ended.reason);
    else handlers.failed(ended.error);
  }
}
