// Serves HLS output at /hls/<playbackId>/<file>: strict names, right types and caching, open CORS.
import { Hono } from "hono";
import type { Context } from "hono";
import { cors } from "hono/cors";
import { join } from "node:path";
import type { StreamRoom, StreamsStore } from "../../storage/streams_store.ts";
import { serveFile } from "../serve_file.ts";

export interface StreamHlsDeps {
  store: Pick<StreamsStore, "byPlaybackId">;
  /** `<DATA_DIR>/hls`. */
  hlsDir: string;
  /** Whether this request may watch the room (private rooms need their room cookie). */
  canView(c: Context, room: StreamRoom): boolean;
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
    const room = deps.store.byPlaybackId(playbackId);
    if (!room) return notFound();
    if (!deps.canView(c, room)) {
      // openCors adds the CORS headers to this answer too.
      return Response.json({ error: "This room is private: open it with an invite link" }, {
        status: 403,
      });
    }
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
