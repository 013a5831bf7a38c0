/** Colours of the human output: ANSI styles, one per status, and when to use them at all. */
import type { EventStreamStatus } from '../machine/status';

/** `NO_COLOR` (any non-empty value) wins; otherwise colour only on a terminal. */
export function shouldColor(tty: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return tty && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

/** The ANSI escape of each style the renderer uses. */
export const ANSI = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  magenta: '\x1b[35m',
  cyan: '\x1b[36m',
  gray: '\x1b[90m',
} as const;
/** A style name: a key of {@link ANSI}. */
export type Style = keyof typeof ANSI;

/** How each status is painted in the timeline. */
export const STATUS_STYLE: Record<EventStreamStatus, Style[]> = {
  NOT_STARTED: ['gray'],
  INITIALIZING: ['cyan'],
  SYNCING: ['blue'],
  CONNECTED: ['green', 'bold'],
  LOST: ['yellow', 'bold'],
  RECONNECTING: ['magenta'],
  FAILED: ['red', 'bold'],
  STOPPED: ['gray', 'bold'],
};

/** `text` in `styles` when `color` is on; plain otherwise. */
export function paint(color: boolean, text: string, ...styles: Style[]): string {
  if (!color || styles.length === 0) return text;
  return `${styles.map((s) => ANSI[s]).join('')}${text}${ANSI.reset}`;
}
