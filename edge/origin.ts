// The Origin rule: which sites may act with a browser's cookies or Basic credentials (CSRF, /ws).
import type { MiddlewareHandler } from "hono";
import { type ErrorShape, HttpError } from "../errors.ts";
import { type ClientOptions, ownOrigin } from "./client.ts";

/**
 * True when the request has no Origin (not a browser, so no cross-site risk) or its Origin is the
 * server's own or listed in `allowed` ("*" allows any).
 */
export function isAllowedOrigin(
  request: Request,
  allowed: readonly string[],
  client: ClientOptions,
): boolean {
  const origin = request.headers.get("origin");
  if (origin === null || allowed.includes("*")) return true;
  return origin === ownOrigin(request, client) || allowed.includes(origin);
}

export interface SameOriginOptions {
  client: ClientOptions;
  /** Origins besides the server's own that may send writes (ALLOWED_ORIGINS); "*" allows any. */
  allowedOrigins: readonly string[];
  /** The seed's error shape for the 403. @default "error" */
  shape?: ErrorShape;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether an unsafe request may go on: `isAllowedOrigin`, and no cross-site browser without one. */
export function isSameSiteWrite(request: Request, options: SameOriginOptions): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
  if (options.allowedOrigins.includes("*")) return true;
  // Browsers send Origin on every POST; a request without one is a script (curl) unless the
  // browser itself says it came from another site.
  const fetchSite = request.headers.get("sec-fetch-site");
  if (request.headers.get("origin") === null) {
    return fetchSite !== "cross-site" && fetchSite !== "same-site";
  }
  return isAllowedOrigin(request, options.allowedOrigins, options.client);
}

/**
 * Middleware refusing (403) a state-changing request a browser sent from another site, before any
 * credential is looked at: routes behind cookies or Basic Auth, which browsers attach by themselves.
 */
export function sameOrigin(options: SameOriginOptions): MiddlewareHandler {
  return async (c, next) => {
    if (!isSameSiteWrite(c.req.raw, options)) {
      throw new HttpError(403, "Origin not allowed", {
        code: "forbidden_origin",
        shape: options.shape,
      });
    }
    await next();
  };
}
