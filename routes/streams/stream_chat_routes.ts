// Room chat over REST: history, join (nickname → chat token), send with a Bearer token, moderation.
import { Hono } from "hono";
import type { Context } from "hono";
import { HttpError } from "../../errors.ts";
import { getCookie } from "hono/cookie";
import { readJsonObject } from "../../edge/body.ts";
import { sha256Hex } from "../../tokens.ts";
import type { StreamRoom } from "../../storage/streams_store.ts";
import { roomCookie } from "./stream_access.ts";
import { HISTORY, messageView } from "./stream_chat.ts";
import { roomOf, type StreamsContext, visibleRoomOf } from "./context.ts";

const bearer = (c: Context): string | undefined => {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1];
};

const idParam = (c: Context): number => {
  const id = Number(c.req.param("id"));
  if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(400, "Invalid id");
  return id;
};

export function streamChatRoutes(ctx: StreamsContext): Hono {
  const { access, chat, chatStore } = ctx;
  const app = new Hono();

  /** Who is asking for a token, hashed: the viewer cookie (made now if new), address, room pass. */
  const originOf = (c: Context, room: StreamRoom) => {
    const viewer = access.viewerId(c);
    const pass = room.private ? (getCookie(c, roomCookie(room)) ?? null) : null;
    return {
      viewer,
      origin: {
        viewerHash: sha256Hex(viewer.id),
        ipHash: sha256Hex(access.clientIp(c)),
        passHash: pass ? sha256Hex(pass) : null,
      },
    };
  };

  app.get("/api/rooms/:slug/messages", async (c) => {
    const room = await roomOf(ctx, c);
    // A script that joined a private room through an invite reads it with its chat token.
    const token = bearer(c);
    if (token === undefined || !await access.canView(c, room)) {
      if (token === undefined) await access.requireView(c, room);
      else await chat.tokenFor(room, token);
    }
    return c.json((await chatStore.messages(room.id, HISTORY)).map((m) => messageView(room, m)));
  });

  app.post("/api/rooms/:slug/join", async (c) => {
    const room = await visibleRoomOf(ctx, c);
    const body = await readJsonObject(c.req.raw);
    const { viewer, origin } = originOf(c, room);
    // A browser without a viewer cookie yet is checked by address (one that cleared its cookie).
    const checked = { ...origin, viewerHash: viewer.isNew ? null : origin.viewerHash };
    const joined = await chat.join(room, body, checked, access.clientIp(c), origin);
    return c.json(joined, 201);
  });

  app.post("/api/rooms/:slug/messages", async (c) => {
    const room = await roomOf(ctx, c);
    const token = await chat.tokenFor(room, bearer(c));
    const body = await readJsonObject(c.req.raw);
    return c.json(await chat.send(room, token, body.content, await access.isAdmin(c)), 201);
  });

  app.delete("/api/rooms/:slug/messages/:id", async (c) => {
    await access.requireAdmin(c);
    const room = await roomOf(ctx, c);
    const id = idParam(c);
    await chat.remove(room, id);
    return c.json({ deleted: id });
  });

  app.post("/api/rooms/:slug/clear", async (c) => {
    await access.requireAdmin(c);
    return c.json({ cleared: await chat.clear(await roomOf(ctx, c)) });
  });

  app.get("/api/rooms/:slug/bans", async (c) => {
    await access.requireAdmin(c);
    return c.json(await chatStore.bans((await roomOf(ctx, c)).id));
  });

  app.post("/api/rooms/:slug/bans", async (c) => {
    await access.requireAdmin(c);
    const room = await roomOf(ctx, c);
    return c.json(await chat.ban(room, await readJsonObject(c.req.raw)), 201);
  });

  app.delete("/api/rooms/:slug/bans/:id", async (c) => {
    await access.requireAdmin(c);
    const room = await roomOf(ctx, c);
    const id = idParam(c);
    if (!await chatStore.unban(room.id, id)) throw new HttpError(404, "Ban not found");
    return c.json({ deleted: id });
  });

  return app;
}
