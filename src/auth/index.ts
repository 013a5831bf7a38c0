/**
 * Public auth API: strategies, TLS helpers, redaction.
 */
export type { Auth, AuthContext, TlsOptions } from './types';
export { LocalAuth } from './local';
export { PortalAuth, type PortalAuthOptions } from './portal';
export {
  TokenAuth,
  tokenFrame,
  type TokenAuthOptions,
  type TokenFrameShape,
  type TokenProvider,
  type TokenSource,
} from './token';
export { ISY994_ORIGIN, ISY994_SUBPROTOCOL, legacyIsyUpgrade, type LegacyUpgrade } from './legacy';
export { REDACTED, redact, redactingLogger } from './redact';
export { assertTlsOptions, formatFingerprint, normalizeFingerprint } from './fingerprint';
export type { FetchLike, FetchLikeInit, FetchLikeResponse } from './fetchLike';
