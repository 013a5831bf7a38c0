/**
 * Where a controller lives under its base URL. A controller reached through the portal or a
 * reverse proxy has a path prefix (`https://my.isy.io/isy/<uuid>`); its stream and its REST and
 * auth endpoints are all under that prefix.
 */

/** The stream endpoints a controller serves (see WIRE.md). */
export const STREAM_PATHS = ['/rest/subscribe', '/api/events/subscribe'] as const;

/** The stream endpoint a URL's path ends with, if any. */
export function streamPathOf(pathname: string): string | undefined {
  return STREAM_PATHS.find((endpoint) => pathname.endsWith(endpoint));
}

/**
 * The path prefix of a controller URL, without a trailing `/`: `''` for `https://eisy.local:8443`
 * or `https://eisy.local:8443/`, `/isy/abc` for `https://my.isy.io/isy/abc/`. A URL that already
 * names a stream endpoint (`wss://host/isy/abc/rest/subscribe`) gives the path before it; any other
 * `ws(s)://` path is a stream URL used as is, with no prefix.
 */
export function basePathOf(url: URL): string {
  const path = url.pathname.replace(/\/+$/, '');
  const endpoint = streamPathOf(path);
  if (endpoint !== undefined) return path.slice(0, path.length - endpoint.length);
  return url.protocol === 'ws:' || url.protocol === 'wss:' ? '' : path;
}
