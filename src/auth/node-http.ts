import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from '../logger';
import type { FetchLike } from './fetchLike';
import { createVerifiedConnection } from './tls';
import type { TlsOptions } from './types';

/** Portal answers are small JSON documents; anything bigger is not one. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * A minimal fetch over `node:http(s)` whose TLS connections are verified by
 * {@link createVerifiedConnection} (CA, SHA-256 pin, fingerprint in errors), fresh on every
 * request: no keep-alive pool, so no connection ever skips the check.
 */
export function createNodeFetch(tls: TlsOptions | undefined, logger: Logger): FetchLike {
  const createConnection = createVerifiedConnection(tls, logger);
  return (url, init) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        reject(new TypeError(`unsupported protocol ${target.protocol}`));
        return;
      }
      const body = init.body ?? '';
      const request = (secure ? httpsRequest : httpRequest)(
        {
          protocol: target.protocol,
          host: target.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: target.port || (secure ? 443 : 80),
          path: `${target.pathname}${target.search}`,
          method: init.method,
          headers: { ...init.headers, 'Content-Length': String(Buffer.byteLength(body)) },
          signal: init.signal,
          // Node's typings want a synchronous factory; the callback form is supported at runtime.
          createConnection: createConnection as never,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              response.destroy(new Error('response too large'));
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: response.statusCode ?? 0, text: async () => text });
          });
        },
      );
      request.on('error', reject);
      request.end(body);
    });
}
