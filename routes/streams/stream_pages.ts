// The watch page (/watch/<slug>, with ?invite=) and the streamer dashboard (/studio) and its data.
import { Hono } from "hono";
import type { Context } from "hono";
import { HttpError } from "../../errors.ts";
import type { StreamRoom } from "../../storage/streams_store.ts";
import { inviteView, redeemInvite } from "./stream_access_routes.ts";
import { HISTORY, messageView } from "./stream_chat.ts";
import { obsSettings, roomOf, SLUG, type StreamsContext, viewOf } from "./context.ts";
import { roomTopic } from "./stream_live.ts";
import type { StreamRoomBoot, StudioBoot, StudioRoom, StudioRoomDetail } from "./wire.ts";

export function streamPageRoutes(ctx: StreamsContext, adminConfigured: boolean): Hono {
  const app = new Hono();
  app.route("/", streamRoomPage(ctx));
  app.route("/", studioRoutes(ctx, adminConfigured));
  return app;
}

/** `/watch/<slug>`: the room, the "private" page, or an invite redeemed then a clean redirect. */
function streamRoomPage(ctx: StreamsContext): Hono {
  const { store, access } = ctx;
  const app = new Hono();

  /** The "this room is private" page, as a 403 (the page shell itself renders 200 or 404). */
  const locked = (c: Context, slug: string, inviteError: string | null) => {
    const page = ctx.page(c, {
      title: "Private room · Roomcast",
      entry: "stream_room",
      styles: ["stream.css"],
      data: { slug, room: null, locked: true, inviteError } satisfies StreamRoomBoot,
    });
    return new Response(page.body, { status: 403, headers: page.headers });
  };

  app.get("/watch/:slug", async (c) => {
    const slug = c.req.param("slug");
    // Before the room is read: whatever changes after the read is an event after this id.
    const eventId = SLUG.test(slug) ? await ctx.hub.lastId(roomTopic(slug)) : 0;
    const room = SLUG.test(slug) ? await store.get(slug) : null;
    if (!room) {
      return ctx.page(c, {
        title: "Room not found · Roomcast",
        entry: "stream_room",
        styles: ["stream.css"],
        data: { slug, room: null } satisfies StreamRoomBoot,
        status: 404,
      });
    }
    const invite = c.req.query("invite");
    if (invite !== undefined && room.private && !await access.canView(c, room)) {
      try {
        await redeemInvite(ctx, c, room, invite);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        return locked(c, slug, error.message);
      }
      // The cookie is set: reload without the token in the address bar (and in shared links).
      return c.redirect(`${ctx.links.basePath}watch/${room.slug}`, 303);
    }
    if (!await access.canView(c, room)) return locked(c, slug, null);
    return ctx.page(c, {
      title: `${room.name} · Roomcast`,
      entry: "stream_room",
      styles: ["stream.css"],
      data: {
        slug,
        room: viewOf(ctx, c, room),
        eventId,
        socketPass: access.socketPass(room.slug),
        admin: await access.isAdmin(c),
        quality: ctx.transcode === "abr",
      } satisfies StreamRoomBoot,
    });
  });

  return app;
}

/** `/studio` and the dashboard's data, for the admin only. */
function studioRoutes(ctx: StreamsContext, adminConfigured: boolean): Hono {
  const { store, access, live } = ctx;
  const app = new Hono();
  app.get("/studio", async (c) => {
    const signedIn = await access.isAdmin(c);
    // A Roomcast account that is not an admin: told so, with a 403 (the token form stays).
    const notAdmin = !signedIn && await access.signedInNotAdmin(c);
    // The dashboard reveals keys on a click: no other site may frame it and steer that click.
    c.header("x-frame-options", "DENY");
    c.header("content-security-policy", "frame-ancestors 'none'");
    const page = ctx.page(c, {
      title: "Studio · Roomcast",
      entry: "studio",
      styles: ["stream.css"],
      data: {
        signedIn,
        adminConfigured,
        notAdmin,
        error: c.req.query("error") ?? null,
      } satisfies StudioBoot,
    });
    return notAdmin ? new Response(page.body, { status: 403, headers: page.headers }) : page;
  });

  const studioRoom = async (c: Context, room: StreamRoom): Promise<StudioRoom> => ({
    ...viewOf(ctx, c, room),
    hasKey: await store.sealedKey(room.slug) !== null,
    rtmpUrl: obsSettings(ctx, c, null).rtmpUrl,
    health: room.liveSource !== null ? ctx.health.health(room.slug) : null,
    viewerGraph: ctx.health.graph(room.slug),
    presence: live.presence(room.slug),
  });

  app.get("/api/studio/rooms", async (c) => {
    await access.requireAdmin(c);
    const rooms = await store.list();
    return c.json(await Promise.all(rooms.map((room) => studioRoom(c, room))));
  });

  // Everything the dashboard shows for one room, in one poll.
  app.get("/api/studio/rooms/:slug", async (c) => {
    await access.requireAdmin(c);
    const room = await roomOf(ctx, c);
    return c.json<StudioRoomDetail>({
      ...await studioRoom(c, room),
      invites: (await ctx.accessStore.invites(room.id)).map((i) => inviteView(room, i)),
      bans: await ctx.chatStore.bans(room.id),
      messages: (await ctx.chatStore.messages(room.id, HISTORY)).map((m) => messageView(room, m)),
    });
  });

  return app;
}
