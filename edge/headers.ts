// Security headers every HTML page gets: who may frame it, so no other site can clickjack it.
import type { MiddlewareHandler } from "hono";

/** The default for pages: only this server's own pages may frame them. */
export const FRAME_SELF = "frame-ancestors 'self'";

/**
 * Middleware adding `Content-Security-Policy: frame-ancestors 'self'` and
 * `X-Frame-Options: SAMEORIGIN` to HTML responses that do not set a policy of their own (a page
 * that may be embedded elsewhere sets its `frame-ancestors`; one that sends `X-Frame-Options: DENY`
 * gets the matching `'none'`). Other responses are left alone: framing only concerns documents.
 */
export function frameHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    if (!(headers.get("content-type") ?? "").startsWith("text/html")) return;
    if (headers.has("content-security-policy")) return;
    const denied = headers.get("x-frame-options")?.toUpperCase() === "DENY";
    headers.set("content-security-policy", denied ? "frame-ancestors 'none'" : FRAME_SELF);
    if (!denied) headers.set("x-frame-options", "SAMEORIGIN");
  };
}
