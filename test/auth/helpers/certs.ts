import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away self-signed certificate made by `openssl` for one test file. */
export interface TestCert {
  key: string;
  cert: string;
  /** Node's `AA:BB:...` form. */
  fingerprint256: string;
  /** 64 lowercase hex digits. */
  hex: string;
}

/** A temp directory of certificates, removed by `cleanup()`. */
export class CertFactory {
  readonly dir = mkdtempSync(join(tmpdir(), 'iox-auth-certs-'));
  #count = 0;

  /**
   * `san` defaults to localhost + 127.0.0.1 so that CA-based verification can succeed; `extensions`
   * are more `-addext` values (`'extendedKeyUsage=clientAuth'`).
   */
  make(san = 'DNS:localhost,IP:127.0.0.1', extensions: string[] = []): TestCert {
    const n = this.#count++;
    const keyPath = join(this.dir, `key${n}.pem`);
    const certPath = join(this.dir, `cert${n}.pem`);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        `subjectAltName=${san}`,
        ...extensions.flatMap((extension) => ['-addext', extension]),
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: 'pipe', timeout: 10_000 },
    );
    const cert = readFileSync(certPath, 'utf8');
    const fingerprint256 = new X509Certificate(cert).fingerprint256;
    return {
      key: readFileSync(keyPath, 'utf8'),
      cert,
      fingerprint256,
      hex: fingerprint256.replace(/:/g, '').toLowerCase(),
    };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
