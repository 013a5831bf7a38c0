import { fromPromise } from 'xstate';
import type { Auth, TlsOptions } from '../auth/types';
import type { Logger } from '../logger';
import type { ConnectInput, OpenLink } from '../machine/events';
import { untilAborted } from './abort';
import type { SubscriberSlot } from './subscriberSlot';

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
  /** The owner of the connection. */
  slot: SubscriberSlot;
  /** Bound on TCP + TLS + upgrade underneath the chart's own connect timeout, ms. */
  handshakeTimeoutMs?: number;
}

/**
 * One connect attempt: the auth strategy's headers, then a connection in the subscriber slot,
 * then its opening frame. Resolves with the open link; rejects with a typed error: `HandshakeError`
 * for an HTTP status, `TlsError`, `ConnectError`, or the auth strategy's own `AuthTransientError` /
 * `AuthRejectedError`. When the chart leaves the state (STOP, timeout) the attempt's signal aborts:
 * the auth strategy's requests are cancelled and the connection is destroyed at once, whatever
 * it was waiting for.
 */
export async function openLink(options: ConnectOptions, signal: AbortSignal): Promise<OpenLink> {
  const authHeaders = await untilAborted(Promise.resolve(options.auth.headers(signal)), signal);
  return options.slot.open(
    {
      url: options.url,
      protocols: options.protocols,
      headers: { ...options.headers, ...authHeaders },
      maxPayload: options.maxPayload,
      tls: options.tls,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      logger: options.logger,
    },
    () => options.auth.openingFrame?.(signal),
    signal,
  );
}

/** The `connect` actor: one attempt per invocation. */
export function createConnectActor(options: ConnectOptions) {
  return fromPromise<OpenLink, ConnectInput>(({ signal }) => openLink(options, signal));
}

/** The `slotRelease` actor: resolves once the subscriber slot is vacant (the previous connection is gone). */
export function createSlotReleaseActor(vacant: () => Promise<void>) {
  return fromPromise<void, void>(() => vacant());
}
