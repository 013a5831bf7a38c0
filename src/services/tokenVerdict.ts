import { ConnectError, TokenRejectedError } from '../errors';
import { untilAborted } from './abort';
import type { Link } from './subscriberSlot';

/**
 * After the token frame of `/api/events/subscribe`: wait for the controller's verdict. It sends
 * no acknowledgement; it starts its replay when it accepts the token, and closes the socket with
 * 1008 when it does not (the simulator: `unauthorized`, or `no auth frame` after a timeout). So
 * the first frame means accepted (the link has buffered it for the reader), a 1008 close means
 * rejected ({@link TokenRejectedError}, the 401 path), any other end a failed attempt. Until
 * then the stream is still connecting: a socket is not SYNCING before its token was accepted.
 * The chart's connect timeout bounds the wait (aborting `signal`).
 */
export async function awaitTokenVerdict(link: Link, signal: AbortSignal): Promise<void> {
  const sign = await untilAborted(link.firstSign(), signal);
  if (sign.kind === 'frame') return;
  if (sign.kind === 'closed') {
    throw sign.code === 1008
      ? new TokenRejectedError(sign.reason)
      : new ConnectError(`socket closed right after the token frame (code ${sign.code})`);
  }
  throw new ConnectError(`socket failed right after the token frame: ${sign.error.message}`);
}
