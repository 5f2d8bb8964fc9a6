// Decides whether a request's Origin may act with this server's cookies (WebSocket and CSRF checks).

/** The server's own origin as the client saw it (scheme from X-Forwarded-Proto only behind a trusted proxy). */
export function ownOrigin(request: Request, trustProxy: boolean): string {
  const url = new URL(request.url);
  const host = (trustProxy && request.headers.get("x-forwarded-host")) ||
    request.headers.get("host") ||
    url.host;
  const proto = (trustProxy && request.headers.get("x-forwarded-proto")?.split(",")[0].trim()) ||
    url.protocol.slice(0, -1);
  return `${proto}://${host}`;
}

/**
 * True when the request has no Origin (not a browser, so no cross-site risk) or its Origin is the
 * server's own or listed in `allowed`.
 */
export function isAllowedOrigin(request: Request, allowed: string[], trustProxy: boolean): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  return origin === ownOrigin(request, trustProxy) || allowed.includes(origin);
}
