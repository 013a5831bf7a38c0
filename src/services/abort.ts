import { ConnectError } from '../errors';

/** The error an attempt ends with when the chart no longer wants it (STOP, timeout). */
export function aborted(): ConnectError {
  return new ConnectError('connect attempt aborted');
}

/** `promise`, or a rejection as soon as `signal` aborts (a slow token source must not hold an attempt). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
