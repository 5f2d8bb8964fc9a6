// Serves HLS output at /hls/<playbackId>/<file>: strict names, right types and caching, open CORS.
import { Hono } from "hono";
import type { Context } from "hono";
import { cors } from "hono/cors";
import { join } from "node:path";
import type { LlHlsRing, Wish } from "../../rtmp/llhls.ts";
import type { StreamRoom, StreamsStore } from "../../storage/streams_store.ts";
import { serveFile } from "../serve_file.ts";

export interface StreamHlsDeps {
  store: Pick<StreamsStore, "byPlaybackId">;
  /** `<DATA_DIR>/hls`. */
  hlsDir: string;
  /** Whether this request may watch the room (private rooms need their room cookie). */
  canView(c: Context, room: StreamRoom): Promise<boolean>;
  /** A room's in-memory LL-HLS output, when our packager serves it (then nothing is on disk). */
  memory?(playbackId: string): LlHlsRing | undefined;
  /** A packaged room's still, made on request (undefined: not packaged, thumb.jpg is a file). */
  thumbnail?(playbackId: string): Promise<Uint8Array | null> | undefined;
}

/** How long a blocking playlist reload or a preload-hinted part may be held (3 target durations). */
const HOLD_MS = 3000;

function badRequest(error: string): Response {
  return Response.json({ error }, { status: 400 });
}

/** `_HLS_msn` / `_HLS_part` of a blocking reload: null when absent, an error text when malformed. */
function wishOf(c: Context): Wish | string | null {
  const msn = c.req.query("_HLS_msn");
  const part = c.req.query("_HLS_part");
  if (msn === undefined) return part === undefined ? null : "_HLS_part needs _HLS_msn";
  const int = /^\d{1,9}$/;
  if (!int.test(msn) || (part !== undefined && !int.test(part))) {
    return "_HLS_msn and _HLS_part must be whole numbers";
  }
  return { msn: Number(msn), part: part === undefined ? undefined : Number(part) };
}

const media = (bytes: Uint8Array, type: string) =>
  new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: { "content-type": type, "cache-control": "public, max-age=30" },
  });

/** The playlist, held until the wished part exists (RFC 8216bis 6.2.5.2); parts and segments. */
async function serveMemory(c: Context, ring: LlHlsRing, file: string): Promise<Response> {
  if (file === "index.m3u8") {
    const wish = wishOf(c);
    if (typeof wish === "string") return badRequest(wish);
    if (wish) {
      if (ring.check(wish) === "too-far") return badRequest("_HLS_msn is too far ahead");
      const ok = await ring.until(() => ring.check(wish) !== "wait", HOLD_MS);
      if (!ok) return Response.json({ error: "Not produced in time" }, { status: 503 });
    }
    return new Response(ring.playlist(), {
      headers: { "content-type": TYPES.m3u8.type, "cache-control": "no-cache" },
    });
  }
  let m = /^init(\d{1,9})\.mp4$/.exec(file);
  const init = m && ring.init(Number(m[1]));
  if (init) return media(init, TYPES.mp4.type);
  m = /^s(\d{1,9})\.m4s$/.exec(file);
  const parts = m && ring.segmentParts(Number(m[1]));
  if (parts) {
    // The parts one after the other: a segment costs no copy of its own.
    const length = parts.reduce((n, p) => n + p.length, 0);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const p of parts) controller.enqueue(p);
        controller.close();
      },
    });
    return new Response(body, {
      headers: {
        "content-type": TYPES.m4s.type,
        "content-length": String(length),
        "cache-control": "public, max-age=30",
      },
    });
  }
  m = /^p(\d{1,9})_(\d{1,5})\.m4s$/.exec(file);
  if (!m) return notFound();
  const [msn, index] = [Number(m[1]), Number(m[2])];
  // The preload hint names the next part before it exists: hold that request until it does.
  if (!ring.part(msn, index) && ring.isNextPart(msn, index)) {
    await ring.until(() => !!ring.part(msn, index) || ring.ended, HOLD_MS);
  }
  const part = ring.part(msn, index);
  return part ? media(part, TYPES.m4s.type) : notFound();
}

