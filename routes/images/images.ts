// Image rooms (imgcast): upload with Basic Auth, the live image, its SSE updates, and the viewer.
import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { Hub } from "../../realtime/hub.ts";
import type { SseFormat, SseTransport } from "../../realtime/sse.ts";
import type { TopicNamespace } from "../../realtime/topics.ts";
import { errorsOf, HttpError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { TooLargeError } from "../../storage/files.ts";
import { htpasswdEntryLine } from "../../storage/htpasswd.ts";
import { MultipartError, receiveMultipartFile } from "../../storage/multipart.ts";
import {
  type ImageRecord,
  type ImagesStore,
  NotAnImageError,
  type SavedImage,
} from "../../storage/images_store.ts";
import { type BasicAuthGuard, parseBasicAuth } from "../../edge/basic_auth.ts";
import { isRoomName } from "./reserved.ts";
import type { PageRenderer } from "../pages.ts";
import { serveFile } from "../serve_file.ts";
import type { ImageRoomList, ImageView, RoomMeta, Uploaded } from "./wire.ts";

export interface ImagesDeps {
  rooms: ImagesStore;
  basicAuth: BasicAuthGuard;
  hub: Pick<Hub, "publish">;
  sse: SseTransport;
  log: Logger;
  maxUploadBytes: number;
  imageHistory: number;
  page: PageRenderer;
  /** The Origin rule (edge/origin.ts): browsers answer the Basic challenge for any site's form. */
  sameOrigin: MiddlewareHandler;
}

/** imgcast's viewer reloads on exactly `data: updated`; ids let it resume. */
const imageFormat: SseFormat = {
  name: "imgcast",
  frame: () => ({ data: "updated" }),
  gap: () => ({ data: "updated" }),
};

const UNAUTHORIZED = {
  "www-authenticate": 'Basic realm="Room Upload"',
};

const NOT_AN_IMAGE = "File is not a supported image (JPEG, PNG, GIF, WebP, BMP, AVIF)";

// Multipart framing around the file: boundaries and part headers, well under this.
const MULTIPART_OVERHEAD = 64 * 1024;

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

/** An image upload as clients see it. */
export function imageView(basePath: string, record: ImageRecord): ImageView {
  return {
    id: record.id,
    url: `${basePath}${record.room}/images/${record.id}`,
    contentType: record.contentType,
    size: record.size,
    uploadedBy: record.uploadedBy,
    uploadedAt: new Date(record.uploadedAt).toISOString(),
  };
}

function roomParam(name: string): string {
  if (!isRoomName(name)) throw new HttpError(400, "Invalid room name");
  return name;
}

/**
 * `POST /:room/upload`: Basic credentials against the room's `.htpasswd` (an admin's for a new
 * room), then the `image` part streamed into the room; `updated` is published on `image:<room>`.
 */
async function upload(c: Context, deps: ImagesDeps, basePath: string): Promise<Response> {
  const { rooms, log } = deps;
  const room = roomParam(c.req.param("room")!);
  const credentials = parseBasicAuth(c.req.header("authorization"));
  if (!credentials) {
    throw new HttpError(401, "Authentication required", { headers: UNAUTHORIZED });
  }

  const roomEntries = await rooms.roomEntries(room);
  const entries = roomEntries ?? await rooms.adminEntries();
  const result = await deps.basicAuth.verify(c, entries, credentials, errorsOf("error"));
  if (result.refusedHash) {
    log.warn("Refused htpasswd entry: only bcrypt hashes are accepted", {
      room,
      user: credentials.user,
      hash: result.refusedHash,
    });
  }
  if (!result.ok) {
    const message = roomEntries
      ? "Invalid credentials"
      : "Invalid credentials (creating a room needs an admin)";
    throw new HttpError(401, message, { headers: UNAUTHORIZED });
  }

  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > deps.maxUploadBytes + MULTIPART_OVERHEAD) {
    throw new HttpError(413, `Image is larger than ${deps.maxUploadBytes} bytes`);
  }

  // A new room is made by the admin's upload, but only once its image is stored.
  const admin = roomEntries ? undefined : entries.find((e) => e.user === credentials.user)!;
  let saved: SavedImage | undefined;
  try {
    ({ file: saved } = await receiveMultipartFile(c.req.raw, {
      field: "image",
      maxBytes: deps.maxUploadBytes,
      onFile: (part) =>
        rooms.saveImage(room, part.stream, {
          uploadedBy: credentials.user,
          maxBytes: deps.maxUploadBytes,
          createWith: admin && htpasswdEntryLine(admin),
        }),
    }));
  } catch (error) {
    if (error instanceof TooLargeError) {
      throw new HttpError(413, `Image is larger than ${deps.maxUploadBytes} bytes`);
    }
    if (error instanceof NotAnImageError) throw new HttpError(415, NOT_AN_IMAGE);
    if (error instanceof MultipartError) throw new HttpError(400, error.message);
    throw error;
  }
  if (!saved) throw new HttpError(400, 'Missing "image" file field');
  const { record, created } = saved;

  deps.hub.publish<ImageView>(`image:${room}`, "updated", imageView(basePath, record));
  log.info("Image uploaded", { room, user: credentials.user, size: record.size, created });
  const uploaded: Uploaded = { ok: true, room, created, image: imageView(basePath, record) };
  return c.json(uploaded, 200);
}

export function createImageRoutes(deps: ImagesDeps, basePath: string): Hono {
  const { rooms } = deps;
  const app = new Hono();

  app.get("/api/image-rooms", async (c) => {
    const names = await rooms.listRooms();
    const list = names.filter(isRoomName).map((room) => {
      const current = rooms.current(room);
      return { room, current: current ? imageView(basePath, current) : null };
    });
    return c.json({ rooms: list } satisfies ImageRoomList);
  });

  app.post("/:room/upload", deps.sameOrigin, (c) => upload(c, deps, basePath));

  app.get("/:room/live", async (c) => {
    const room = roomParam(c.req.param("room"));
    const record = rooms.current(room);
    if (!record) throw new HttpError(404, "No image in this room yet");
    return await serveFile(c.req.raw, rooms.pathOf(record), {
      contentType: record.contentType,
      etag: `"img-${record.id}"`,
      lastModified: record.uploadedAt,
      cacheControl: "no-cache, no-store, must-revalidate",
    });
  });

  app.get("/:room/images/:id{[0-9]+}", async (c) => {
    const room = roomParam(c.req.param("room"));
    const record = rooms.image(room, Number(c.req.param("id")));
    if (!record) throw new HttpError(404, "No such image");
    return await serveFile(c.req.raw, rooms.pathOf(record), {
      contentType: record.contentType,
      etag: `"img-${record.id}"`,
      lastModified: record.uploadedAt,
      // An id names one upload forever.
      cacheControl: "public, max-age=31536000, immutable",
    });
  });

  app.get("/:room/meta", (c) => {
    const room = roomParam(c.req.param("room"));
    const recent = rooms.recent(room, deps.imageHistory).map((r) => imageView(basePath, r));
    c.header("cache-control", "no-store");
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

  app.get("/:room", (c) => {
    const room = roomParam(c.req.param("room"));
    return deps.page(c, { title: `${room} · Roomcast`, entry: "image_room", data: { room } });
  });

  return app;
}
