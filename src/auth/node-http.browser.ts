/**
 * Browser build of `node-http.ts`: there is no Node HTTP client in a browser, and `resolveFetch`
 * never asks for one there (it uses the page's `fetch`). This keeps `node:http(s)` out of the
 * browser bundle.
 */
export function createNodeFetch(): never {
  throw new TypeError('the Node HTTP client is not available in a browser; use `fetch`');
}
