// Stream rooms API (StreamCircle): list, create, rotate, delete, messages, join, live events, page.
import { Hono } from "hono";
import type { Context } from "hono";
import { join } from "node:path";
import { HttpError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Hub } from "../realtime/hub.ts";
import { jsonFormat, type SseTransport } from "../realtime/sse.ts";
import type { StreamRoom, StreamsStore } from "../storage/streams_store.ts";
import type { PageRenderer } from "./pages.ts";
import { readJsonObject, textField } from "./small_body.ts";
import { ROOMS_TOPIC, roomTopic, type StreamLive } from "./stream_live.ts";
import { type LinkOptions, requireAdmin, roomView, rtmpUrl } from "./stream_views.ts";

export interface StreamsDeps {
  store: StreamsStore;
  live: StreamLive;
  hub: Pick<Hub, "dropTopic">;
  sse: SseTransport;
  log: Logger;
  page: PageRenderer;
  links: LinkOptions;
  adminToken?: string;
  /** Port shown in RTMP links when our own listener is not running (e.g. nginx-rtmp's). */
  rtmpPort: number;
  /** `<DATA_DIR>/hls`, where a deleted room's output is removed from. */
  hlsDir: string;
}

/** Messages returned by `GET /api/rooms/<slug>/messages` (StreamCircle: the last 50). */
const HISTORY = 50;
/** Chat tokens from `/join` last half a day; a viewer joins again after that. */
const CHAT_TOKEN_TTL_MS = 12 * 3600 * 1000;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export function streamRoutes(deps: StreamsDeps): Hono {
  const { store, live, links, log } = deps;
  const app = new Hono();

  const roomOf = (c: Context): StreamRoom => {
    const slug = c.req.param("slug") ?? "";
    if (!SLUG.test(slug)) throw new HttpError(400, "Invalid room slug");
    const room = store.get(slug);
    if (!room) throw new HttpError(404, "Room not found");
    return room;
  };
  const view = (c: Context, room: StreamRoom) =>
    roomView(c.req.raw, links, room, live.status(room));
  const admin = (c: Context) => requireAdmin(deps.adminToken, c.req.header("x-admin-token"));
  const withKey = (c: Context, room: StreamRoom, streamKey: string) => ({
    ...view(c, room),
    streamKey,
    rtmpUrl: rtmpUrl(c.req.raw, links, live.ingest?.port ?? deps.rtmpPort),
  });

  app.get("/api/rooms", (c) => c.json(store.list().map((room) => view(c, room))));

  app.get("/api/rooms/events", (c) => {
    const rooms = store.list().map((room) => view(c, room));
    return deps.sse.respond(ROOMS_TOPIC, c.req.raw, {
      format: jsonFormat,
      greeting: JSON.stringify({ type: "rooms", data: rooms }),
    });
  });

  app.post("/api/rooms", async (c) => {
    admin(c);
    const name = textField(await readJsonObject(c.req.raw), "name", 100);
    const { room, streamKey } = store.create(name);
    live.announce("created", room.slug);
    log.info("Stream room created", { slug: room.slug });
    return c.json(withKey(c, room, streamKey), 201);
  });

  app.get("/api/rooms/:slug", (c) => c.json(view(c, roomOf(c))));

  app.delete("/api/rooms/:slug", async (c) => {
    admin(c);
    const room = roomOf(c);
    live.ingest?.kick(room.slug);
    store.remove(room.slug);
    live.announce("deleted", room.slug);
    deps.hub.dropTopic(roomTopic(room.slug));
    await Deno.remove(join(deps.hlsDir, room.playbackId), { recursive: true }).catch(() => {});
    log.info("Stream room deleted", { slug: room.slug });
    return c.json({ deleted: room.slug });
  });

  app.post("/api/rooms/:slug/rotate", (c) => {
    admin(c);
    const room = roomOf(c);
    const streamKey = store.rotateKey(room.slug);
    if (!streamKey) throw new HttpError(404, "Room not found");
    // The old key must stop at once: drop whoever publishes with it.
    live.ingest?.kick(room.slug);
    // nginx-rtmp cannot be told to drop it, and its on_done will name a key we no longer know.
    if (room.liveSource === "hook") live.setLive(room.slug, null);
    log.info("Stream key rotated", { slug: room.slug });
    return c.json(withKey(c, store.get(room.slug)!, streamKey));
  });

  app.get("/api/rooms/:slug/messages", (c) => {
    const room = roomOf(c);
    return c.json(
      store.messages(room.id, HISTORY).map((m) => ({
        id: m.id,
        room: room.slug,
        nickname: m.nickname,
        content: m.content,
        createdAt: new Date(m.createdAt).toISOString(),
      })),
    );
  });

  app.post("/api/rooms/:slug/join", async (c) => {
    const room = roomOf(c);
    const nickname = textField(await readJsonObject(c.req.raw), "nickname", 32);
    const token = store.createChatToken(room.id, nickname, CHAT_TOKEN_TTL_MS);
    const expiresAt = new Date(Date.now() + CHAT_TOKEN_TTL_MS).toISOString();
    return c.json({ token, nickname, room: room.slug, expiresAt }, 201);
  });

  app.get("/api/rooms/:slug/events", (c) => {
    const room = roomOf(c);
    const response = deps.sse.respond(roomTopic(room.slug), c.req.raw, {
      format: jsonFormat,
      greeting: JSON.stringify({ type: "status", data: live.status(room) }),
      onClose: () => live.touch(room.slug),
    });
    live.touch(room.slug);
    return response;
  });

  app.get("/watch/:slug", (c) => {
    const slug = c.req.param("slug");
    const room = SLUG.test(slug) ? store.get(slug) : null;
    if (!room) {
      return deps.page(c, {
        title: "Room not found · Roomcast",
        entry: "watch",
        data: { slug, room: null },
        status: 404,
      });
    }
    return deps.page(c, {
      title: `${room.name} · Roomcast`,
      entry: "watch",
      data: { slug, room: view(c, room) },
    });
  });

  return app;
}
