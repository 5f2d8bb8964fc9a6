// The request as the client saw it: the server's public address, the client's own, and TLS.
import type { Context } from "hono";
import { getConnInfo } from "hono/deno";

/**
 * TRUST_PROXY: how many proxies in front of the server add `X-Forwarded-*` headers that count.
 * `false` (or 0) trusts none, `true` one.
 */
export type TrustProxy = boolean | number;

export interface ClientOptions {
  /** BASE_PATH, starting and ending with "/". */
  basePath: string;
  /** PUBLIC_URL without a trailing slash: when set, the server's address whatever Host says. */
  publicUrl?: string;
  trustProxy: TrustProxy;
}

const hopsOf = (trust: TrustProxy): number =>
  trust === true ? 1 : trust === false ? 0 : Math.max(0, Math.floor(trust));

/**
 * What the outermost trusted proxy wrote in a forwarded header. Each proxy appends what it saw, so
 * with `n` trusted proxies that is the n-th entry from the right; entries further left came from
 * the client and could say anything. Undefined when no proxy is trusted or the header is absent.
 */
export function forwardedValue(
  request: Request,
  header: string,
  trust: TrustProxy,
): string | undefined {
  const hops = hopsOf(trust);
  const raw = hops > 0 ? request.headers.get(header) : null;
  if (!raw) return undefined;
  const entries = raw.split(",");
  // Fewer entries than proxies: the first proxy wrote the leftmost one.
  return entries[Math.max(0, entries.length - hops)].trim() || undefined;
}

/** The server's origin as the client reached it: PUBLIC_URL's, else the request's Host. */
export function ownOrigin(request: Request, options: ClientOptions): string {
  if (options.publicUrl) return new URL(options.publicUrl).origin;
  const url = new URL(request.url);
  const proto = forwardedValue(request, "x-forwarded-proto", options.trustProxy)?.toLowerCase();
  const scheme = proto === "http" || proto === "https" ? proto : url.protocol.slice(0, -1);
  const host = forwardedValue(request, "x-forwarded-host", options.trustProxy) ||
    request.headers.get("host") || url.host;
  return `${scheme}://${host}`;
}

/**
 * The absolute URL of the server's root, ending in "/": PUBLIC_URL (BASE_PATH added unless it
 * already ends with it), else the client's view of our origin plus BASE_PATH.
 */
export function publicBase(request: Request, options: ClientOptions): string {
  const { basePath, publicUrl } = options;
  if (!publicUrl) return ownOrigin(request, options) + basePath;
  const prefix = basePath.slice(0, -1);
  return (prefix && publicUrl.endsWith(prefix) ? publicUrl : publicUrl + prefix) + "/";
}

/** Whether the client reached us over TLS (directly, through a trusted proxy, or PUBLIC_URL's). */
export function isTls(request: Request, options: ClientOptions): boolean {
  return ownOrigin(request, options).startsWith("https:");
}

/** The client's address: what the trusted proxy saw, else the socket's peer. */
export function clientIp(c: Context, options: Pick<ClientOptions, "trustProxy">): string {
  const forwarded = forwardedValue(c.req.raw, "x-forwarded-for", options.trustProxy);
  if (forwarded) return forwarded;
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // app.request() in tests has no socket.
    return "unknown";
  }
}

/** The client options from the settings that shape them. */
export function clientOptionsOf(
  config: { basePath: string; publicUrl?: string; proxyHops: number },
): ClientOptions {
  return { basePath: config.basePath, publicUrl: config.publicUrl, trustProxy: config.proxyHops };
}
