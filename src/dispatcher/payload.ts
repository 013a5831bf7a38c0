/**
 * Structured `eventInfo` payloads are parsed with fast-xml-parser, lazily: only when a decoder
 * (for the mirror or a subscribed listener) asks. The payload comes from a frame that already
 * passed the well-formedness checks, so this only has to turn it into a tree.
 */
import { XMLParser } from 'fast-xml-parser';
import { SAFE_PARSER_OPTIONS } from './xmlFallback';

const payloadParser = new XMLParser({ ...SAFE_PARSER_OPTIONS });

/** A parsed payload element: text, or an object of children (attributes under `@`). */
export type PayloadNode = string | { [name: string]: PayloadNode | PayloadNode[] | Record<string, string> };

/** Parses `eventInfo` into a plain object of its children. `null` when empty, plain text or unparsable. */
export function parsePayload(eventInfo: string): Record<string, unknown> | null {
  if (eventInfo.indexOf('<') === -1) return null;
  try {
    // Wrapped in a synthetic root so several top-level elements parse as one object.
    const doc = payloadParser.parse(`<p>${eventInfo}</p>`) as { p?: unknown };
    const root = doc.p;
    return root !== null && typeof root === 'object' && !Array.isArray(root) ? (root as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
