/**
 * The HTTP contract the portal strategy speaks: its own module so that the client picker
 * (`http.ts`) and the Node client (`node-http.ts`) both depend on it, not on each other.
 */

/** The request a {@link FetchLike} receives: always a JSON POST here. */
export interface FetchLikeInit {
  /** Always `POST` here. */
  method: string;
  /** Request headers (`Content-Type: application/json`, maybe `Authorization`). */
  headers: Record<string, string>;
  /** The JSON request body. */
  body?: string;
  /** Aborts the request when the per-request timeout passes. */
  signal?: AbortSignal;
}

/** The part of a fetch `Response` the auth strategies read. */
export interface FetchLikeResponse {
  /** The HTTP status code. */
  status: number;
  /** The whole body as text (a portal answer is small JSON). */
  text(): Promise<string>;
}

/**
 * The subset of the platform `fetch` the portal strategy needs. `globalThis.fetch` satisfies it,
 * so does any test double.
 */
export type FetchLike = (url: string, init: FetchLikeInit) => Promise<FetchLikeResponse>;
