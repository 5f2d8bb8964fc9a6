// Stream rooms API (StreamCircle): list, create, change, rotate, delete, reveal key, live events.
import { Hono } from "hono";
import type { Context } from "hono";
import { join } from "node:path";
import { HttpError } from "../../errors.ts";
import { jsonFormat } from "../../realtime/sse.ts";
import type { RoomChanges, StreamRoom } from "../../storage/streams_store.ts";
import { readJsonObject } from "../../edge/body.ts";
import { textField } from "../../edge/fields.ts";
import { obsSettings, roomOf, type StreamsContext, viewOf, visibleRoomOf } from "./context.ts";
import { ROOMS_TOPIC, roomTopic } from "./stream_live.ts";
import type { RoomWithKey } from "./wire.ts";

const MAX_DESCRIPTION = 500;
const MAX_SLOW_MODE = 3600;

/** The fields of a PATCH, each checked; unknown fields are refused so typos do not pass silently. */
function roomChanges(body: Record<string, unknown>): RoomChanges {
  const allowed = new Set(["name", "description", "private", "slowModeSeconds"]);
  const unknown = Object.keys(body).filter((key) => !allowed.has(key));
  if (unknown.length) throw new HttpError(400, `Unknown field "${unknown[0]}"`);
  const changes: RoomChanges = {};
  if (body.name !== undefined) changes.name = textField(body, "name", 100);
  if (body.description !== undefined) {
    if (typeof body.description !== "string") {
      throw new HttpError(400, '"description" must be a string');
    }
    const text = body.description.trim();
    if ([...text].length > MAX_DESCRIPTION) {
      throw new HttpError(400, `"description" is longer than ${MAX_DESCRIPTION} characters`);
    }
    // deno-lint-ignore no-control-regex
    if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text)) {
      throw new HttpError(400, '"description" must not contain control characters');
    }
    changes.description = text;
  }
  if (body.private !== undefined) {
    if (typeof body.private !== "boolean") throw new HttpError(400, '"private" must be a boolean');
    changes.private = body.private;
  }
  if (body.slowModeSeconds !== undefined) {
    const seconds = body.slowModeSeconds;
    if (
      !Number.isInteger(seconds) || (seconds as number) < 0 || (seconds as number) > MAX_SLOW_MODE
    ) {
      throw new HttpError(400, `"slowModeSeconds" must be an integer from 0 to ${MAX_SLOW_MODE}`);
    }
    changes.slowModeSeconds = seconds as number;
  }
  return changes;
}

/** Stream rooms: what anyone may read first (the room list and events come before `:slug`). */
export function streamRoutes(ctx: StreamsContext): Hono {
  const app = new Hono();
  app.route("/", roomReadRoutes(ctx));
  app.route("/", roomAdminRoutes(ctx));
  return app;
}

/** The room list, one room and their live events, as each request may see them. */
function roomReadRoutes(ctx: StreamsContext): Hono {
  const { store, live, access } = ctx;
  const app = new Hono();
  const listed = async (c: Context) => {
    const admin = await access.isAdmin(c);
    return (await store.list()).filter((room) => admin || !room.private).map((room) =>
      viewOf(ctx, c, room)
    );
  };

  app.get("/api/rooms", async (c) => c.json(await listed(c)));

  app.get("/api/rooms/events", async (c) => {
    // Private rooms' events never reach this topic, so the greeting leaves them out as well.
    const rooms = (await store.list()).filter((room) => !room.private).map((room) =>
      viewOf(ctx, c, room)
    );
    return ctx.sse.respond(ROOMS_TOPIC, c.req.raw, {
      format: jsonFormat,
      greeting: JSON.stringify({ type: "rooms", data: rooms }),
    });
  });

  app.get("/api/rooms/:slug", async (c) => c.json(viewOf(ctx, c, await visibleRoomOf(ctx, c))));

  app.get("/api/rooms/:slug/events", async (c) => {
    const room = await visibleRoomOf(ctx, c);
    const response = ctx.sse.respond(roomTopic(room.slug), c.req.raw, {
      format: jsonFormat,
      greeting: JSON.stringify({ type: "status", data: live.status(room) }),
      onClose: () => live.touch(room.slug),
    });
    live.touch(room.slug);
    return response;
  });

  return app;
}

