import type { RawData } from 'ws';

/**
 * The text of one received `ws` message. `ws` types a message as a Buffer, an ArrayBuffer or a list
 * of Buffer fragments (by `binaryType`); `String(data)` on the last two would give `[object ArrayBuffer]`
 * or comma-joined bytes, so each shape is decoded as UTF-8 explicitly.
 */
export function wsText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
