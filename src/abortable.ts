/**
 * Abort helpers shared by the actors (`services/`) and the portal's HTTP calls (`auth/`): one
 * neutral module, so neither layer imports the other for a few lines about `AbortSignal`.
 */

/**
 * `promise`, or a rejection with `onAbort()`'s error as soon as `signal` aborts (at once when it
 * already has). The abort listener is removed when `promise` settles first, so a long-lived
 * signal does not collect listeners.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, onAbort: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

/** `signal` (when given) or a timeout of `ms`, whichever aborts first. */
export function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}
