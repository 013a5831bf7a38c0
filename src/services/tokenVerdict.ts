import type WebSocket from 'isomorphic-ws';
import { ConnectError, TokenRejectedError } from '../errors';

/**
 * After the token frame of `/api/events/subscribe`: wait for the controller's verdict. It sends
 * no acknowledgement; it starts its replay when it accepts the token, and closes the socket with
 * 1008 when it does not (the simulator: `unauthorized`, or `no auth frame` after a timeout). So
 * the first frame means accepted (the link has buffered it for the reader), a 1008 close means
 * rejected ({@link TokenRejectedError}, the 401 path), any other close a failed attempt. Until
 * then the stream is still connecting: a socket is not SYNCING before its token was accepted.
 * The chart's connect timeout bounds the wait.
 */
export function awaitTokenVerdict(socket: WebSocket, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error): void => {
      socket.off('message', onMessage);
      socket.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onMessage = (): void => settle();
    const onClose = (code: number, reason: Buffer): void =>
      settle(
        code === 1008
          ? new TokenRejectedError(reason.toString())
          : new ConnectError(`socket closed right after the token frame (code ${code})`),
      );
    const onAbort = (): void => settle(new ConnectError('connect attempt aborted'));
    if (signal.aborted) return onAbort();
    socket.on('message', onMessage);
    socket.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
