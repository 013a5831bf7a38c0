const HEARTBEAT_CONTROL = '<control>_0</control>';

/**
 * The silence (seconds) a `_0` heartbeat frame promises, or `undefined` for any other frame.
 * A cheap look at the raw text: the reader runs it on every frame, ahead of full parsing, so the
 * watchdog learns the promise without the chart depending on the dispatcher.
 */
export function heartbeatPromiseOf(raw: string): number | undefined {
  const at = raw.indexOf(HEARTBEAT_CONTROL);
  if (at < 0) return undefined;
  const open = raw.indexOf('<action', at + HEARTBEAT_CONTROL.length);
  if (open < 0) return undefined;
  const start = raw.indexOf('>', open) + 1;
  const end = raw.indexOf('<', start);
  if (start <= 0 || end < 0) return undefined;
  const seconds = Number(raw.slice(start, end).trim());
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}
