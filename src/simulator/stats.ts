/**
 * Counters a test reads to check a client's behaviour from the controller's side.
 *
 * A "client" is identified by the upgrade request alone: the `x-client-id` header when present,
 * otherwise `remoteAddress user-agent identity` where identity is the Basic user name or the bearer
 * token's subject (`-` when neither is on the upgrade, e.g. token-frame auth). On loopback, give each
 * client its own `x-client-id` (or user agent) when a test runs several at once.
 */
export interface SimulatorStats {
  /** WebSocket connections open right now (accepted upgrades not yet closed). */
  openSockets: number;
  /** The most connections ever open at once. */
  peakOpenSockets: number;
  /** Connections open right now, per client key. */
  readonly openPerClient: Map<string, number>;
  /** The most connections ever open at once, per client key: a leaking client shows > 1 here. */
  readonly peakOpenPerClient: Map<string, number>;
  /** Upgrade requests received (accepted or not). */
  upgrades: number;
  /** Subscriptions that started (authenticated and given a `sid`). */
  subscriptions: number;
  /** Data frames handed to sockets (events, heartbeats, garbage), excluding frames held by a stall. */
  framesSent: number;
  /** Upgrades answered with an HTTP error (auth failures and injected rejects). */
  rejects: number;
  /** Upgrades answered with 401 because the credentials were wrong (not injected). */
  authFailures: number;
  /** Sockets closed by the server because the token frame was missing or wrong. */
  tokenFrameFailures: number;
  /** `POST /api/login` requests that issued tokens. */
  logins: number;
  /** `POST /api/jwt/refresh` requests that issued tokens. */
  refreshes: number;
}

export function createStats(): SimulatorStats {
  return {
    openSockets: 0,
    peakOpenSockets: 0,
    openPerClient: new Map(),
    peakOpenPerClient: new Map(),
    upgrades: 0,
    subscriptions: 0,
    framesSent: 0,
    rejects: 0,
    authFailures: 0,
    tokenFrameFailures: 0,
    logins: 0,
    refreshes: 0,
  };
}

export function socketOpened(stats: SimulatorStats, client: string): void {
  stats.openSockets++;
  stats.peakOpenSockets = Math.max(stats.peakOpenSockets, stats.openSockets);
  const open = (stats.openPerClient.get(client) ?? 0) + 1;
  stats.openPerClient.set(client, open);
  stats.peakOpenPerClient.set(client, Math.max(stats.peakOpenPerClient.get(client) ?? 0, open));
}

export function socketClosed(stats: SimulatorStats, client: string): void {
  stats.openSockets--;
  const open = (stats.openPerClient.get(client) ?? 1) - 1;
  if (open <= 0) stats.openPerClient.delete(client);
  else stats.openPerClient.set(client, open);
}
