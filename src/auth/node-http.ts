import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from '../logger';
import { openSocket } from '../services/tls';
import type { FetchLike } from './fetchLike';
import type { TlsOptions } from './types';

/** Portal answers are small JSON documents; anything bigger is not one. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * A minimal fetch over `node:http(s)` whose connections are opened and verified by
 * {@link openSocket} (CA, SHA-256 pin, fingerprint in errors), fresh on every request: no
 * keep-alive pool, so no connection ever skips the check. The socket is ours from its first
 * packet: aborting `init.signal` destroys it in any phase, a TLS handshake that never completes
 * included.
 */
export function createNodeFetch(tls: TlsOptions | undefined, logger: Logger): FetchLike {
  return (url, init) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        reject(new TypeError(`unsupported protocol ${target.protocol}`));
        return;
      }
      const signal = init.signal;
      const abortError = () => Object.assign(new Error('request aborted'), { name: 'AbortError' });
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
      const { socket, ready } = openSocket(
        { host, port: Number(target.port || (secure ? 443 : 80)), secure },
        tls,
        logger,
      );
      const onAbort = () => {
        socket.destroy();
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      ready.then(
        () => {
          const body = init.body ?? '';
          const request = (secure ? httpsRequest : httpRequest)(
            {
              host,
              port: target.port || (secure ? 443 : 80),
              path: `${target.pathname}${target.search}`,
              method: init.method,
              headers: { ...init.headers, 'Content-Length': String(Buffer.byteLength(body)) },
              // The socket is connected and verified already: the request goes over it.
              createConnection: () => socket,
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
              response.on('error', (error) => {
                done();
                reject(error);
              });
              response.on('end', () => {
                done();
                socket.destroy();
                const text = Buffer.concat(chunks).toString('utf8');
                resolve({ status: response.statusCode ?? 0, text: () => Promise.resolve(text) });
              });
            },
          );
          request.on('error', (error) => {
            done();
            socket.destroy();
            reject(error);
          });
          request.end(body);
        },
        (error: Error) => {
          done();
          reject(error);
        },
      );
    });
}
