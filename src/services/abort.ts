import { raceAbort } from '../abortable';
import { ConnectError } from '../errors';

/** The error an attempt ends with when the chart no longer wants it (STOP, timeout). */
export function aborted(): ConnectError {
  return new ConnectError('connect attempt aborted');
}

/** `promise`, or a rejection as soon as `signal` aborts (a slow token source must not hold an attempt). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return raceAbort(promise, signal, aborted);
}
