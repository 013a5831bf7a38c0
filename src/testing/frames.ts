/**
 * The frames the loopback controller sends: `<Event>` XML as an IoX controller writes it on
 * `/rest/subscribe` (WIRE.md: `seqnum`, `sid`, `timestamp` attributes; `control`, `action`, `node`,
 * `eventInfo` children).
 */

/** A property change (`ST`) of node `MB <seq> 1`, stamped with `timestamp` (omitted when null). */
export function statusFrame(seq: number, timestamp: string | null): string {
  return eventXml(seq, 'ST', String(seq % 256), `MB ${seq} 1`, timestamp);
}

/** A `_0` heartbeat promising `seconds` of silence at most. */
export function heartbeatFrame(seq: number, seconds: number, timestamp: string | null): string {
  return eventXml(seq, '_0', String(seconds), '', timestamp);
}

/** A replayed frame's stamp: a last-change time long past. */
export const OLD_STAMP = '2026-05-06T14:34:43.779036-07:00';

function eventXml(seq: number, control: string, action: string, node: string, timestamp: string | null): string {
  const stamp = timestamp === null ? '' : ` timestamp="${timestamp}"`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><Event seqnum="${seq}" sid="uuid:1"${stamp}>` +
    `<control>${control}</control><action>${action}</action><node>${node}</node><eventInfo></eventInfo></Event>`
  );
}
