import type { TlsOptions } from './types';

/*
 * Fingerprint helpers and option checks with no Node dependency, so that `PortalAuth` can
 * validate its options in a browser bundle too.
 */

/**
 * Normalise a SHA-256 fingerprint to 64 lowercase hex digits. Accepts Node's `AA:BB:...` form,
 * plain hex, any case, and tolerates spaces (copied from a browser's certificate viewer).
 *
 * @throws TypeError when the input is not 32 bytes of hex.
 */
export function normalizeFingerprint(fingerprint: string): string {
  const hex = String(fingerprint).replace(/[\s:]/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new TypeError(
      "tls.fingerprint256 must be a SHA-256 fingerprint: 64 hex digits, plain or as 'AA:BB:...' (32 pairs)",
    );
  }
  return hex;
}

/** 64 hex digits → Node's `AA:BB:...` form. */
export function formatFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}

/**
 * Check TLS options up front so that a typo fails `createEventStream` / `new PortalAuth`
 * instead of every connection attempt.
 *
 * @throws TypeError on an invalid fingerprint or a non-boolean `rejectUnauthorized`.
 */
export function assertTlsOptions(tls: TlsOptions | undefined): void {
  if (tls === undefined) return;
  if (tls === null || typeof tls !== 'object') throw new TypeError('tls must be an object');
  if (tls.fingerprint256 !== undefined) normalizeFingerprint(tls.fingerprint256);
  if (tls.rejectUnauthorized !== undefined && typeof tls.rejectUnauthorized !== 'boolean') {
    throw new TypeError('tls.rejectUnauthorized must be a boolean');
  }
}
