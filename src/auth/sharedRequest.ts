import { raceAbort } from '../abortable';
import { AuthTransientError } from '../errors';

/**
 * One request in flight shared by every caller that needs its answer (`PortalAuth`'s login or
 * refresh). Each caller may pass an `AbortSignal`: aborting frees that caller at once, and once
 * every caller has aborted (and none came without a signal) the request itself is cancelled, so a
 * stopped stream leaves no HTTPS connection behind.
 */
export class SharedRequest<T> {
  readonly promise: Promise<T>;
  readonly #controller = new AbortController();
  /** Callers waiting with a live signal; Infinity once one waits without a signal. */
  #waiters = 0;

  constructor(run: (signal: AbortSignal) => Promise<T>) {
    this.promise = run(this.#controller.signal);
    this.promise.catch(() => {});
  }

  /** Wait for the answer; `signal` aborts this caller's wait (rejects with `AuthTransientError`). */
  join(signal?: AbortSignal): Promise<T> {
    if (!signal) {
      this.#waiters = Number.POSITIVE_INFINITY;
      return this.promise;
    }
    const cancelled = () => new AuthTransientError('request cancelled: the stream no longer needs it');
    if (signal.aborted) return Promise.reject(cancelled());
    this.#waiters++;
    return raceAbort(this.promise, signal, () => {
      // The last caller with a signal gave up: nobody needs the answer, cancel the request.
      if (--this.#waiters === 0) this.#controller.abort();
      return cancelled();
    });
  }
}