const PLAYBACK_ID = /^[A-Za-z0-9_-]{8,64}$/;
/** A rendition folder of an ABR ladder, e.g. `720p` or `stream_1`. */
const VARIANT = /^[A-Za-z0-9_-]{1,32}$/;
const FILE = /^[A-Za-z0-9_-]{1,64}\.(m3u8|ts|m4s|mp4|jpg)$/;

const TYPES: Record<string, { type: string; cache: string }> = {
  // Playlists change every segment: always revalidate (the ETag makes that cheap).
  m3u8: { type: "application/vnd.apple.mpegurl", cache: "no-cache" },
  // A segment's name is reused only after the room restarts from scratch; cache it briefly.
  ts: { type: "video/mp2t", cache: "public, max-age=30" },
  m4s: { type: "video/iso.segment", cache: "public, max-age=30" },
  mp4: { type: "video/mp4", cache: "public, max-age=30" },
  jpg: { type: "image/jpeg", cache: "no-cache" },
};

// A still is made again at most every few seconds; a list that reloads it asks with ?t=.
const STILL_HEADERS = { "content-type": "image/jpeg", "cache-control": "public, max-age=5" };

// Players on any site may fetch segments, with Range; each list is one header value, as before.
const openCors = cors({
  origin: "*",
  allowMethods: ["GET, HEAD, OPTIONS"],
  allowHeaders: ["Range"],
  exposeHeaders: ["Content-Length, Content-Range"],
});

function notFound(): Response {
  return Response.json({ error: "Not found" }, { status: 404 });
}

export function streamHlsRoutes(deps: StreamHlsDeps): Hono {
  const app = new Hono();

  const serve = async (c: Context, parts: string[]): Promise<Response> => {
    const [playbackId, ...rest] = parts;
    const file = rest[rest.length - 1];
    const variant = rest.length === 2 ? rest[0] : undefined;
    if (!PLAYBACK_ID.test(playbackId) || !FILE.test(file)) return notFound();
    if (variant !== undefined && !VARIANT.test(variant)) return notFound();
    // Only folders of existing rooms: nothing else under hls/ (e.g. key-named nginx output) leaks.
    const room = await deps.store.byPlaybackId(playbackId);
    if (!room) return notFound();
    if (!await deps.canView(c, room)) {
      // openCors adds the CORS headers to this answer too.
      return Response.json({ error: "This room is private: open it with an invite link" }, {
        status: 403,
      });
    }
    const still = variant === undefined && file === "thumb.jpg" && deps.thumbnail?.(playbackId);
    if (still) {
      const jpeg = await still;
      return jpeg
        ? new Response(jpeg as Uint8Array<ArrayBuffer>, { headers: STILL_HEADERS })
        : notFound();
    }
    const ring = variant === undefined && file !== "thumb.jpg" && deps.memory?.(playbackId);
    if (ring) return await serveMemory(c, ring, file);
    const path = join(deps.hlsDir, ...parts);
    let stat: Deno.FileInfo;
    try {
      stat = await Deno.stat(path);
    } catch {
      return notFound();
    }
    if (!stat.isFile) return notFound();
    const { type, cache } = TYPES[file.slice(file.lastIndexOf(".") + 1)];
    const mtime = stat.mtime?.getTime() ?? 0;
    const response = await serveFile(c.req.raw, path, {
      contentType: type,
      etag: `"${stat.size.toString(36)}-${mtime.toString(36)}"`,
      lastModified: mtime,
      cacheControl: cache,
    });
    if (response.status === 404) return notFound();
    return response;
  };

  app.use("/hls/*", openCors);
  app.get("/hls/:id/:file", (c) => serve(c, [c.req.param("id"), c.req.param("file")]));
  app.get(
    "/hls/:id/:variant/:file",
    (c) => serve(c, [c.req.param("id"), c.req.param("variant"), c.req.param("file")]),
  );
  app.all("/hls/*", () => notFound());

  return app;
}
