/**
 * The auth strategy's clean-up after a stream stops (e.g. `PortalAuth`'s logout): one at a time,
 * best effort, and cancelled by the next `start()`, so a logout never runs under a new run.
 */
import type { Auth } from './auth/types';

/** Runs `auth.stop` after a stop; the stream's next connection waits for it (see `done`). */
export class AuthCleanup {
  readonly #auth: Auth;
  #current: { controller: AbortController; done: Promise<void> } | null = null;

  constructor(auth: Auth) {
    this.#auth = auth;
  }

  /** The clean-up running now, if any: resolves when it has finished (it never rejects). */
  get done(): Promise<void> | undefined {
    return this.#current?.done;
  }

  /** Start the clean-up (or join the one running); resolves when it has finished. */
  run(): Promise<void> {
    if (this.#current) return this.#current.done;
    if (!this.#auth.stop) return Promise.resolve();
    const controller = new AbortController();
    const done = (async () => {
      try {
        await this.#auth.stop?.(controller.signal);
      } catch {
        // Best effort by contract (a logout that fails changes nothing for the caller).
      } finally {
        this.#current = null;
      }
    })();
    this.#current = { controller, done };
    return done;
  }

  /** Abort the running clean-up (a new run began). */
  cancel(): void {
    this.#current?.controller.abort();
  }
}