/** The admin's writes: create, change, delete a room, rotate and reveal its key. */
function roomAdminRoutes(ctx: StreamsContext): Hono {
  const { store, live, log, access } = ctx;
  const app = new Hono();
  const withKey = (c: Context, room: StreamRoom, streamKey: string): RoomWithKey => ({
    ...viewOf(ctx, c, room),
    ...obsSettings(ctx, c, streamKey),
  });
  app.post("/api/rooms", async (c) => {
    await access.requireAdmin(c);
    const body = await readJsonObject(c.req.raw);
    const name = textField(body, "name", 100);
    if (body.private !== undefined && typeof body.private !== "boolean") {
      throw new HttpError(400, '"private" must be a boolean');
    }
    const { room, streamKey } = await store.create(name, {
      private: body.private === true,
      seal: ctx.seal?.seal,
    });
    await live.announce("created", room.slug);
    log.info("Stream room created", { slug: room.slug, private: room.private });
    return c.json(withKey(c, room, streamKey), 201);
  });

  app.patch("/api/rooms/:slug", async (c) => {
    await access.requireAdmin(c);
    const before = await roomOf(ctx, c);
    const changes = roomChanges(await readJsonObject(c.req.raw));
    const room = (await store.update(before.slug, changes))!;
    const view = viewOf(ctx, c, room);
    live.publishRoom(room.slug, "room", view);
    // The home page lists public rooms only: a room turning private leaves it, and comes back.
    if (before.private !== room.private) {
      ctx.hub.publish(ROOMS_TOPIC, room.private ? "deleted" : "created", { slug: room.slug });
    } else if (!room.private) ctx.hub.publish(ROOMS_TOPIC, "room", view);
    if (!before.private && room.private) {
      // Whoever watched or chatted while it was public must now come back with an invite.
      await ctx.chatStore.endTokensWithoutPass(room.id);
      ctx.hub.dropTopic(roomTopic(room.slug));
    }
    log.info("Stream room changed", { slug: room.slug, fields: Object.keys(changes) });
    return c.json(view);
  });

  app.delete("/api/rooms/:slug", async (c) => {
    await access.requireAdmin(c);
    const room = await roomOf(ctx, c);
    ctx.ingest.kick(room.slug);
    await store.remove(room.slug);
    await live.announce("deleted", room.slug);
    ctx.hub.dropTopic(roomTopic(room.slug));
    await Deno.remove(join(ctx.hlsDir, room.playbackId), { recursive: true }).catch(() => {});
    log.info("Stream room deleted", { slug: room.slug });
    return c.json({ deleted: room.slug });
  });

  app.post("/api/rooms/:slug/rotate", async (c) => {
    await access.requireAdmin(c);
    const room = await roomOf(ctx, c);
    const streamKey = await store.rotateKey(room.slug, ctx.seal?.seal);
    if (!streamKey) throw new HttpError(404, "Room not found");
    // The old key must stop at once: drop whoever publishes with it.
    ctx.ingest.kick(room.slug);
    // nginx-rtmp cannot be told to drop it, and its on_done will name a key we no longer know.
    if (room.liveSource === "hook") await live.setLive(room.slug, null);
    log.info("Stream key rotated", { slug: room.slug });
    return c.json(withKey(c, (await store.get(room.slug))!, streamKey));
  });

  // The dashboard's "reveal": the key is fetched only when the admin clicks for it.
  app.get("/api/rooms/:slug/key", async (c) => {
    await access.requireAdmin(c);
    const room = await roomOf(ctx, c);
    const sealed = await store.sealedKey(room.slug);
    const streamKey = sealed && ctx.seal ? ctx.seal.open(sealed) : null;
    c.header("cache-control", "no-store");
    return c.json(obsSettings(ctx, c, streamKey));
  });

  return app;
}
