/**
 * `--filter`: which events the CLI shows. Parsed strictly, because a filter that silently matches
 * nothing looks exactly like a quiet house.
 */
import { UsageError } from './usageError';

/**
 * One `--filter node=...,control=...`: an event matches when every given field matches, ignoring
 * case and runs of whitespace (`node=1a 2b  3c 1` is `1A 2B 3C 1`). Values are kept in that
 * canonical form (see {@link canonicalFilterValue}).
 */
export interface EventFilter {
  node?: string;
  control?: string;
}

/** Node addresses and control ids compare ignoring case and runs of whitespace. */
export function canonicalFilterValue(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toUpperCase();
}

const FILTER_HINT =
  '--filter expects node=ADDRESS and/or control=ID separated by a comma (e.g. --filter "node=1A 2B 3C 1,control=ST"); repeat --filter to show events matching any of them';
/** A control id as the controller sends them (`ST`, `DON`, `_1`, `CLITEMP`). */
const CONTROL_ID = /^[A-Za-z0-9_]+$/;
/** Any printable text without the separators: an address holds no control character and no `,` `=`. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const NODE_ADDRESS = /^[^\u0000-\u001f\u007f-\u009f,=]+$/;

/**
 * Parse one `--filter` value, `node=1A 2B 3C 1,control=ST` (either part optional, at least one).
 *
 * @throws UsageError for anything that would otherwise silently match nothing: an unknown or
 * repeated key, an empty value, a control id that is not one.
 */
export function parseFilter(text: string): EventFilter {
  const filter: EventFilter = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? '' : part.slice(0, eq).trim().toLowerCase();
    const value = eq < 0 ? '' : canonicalFilterValue(part.slice(eq + 1));
    const valid = (key === 'node' && NODE_ADDRESS.test(value)) || (key === 'control' && CONTROL_ID.test(value));
    if (!valid) throw new UsageError(`${FILTER_HINT}; got ${JSON.stringify(part)}`);
    if (filter[key] !== undefined) throw new UsageError(`--filter names ${key} twice in ${JSON.stringify(text)}`);
    filter[key] = value;
  }
  return filter;
}
