import type { Logger } from '../../../src/logger';
import { inspect } from 'node:util';
import WebSocket from 'ws';
import { wsText } from '../../../src/simulator/wsText';
import { wsTlsOptions } from '../../../src/auth/tls';
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
 * Open a WebSocket the way the stream's connect actor does (ws + `wsTlsOptions`), resolve with
 * the first message once open, and close it. Rejects with the socket's error.
 */
export function connectOnce(
  url: string,
  tls: TlsOptions | undefined,
  logger: Logger,
  headers: Record<string, string> = {},
  firstFrame?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, handshakeTimeout: 5000, ...wsTlsOptions(tls, logger) });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('test timeout'));
    }, 8000);
    socket.on('open', () => {
      if (firstFrame !== undefined) socket.send(firstFrame);
    });
    socket.on('message', (data) => {
      clearTimeout(timer);
      socket.close();
      resolve(wsText(data));
    });
    socket.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      res.resume();
      socket.terminate();
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
    });
    socket.on('close', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`closed ${code}`), { closeCode: code }));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
