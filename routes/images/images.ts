// Image rooms (imgcast): the live image, its SSE updates, thumbnails, and the viewer page.
import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { Hub } from "../../realtime/hub.ts";
import type { SseFormat, SseTransport } from "../../realtime/sse.ts";
import type { TopicNamespace } from "../../realtime/topics.ts";
import { HttpError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { ImagesStore } from "../../storage/images_store.ts";
import type { BasicAuthGuard } from "../../edge/basic_auth.ts";
import { isRoomName } from "./reserved.ts";
import type { PageRenderer } from "../pages.ts";
import type { BlobStore } from "../../storage/blobs.ts";
import { serveBlob } from "../serve_file.ts";
import { MAX_CAPTION, upload } from "./image_upload.ts";
import { type ImageThumbs, imageView, roomParam } from "./image_view.ts";
import type { ImageRoomList, ImageRoomPageData, RoomMeta } from "./wire.ts";

export interface ImagesDeps {
  rooms: ImagesStore;
  /** Where the images and thumbnails are served from (the store `rooms` writes to). */
  blobs: Pick<BlobStore, "stat" | "open" | "link">;
  basicAuth: BasicAuthGuard;
  hub: Pick<Hub, "publish">;
  sse: SseTransport;
  log: Logger;
  maxUploadBytes: number;
  imageHistory: number;
  page: PageRenderer;
  /** The Origin rule (edge/origin.ts): browsers answer the Basic challenge for any site's form. */
  sameOrigin: MiddlewareHandler;
  /** Whether the request is a signed-in admin's (accounts); such a request needs no Basic login. */
  isAdmin(c: Context): boolean;
  thumbs: ImageThumbs;
}

/** imgcast's viewer reloads on exactly `data: updated`; ids let it resume. */
const imageFormat: SseFormat = {
  name: "imgcast",
  frame: () => ({ data: "updated" }),
  gap: () => ({ data: "updated" }),
};

/** `image:<room>`: public to follow, as in imgcast, but only for a room that exists. */
export function imageNamespace(rooms: Pick<ImagesStore, "exists">): TopicNamespace {
  return {
    prefix: "image:",
    authorize: (_client, topic) => {
      const room = topic.slice("image:".length);
      return isRoomName(room) && rooms.exists(room);
    },
  };
}

export { imageView };

export function createImageRoutes(deps: ImagesDeps, basePath: string): Hono {
  const { rooms } = deps;
  const app = new Hono();

  app.get("/api/image-rooms", async (c) => {
    const names = await rooms.listRooms();
    const list = await Promise.all(
      names.filter(isRoomName).map(async (room) => {
        const current = await rooms.current(room);
        return { room, current: current ? imageView(basePath, current) : null };
      }),
    );
    return c.json({ rooms: list } satisfies ImageRoomList);
  });

  app.post("/:room/upload", deps.sameOrigin, (c) => upload(c, deps, basePath));

  app.get("/:room/live", async (c) => {
    const room = roomParam(c.req.param("room"));
    const record = await rooms.current(room);
    if (!record) throw new HttpError(404, "No image in this room yet");
    return await serveBlob(c.req.raw, deps.blobs, rooms.keyOf(record), {
      contentType: record.contentType,
      etag: `"img-${record.id}"`,
      lastModified: record.uploadedAt,
      cacheControl: "no-cache, no-store, must-revalidate",
    });
  });

  app.get("/:room/images/:id{[0-9]+}", async (c) => {
    const room = roomParam(c.req.param("room"));
    const record = await rooms.image(room, Number(c.req.param("id")));
    if (!record) throw new HttpError(404, "No such image");
    return await serveBlob(c.req.raw, deps.blobs, rooms.keyOf(record), {
      contentType: record.contentType,
      etag: `"img-${record.id}"`,
      lastModified: record.uploadedAt,
      // An id names one upload forever.
      cacheControl: "public, max-age=31536000, immutable",
    });
  });

  // Thumbnails are made on first request (the thumbnailer caps ffmpeg runs at once) and kept.
  app.get("/:room/thumb/:id{[0-9]+}", (c) => thumbnail(c, deps));

  app.get("/:room/meta", async (c) => {
    const room = roomParam(c.req.param("room"));
    c.header("cache-control", "no-store");
    if (!(await rooms.exists(room))) throw new HttpError(404, "No such room");
    const recent = (await rooms.recent(room, deps.imageHistory)).map((r) => imageView(basePath, r));
    return c.json({ room, current: recent[0] ?? null, recent } satisfies RoomMeta);
  });

  // 404 for a room that does not exist (imageNamespace decides), so no topic is made for it.
  app.get("/:room/events", (c) => {
    const room = roomParam(c.req.param("room"));
    return deps.sse.respond(`image:${room}`, c.req.raw, {
      format: imageFormat,
      greeting: "connected",
      notFound: "Room not found",
    });
  });

  app.get("/:room", (c) => viewerPage(c, deps));

  return app;
}

/** `GET /:room/thumb/:id`: the strip's small copy, or the original when none can be made. */
async function thumbnail(c: Context, deps: ImagesDeps): Promise<Response> {
  const room = roomParam(c.req.param("room")!);
  const record = await deps.rooms.image(room, Number(c.req.param("id")));
  if (!record) throw new HttpError(404, "No such image");
  const original = deps.rooms.keyOf(record);
  const thumb = await deps.thumbs.of(record, original);
  return await serveBlob(c.req.raw, deps.blobs, thumb?.key ?? original, {
    contentType: thumb?.contentType ?? record.contentType,
    etag: `"thumb-${record.id}${thumb ? "" : "-original"}"`,
    lastModified: record.uploadedAt,
    // Without ffmpeg the original stands in; a later request may get the real thumbnail.
    cacheControl: thumb ? "public, max-age=31536000, immutable" : "no-cache",
  });
}

/** `GET /:room`: the viewer, also for a room not made yet (404), which it then waits for. */
async function viewerPage(c: Context, deps: ImagesDeps): Promise<Response> {
  const room = roomParam(c.req.param("room")!);
  const exists = await deps.rooms.exists(room);
  const data: ImageRoomPageData = {
    room,
    exists,
    admin: deps.isAdmin(c),
    maxCaption: MAX_CAPTION,
    maxUploadBytes: deps.maxUploadBytes,
  };
  return deps.page(c, {
    title: `${room} · Roomcast`,
    entry: "image_room",
    styles: ["image_room.css"],
    data,
    status: exists ? 200 : 404,
  });
}
