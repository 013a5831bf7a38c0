/**
 * The HTTP contract the portal strategy speaks: its own module so that the client picker
 * (`http.ts`) and the Node client (`node-http.ts`) both depend on it, not on each other.
 */

/** The request a {@link FetchLike} receives: always a JSON POST here. */
export interface FetchLikeInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** The part of a fetch `Response` the auth strategies read. */
export interface FetchLikeResponse {
  status: number;
  text(): Promise<string>;
}

/**
 * The subset of the platform `fetch` the portal strategy needs. `globalThis.fetch` satisfies it,
 * so does any test double.
 */
export type FetchLike = (url: string, init: FetchLikeInit) => Promise<FetchLikeResponse>;
