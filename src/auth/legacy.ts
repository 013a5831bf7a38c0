/**
 * Upgrade options older ISY994 clients send. The eisy works without them, so they are opt-in.
 *
 * Note that `ws` builds `Sec-WebSocket-Protocol` from its `protocols` argument (a header of that
 * name in `headers` would be overwritten), and that once a subprotocol is offered `ws` fails
 * the handshake ("Server sent no subprotocol") unless the controller echoes it: use this only for
 * controllers known to answer `ISYSUB`.
 */

/** The subprotocol legacy ISY994 clients offer. */
export const ISY994_SUBPROTOCOL = 'ISYSUB';

/** The `Origin` legacy ISY994 clients send. */
export const ISY994_ORIGIN = 'com.universal-devices.websockets.isy';

/** What to add to a WebSocket upgrade for a legacy ISY994 controller. */
export interface LegacyUpgrade {
  /** Pass as the `ws` constructor's `protocols` argument. */
  protocols: string[];
  /** Merge into the upgrade headers (auth headers win on conflict). */
  headers: Record<string, string>;
}

/** Fresh (mutable) copies of the ISY994 upgrade options: `protocols: ['ISYSUB']`, `Origin` header. */
export function legacyIsyUpgrade(): LegacyUpgrade {
  return { protocols: [ISY994_SUBPROTOCOL], headers: { Origin: ISY994_ORIGIN } };
}
