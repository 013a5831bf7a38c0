import { fromCallback } from 'xstate';
import type { ReaderInput, StreamEvent } from '../machine/events';
import { heartbeatPromiseOf } from './heartbeat';
import type { SocketLink } from './socketLink';

/**
 * Reads the open link for as long as the chart stays in OPEN: every frame becomes FRAME, the end
 * of the socket becomes SOCKET_CLOSED or SOCKET_ERROR. Its clean-up closes the socket, so leaving
 * OPEN for any reason (STOP, dead link, a close) can never leak a socket.
 */
export const readerActor = fromCallback<StreamEvent, ReaderInput>(({ input, sendBack }) => {
  const link = input.link as SocketLink;
  link.attach({
    frame: (raw) => sendBack({ type: 'FRAME', raw, heartbeatSec: heartbeatPromiseOf(raw) }),
    closed: (code, reason) => sendBack({ type: 'SOCKET_CLOSED', code, reason }),
    failed: (error) => sendBack({ type: 'SOCKET_ERROR', error }),
  });
  return () => link.release();
});
