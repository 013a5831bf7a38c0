/**
 * A console-compatible logger. Pass `console` to see everything, or your app's logger.
 * The library never logs secrets: messages are built from typed errors whose text is safe.
 */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

const noop = (): void => {};

/** Drops everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * The default when no `logger` option is given: a library should not chatter, so only warnings
 * and errors reach the console.
 */
export const defaultLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (message, ...details) => console.warn(`[iox-event-stream] ${message}`, ...details),
  error: (message, ...details) => console.error(`[iox-event-stream] ${message}`, ...details),
};
