/**
 * A console-compatible logger. Pass `console` to see everything, or your app's logger.
 * The library never logs secrets: messages are built from typed errors whose text is safe.
 */
export interface Logger {
  /** Every step: attempts, frames dropped, token renewals. Off by default. */
  debug(message: string, ...details: unknown[]): void;
  /** Status changes. Off by default. */
  info(message: string, ...details: unknown[]): void;
  /** Something the user may want to fix (options that cannot apply, a slow controller). */
  warn(message: string, ...details: unknown[]): void;
  /** A listener or a strategy threw; the stream carries on. */
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

const safeLoggers = new WeakSet<Logger>();

/**
 * The user's logger, made unable to break the stream: a method that throws (or is missing) is
 * skipped for that line. The stream calls its logger from timers, socket callbacks and state
 * changes; a throw there would skip the rest of the work (status listeners never hearing LOST) or
 * escape as an uncaught exception.
 */
export function safeLogger(logger: Logger): Logger {
  if (safeLoggers.has(logger)) return logger;
  const call =
    (level: keyof Logger) =>
    (message: string, ...details: unknown[]): void => {
      try {
        logger[level](message, ...details);
      } catch {
        // Nowhere left to report it: the logger is the reporting channel.
      }
    };
  const safe: Logger = { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error') };
  safeLoggers.add(safe);
  return safe;
}
