import type { Logger } from '../../../src/logger';
import { inspect } from 'node:util';
import { nodeTransport } from '../../../src/services/nodeTransport';
import type { TlsOptions } from '../../../src/auth/types';

/** A logger that keeps every call, rendered as text the way a console would show it. */
export class SpyLogger implements Logger {
  readonly lines: Array<{ level: keyof Logger; text: string }> = [];
  #push(level: keyof Logger, message: string, details: unknown[]): void {
    this.lines.push({ level, text: [message, ...details.map((d) => inspect(d, { depth: 10 }))].join(' ') });
  }
  debug(message: string, ...details: unknown[]): void {
    this.#push('debug', message, details);
  }
  info(message: string, ...details: unknown[]): void {
    this.#push('info', message, details);
  }
  warn(message: string, ...details: unknown[]): void {
    this.#push('warn', message, details);
  }
  error(message: string, ...details: unknown[]): void {
    this.#push('error', message, details);
  }
  text(): string {
    return this.lines.map((l) => `${l.level}: ${l.text}`).join('\n');
  }
  count(level: keyof Logger): number {
    return this.lines.filter((l) => l.level === level).length;
  }
}

/**
 * Open a WebSocket the way the stream does (the Node transport: a socket it connects and
 * verifies itself, then `ws`), resolve with the first message once open, and close it. Rejects
 * with the transport's typed error (`TlsError`, `HandshakeError` with `status`, `ConnectError`).
 */
export function connectOnce(
  url: string,
  tls: TlsOptions | undefined,
  logger: Logger,
  headers: Record<string, string> = {},
  firstFrame?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const connection = nodeTransport.open(
      { url, headers, tls, logger, maxPayload: 1024 * 1024, handshakeTimeoutMs: 5000 },
      {
        opened: () => {
          if (firstFrame !== undefined) connection.send(firstFrame);
        },
        frame: (text) =>
          settle(() => {
            connection.close(1000, 'test done');
            resolve(text);
          }),
        failed: (error) => settle(() => reject(error)),
        closed: (code) => settle(() => reject(Object.assign(new Error(`closed ${code}`), { closeCode: code }))),
      },
    );
    const timer = setTimeout(
      () =>
        settle(() => {
          connection.destroy();
          reject(new Error('test timeout'));
        }),
      8000,
    );
  });
}
