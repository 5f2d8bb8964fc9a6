// /hls/<playbackId>/… of a room another instance publishes: proxied to that origin (INSTANCE_URL).
import { Hono } from "hono";
import type { Context, Next } from "hono";
import type { Logger } from "../../log.ts";
import type { StreamRoom, StreamsStore } from "../../storage/streams_store.ts";

export interface StreamOriginDeps {
  store: Pick<StreamsStore, "byPlaybackId">;
  /** Whether this request may watch the room; a refused one falls through to the HLS routes' 403. */
  canView(c: Context, room: StreamRoom): Promise<boolean>;
  /** This instance's INSTANCE_URL: the rooms it holds are served by the HLS routes here. */
  instanceUrl: string;
  log: Logger;
  /**
   * Longest one proxied exchange may take, body included (a blocking playlist reload is held up to
   * 3 s at the origin). @default 15000
   */
  timeoutMs?: number;
}

/** Marks a request one instance proxied to another, so a stale origin record never loops. */
export const PROXIED_HEADER = "x-roomcast-proxied";

// The HLS routes' names; anything else falls through to their 404, never reaches an origin.
const PLAYBACK_ID = /^[A-Za-z0-9_-]{8,64}$/;
const VARIANT = /^[A-Za-z0-9_-]{1,32}$/;
const FILE = /^[A-Za-z0-9_-]{1,64}\.(m3u8|ts|m4s|mp4|jpg)$/;

// What the origin needs to answer as it would the viewer: ranges, revalidation, room access.
const REQUEST_HEADERS = ["range", "if-none-match", "if-modified-since", "cookie", "x-admin-token"];
// What the viewer gets back: the origin's own types, lengths, ranges, cache rules and CORS.
const RESPONSE_HEADERS = [
  "content-type",
  "content-length",
  "content-range",
  "accept-ranges",
  "cache-control",
  "etag",
  "last-modified",
  "access-control-allow-origin",
  "access-control-expose-headers",
];

/** The HLS routes' error shape, with their open CORS so a player on any site reads it. */
function badGateway(error: string): Response {
  return Response.json({ error }, {
    status: 502,
    headers: { "access-control-allow-origin": "*" },
  });
}

/** Mounted ahead of the HLS routes: answers for rooms held elsewhere, else hands on (`next`). */
export function streamOriginRoutes(deps: StreamOriginDeps): Hono {
  const app = new Hono();
  const timeoutMs = deps.timeoutMs ?? 15_000;

  /** The origin to ask for this request, or null when this instance answers it itself. */
  const originOf = async (c: Context, path: string[]): Promise<string | null> => {
    if (c.req.header(PROXIED_HEADER) !== undefined) return null;
    const [playbackId, ...rest] = path;
    const variant = rest.length === 2 ? rest[0] : undefined;
    if (!PLAYBACK_ID.test(playbackId) || !FILE.test(rest[rest.length - 1])) return null;
    if (variant !== undefined && !VARIANT.test(variant)) return null;
    const room = await deps.store.byPlaybackId(playbackId);
    if (!room?.originUrl || room.originUrl === deps.instanceUrl) return null;
    return await deps.canView(c, room) ? room.originUrl : null;
  };

  const proxy = async (c: Context, next: Next, path: string[]): Promise<Response | void> => {
    const origin = await originOf(c, path);
    if (origin === null) return await next();
    const target = new URL(`hls/${path.join("/")}`, origin);
    target.search = new URL(c.req.url).search;
    const headers = new Headers({ [PROXIED_HEADER]: "1", "accept-encoding": "identity" });
    for (const name of REQUEST_HEADERS) {
      const value = c.req.header(name);
      if (value !== undefined) headers.set(name, value);
    }
    let upstream: Response;
    try {
      // One deadline for the whole exchange: it also ends a body the origin trickles.
      upstream = await fetch(target, {
        method: c.req.method,
        headers,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      deps.log.warn("Cannot reach a stream room's origin", { origin, error: String(error) });
      return badGateway("Stream origin unreachable");
    }
    const out = new Headers();
    for (const name of RESPONSE_HEADERS) {
      const value = upstream.headers.get(name);
      if (value !== null) out.set(name, value);
    }
    return new Response(upstream.body, { status: upstream.status, headers: out });
  };

  app.get("/hls/:id/:file", (c, next) => proxy(c, next, [c.req.param("id"), c.req.param("file")]));
  app.get(
    "/hls/:id/:variant/:file",
    (c, next) => proxy(c, next, [c.req.param("id"), c.req.param("variant"), c.req.param("file")]),
  );
  return app;
}
