/**
 * The words of TLS and connect failures (src/services/tls.ts, its pure functions): every Node
 * verification code becomes a reason a user can act on with the code in parentheses, a
 * verification code is a verdict on the certificate (`certificateRejected: true`) while other TLS
 * failures may pass on a retry, and a connect failure names Node's errno code and where it went.
 * The same functions on real sockets: tls.openSocket.test.ts and test/auth/tls.test.ts.
 */
import { ConnectError, HandshakeError, type IoxError, TlsError } from '../../src/errors';
import { asTlsError, certificateRejected, classifySocketError } from '../../src/services/tls';

const HEX = 'ab'.repeat(32);
const COLON = Array(32).fill('AB').join(':');

/** A raw error the way Node reports it: a message and a string `code`. */
function nodeError(code: string, message = `node says ${code}`): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

describe('a certificate verdict from a Node verification code', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'it is self-signed'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'it is self-signed'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'it is not signed by a trusted CA'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'it is not signed by a trusted CA'],
    ['UNABLE_TO_GET_ISSUER_CERT', 'it is not signed by a trusted CA'],
    ['CERT_HAS_EXPIRED', 'it has expired'],
    ['CERT_NOT_YET_VALID', 'it is not valid yet'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'it is not issued for this host name'],
  ])('%s says "%s (code)", is certificateRejected, and keeps the raw error as cause', (code, words) => {
    const raw = nodeError(code);
    const error = asTlsError(raw);
    expect(error).toBeInstanceOf(TlsError);
    expect(error?.message).toBe(`TLS: ${words} (${code}).`);
    expect(error?.certificateRejected).toBe(true);
    expect(error?.cause).toBe(raw);
    expect(error?.fingerprint256).toBeUndefined();
  });
});

describe('other TLS failures (may pass on a retry)', () => {
  it.each(['ERR_TLS_HANDSHAKE_TIMEOUT', 'ERR_TLS_INVALID_PROTOCOL_VERSION', 'ERR_SSL_WRONG_VERSION_NUMBER'])(
    '%s is "TLS failed (code)" with certificateRejected false and the raw error as cause',
    (code) => {
      const raw = nodeError(code);
      const error = asTlsError(raw);
      expect(error).toBeInstanceOf(TlsError);
      expect(error?.message).toBe(`TLS: TLS failed (${code}).`);
      expect(error?.certificateRejected).toBe(false);
      expect(error?.cause).toBe(raw);
    },
  );

  it('a code that merely ends in ERR_TLS_ or ERR_SSL_, or an unknown verification-like code, is not TLS', () => {
    expect(asTlsError(nodeError('X_ERR_TLS_'))).toBeUndefined();
    expect(asTlsError(nodeError('X_ERR_SSL_'))).toBeUndefined();
    expect(asTlsError(nodeError('ECONNRESET'))).toBeUndefined();
    expect(asTlsError(nodeError('CERT_REVOKED'))).toBeUndefined();
    expect(asTlsError(Object.assign(new Error('x'), { code: 42 }))).toBeUndefined();
    expect(asTlsError(null)).toBeUndefined();
    expect(asTlsError('ERR_TLS_CERT_ALTNAME_INVALID')).toBeUndefined();
  });

  it('our own TlsError passes through, also when carried as the cause of another error', () => {
    const tls = certificateRejected('eisy.local:8443', 'it has expired (CERT_HAS_EXPIRED)', HEX);
    expect(asTlsError(tls)).toBe(tls);
    expect(asTlsError(new Error('login failed', { cause: tls }))).toBe(tls);
  });
});

describe('certificateRejected', () => {
  it('without a presented fingerprint: the short message, and still a verdict on the certificate', () => {
    const cause = new Error('raw');
    const error = certificateRejected('127.0.0.1:8443', 'it is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)', undefined, {
      cause,
    });
    expect(error.message).toBe(
      'TLS: the certificate presented by 127.0.0.1:8443 was rejected: it is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT).',
    );
    expect(error.fingerprint256).toBeUndefined();
    expect(error.certificateRejected).toBe(true);
    expect(error.cause).toBe(cause);
  });

  it('unpinned: shows the fingerprint in both forms and how to pin it', () => {
    const error = certificateRejected('127.0.0.1:8443', 'it is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)', HEX);
    expect(error.message).toBe(
      'TLS: the certificate presented by 127.0.0.1:8443 was rejected: it is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT). ' +
        `Its SHA-256 fingerprint is ${COLON} (hex ${HEX}). ` +
        `If this is your controller's own certificate, pin it: tls: { fingerprint256: '${COLON}' }`,
    );
    expect(error.fingerprint256).toBe(COLON);
    expect(error.certificateRejected).toBe(true);
  });

  it('pinned: a mismatch says to update the pin, not to pin it', () => {
    const error = certificateRejected('127.0.0.1:8443', 'its SHA-256 fingerprint does not match', HEX, {
      pinned: true,
    });
    expect(error.message).toContain(
      `If the controller's certificate was replaced on purpose, update the pin: tls: { fingerprint256: '${COLON}' }`,
    );
    expect(error.message).not.toContain('pin it:');
    expect(error.certificateRejected).toBe(true);
  });
});

describe('classifySocketError', () => {
  it('passes our own errors through unchanged', () => {
    const ours: IoxError[] = [new HandshakeError(503), new ConnectError('x', 'ECONNREFUSED'), new TlsError('t')];
    for (const error of ours) expect(classifySocketError(error, '127.0.0.1:1')).toBe(error);
  });

  it("a TLS code becomes the TlsError, keeping Node's error as cause", () => {
    const raw = nodeError('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number');
    const error = classifySocketError(raw, '127.0.0.1:8443');
    expect(error).toBeInstanceOf(TlsError);
    expect(error.message).toBe('TLS: TLS failed (ERR_SSL_WRONG_VERSION_NUMBER).');
    expect(error.cause).toBe(raw);
  });

  it("names Node's errno code and the target, and keeps code and cause", () => {
    const raw = nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8443 (a detail we do not repeat)');
    const error = classifySocketError(raw, '127.0.0.1:8443');
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.message).toBe('connect to 127.0.0.1:8443 failed: ECONNREFUSED');
    expect((error as ConnectError).errno).toBe('ECONNREFUSED');
    expect(error.cause).toBe(raw);
  });

  it('without a target says "connect failed"', () => {
    const error = classifySocketError(nodeError('EHOSTUNREACH'));
    expect(error.message).toBe('connect failed: EHOSTUNREACH');
    expect((error as ConnectError).errno).toBe('EHOSTUNREACH');
  });

  it('without an errno code names the error message, or the thrown value itself', () => {
    const plain = new Error('socket hang up');
    const error = classifySocketError(plain, '[::1]:8443');
    expect(error.message).toBe('connect to [::1]:8443 failed: socket hang up');
    expect((error as ConnectError).errno).toBeUndefined();
    expect(error.cause).toBe(plain);
    const numeric = Object.assign(new Error('odd'), { code: 7 });
    expect(classifySocketError(numeric).message).toBe('connect failed: odd');
    expect((classifySocketError(numeric) as ConnectError).errno).toBeUndefined();
    expect(classifySocketError('gone').message).toBe('connect failed: gone');
    expect(classifySocketError(null).message).toBe('connect failed: null');
    expect(classifySocketError(undefined, 'h:1').message).toBe('connect to h:1 failed: undefined');
  });
});
