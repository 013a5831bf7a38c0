import WebSocket from 'isomorphic-ws';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { fromPromise } from 'xstate';
import { asTlsError, wsTlsOptions } from '../auth/tls';
import type { Auth, TlsOptions } from '../auth/types';
import { ConnectError, HandshakeError, IoxError } from '../errors';
import type { Logger } from '../logger';
import type { ConnectInput, OpenLink } from '../machine/events';
import { SocketLink } from './socketLink';
import type { SocketTracker } from './socketTracker';
import { awaitTokenVerdict } from './tokenVerdict';

/** What a connect attempt needs besides the chart's input. */
export interface ConnectOptions {
  /** Full `ws://` / `wss://` URL of the stream endpoint. */
  url: string;
  auth: Auth;
  tls?: TlsOptions;
  logger: Logger;
  /** Largest frame accepted, in bytes. */
  maxPayload: number;
  /** WebSocket subprotocols to offer (`['ISYSUB']` for legacy ISY994 controllers). */
  protocols?: string[];
  /** Extra upgrade headers (e.g. the legacy ISY994 `Origin`). Auth headers win on conflict. */
  headers?: Record<string, string>;
  tracker: SocketTracker;
  /**
   * ws's own handshake limit. The chart's connect timeout aborts the attempt first; this bounds
   * how long a TLS socket abandoned mid-handshake can linger underneath.
   */
  handshakeTimeoutMs?: number;
}

/**
 * Open one WebSocket to the controller. Resolves with the open link once the upgrade succeeded
 * and the auth strategy's opening frame (if any) was sent; rejects with a typed error:
 * `HandshakeError` for an HTTP status, `TlsError`, `ConnectError`, or the auth strategy's own
 * `AuthTransientError` / `AuthRejectedError`. Aborting (the chart left the state) destroys the socket.
 */
export async function openLink(options: ConnectOptions, signal: AbortSignal): Promise<SocketLink> {
  const authHeaders = await options.auth.headers();
  if (signal.aborted) throw new ConnectError('connect attempt aborted');

  const socket = new WebSocket(options.url, options.protocols, {
    headers: { ...options.headers, ...authHeaders },
    maxPayload: options.maxPayload,
    // One bad byte from a controller must not cost a reconnect and a full replay.
    skipUTF8Validation: true,
    followRedirects: false,
    ...(options.handshakeTimeoutMs ? { handshakeTimeout: options.handshakeTimeoutMs } : {}),
    ...wsTlsOptions(options.tls, options.logger),
  });
  options.tracker.track(socket);
  const link = new SocketLink(socket);

  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      cleanup();
      if (socket.readyState !== socket.CLOSED) socket.terminate();
      reject(error);
    };
    const onAbort = () => fail(new ConnectError('connect attempt aborted'));
    const onUpgrade = (response: IncomingMessage) => {
      const date = response.headers.date;
      link.serverDate = typeof date === 'string' ? date : undefined;
    };
    const onOpen = () => {
      link.openedAt = Date.now();
      cleanup();
      resolve();
    };
    const onUnexpectedResponse = (request: ClientRequest, response: IncomingMessage) => {
      // With this listener present ws leaves the request to us: drain and drop it.
      response.resume();
      request.destroy();
      fail(new HandshakeError(response.statusCode ?? 0));
    };
    const onError = (error: Error) => fail(classifySocketError(error));
    const onClose = () => fail(new ConnectError('socket closed during the handshake'));
    const cleanup = () => {
      signal.removeEventListener('abort', onAbort);
      socket.off('upgrade', onUpgrade);
      socket.off('open', onOpen);
      socket.off('unexpected-response', onUnexpectedResponse);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('upgrade', onUpgrade);
    socket.on('open', onOpen);
    socket.on('unexpected-response', onUnexpectedResponse);
    socket.on('error', onError);
    socket.on('close', onClose);
  });

  try {
    const opening = await options.auth.openingFrame?.();
    if (signal.aborted) throw new ConnectError('connect attempt aborted');
    if (opening !== undefined) {
      socket.send(opening);
      await awaitTokenVerdict(socket, signal);
    }
  } catch (error) {
    link.abandon();
    throw error;
  }
  return link;
}

/** The `connect` actor: one attempt per invocation. */
export function createConnectActor(options: ConnectOptions) {
  return fromPromise<OpenLink, ConnectInput>(({ signal }) => openLink(options, signal));
}

/** Map a socket error to a typed one whose message carries no secret. */
export function classifySocketError(error: unknown): IoxError {
  if (error instanceof IoxError) return error;
  const tls = asTlsError(error);
  if (tls) return tls;
  const errno = (error as { code?: unknown } | null)?.code;
  const code = typeof errno === 'string' ? errno : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectError(code ? `connect failed: ${code}` : `connect failed: ${message}`, code, { cause: error });
}
