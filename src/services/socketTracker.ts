import type WebSocket from 'isomorphic-ws';

/**
 * Every socket a stream created and that has not yet closed. `stop()` waits on it, so that when
 * it resolves no socket of the stream is left: not one abandoned mid-handshake, not one closing.
 */
export class SocketTracker {
  readonly #open = new Set<WebSocket>();
  #idleWaiters: Array<() => void> = [];

  track(socket: WebSocket): void {
    this.#open.add(socket);
    socket.once('close', () => {
      this.#open.delete(socket);
      if (this.#open.size === 0) this.#wakeIdle();
    });
  }

  /** Sockets created and not yet closed. */
  get size(): number {
    return this.#open.size;
  }

  /** Destroy every socket at once. */
  terminateAll(): void {
    for (const socket of this.#open) socket.terminate();
  }

  /** Resolves once no tracked socket is open. */
  idle(): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #wakeIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
