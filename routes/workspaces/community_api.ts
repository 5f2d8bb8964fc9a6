// The community REST API: server and channel settings, channel order, roles, kicks, bans,
// leaving, deleting, and direct messages; the rules are in community_service.ts.
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import { readJsonObject } from "../../edge/body.ts";
import type { Account } from "../../storage/accounts_store.ts";
import type { SessionAuth } from "../accounts/session.ts";
import { idOf } from "./api.ts";
import type { CommunityService } from "./community_service.ts";

export interface CommunityApiDeps {
  auth: SessionAuth;
  community: CommunityService;
  sameOrigin: MiddlewareHandler;
}

type App = Hono<{ Variables: { user: Account } }>;

// Names, a topic of 1024 characters as JSON escapes, or a few thousand channel ids.
const MAX_BODY = 32 * 1024;
const body = (c: Context) => readJsonObject(c.req.raw, { maxBytes: MAX_BODY });

export function createCommunityApiRoutes(deps: CommunityApiDeps): App {
  const { auth, community: s } = deps;
  const app: App = new Hono();
  const guard: MiddlewareHandler = async (c, next) => {
    c.set("user", auth.requireUser(c));
    c.header("cache-control", "no-store");
    await next();
  };
  for (const path of ["/api/servers/*", "/api/channels/*", "/api/dms"]) {
    app.use(path, deps.sameOrigin, guard);
  }
  const server = (c: Context) => idOf(c.req.param("id"), "server id");
  const target = (c: Context) => idOf(c.req.param("userId"), "user id");

  app.get(
    "/api/servers/:id/community",
    async (c) => c.json(await s.view(c.get("user"), server(c))),
  );
  app.patch(
    "/api/servers/:id",
    async (c) => c.json(await s.updateServer(c.get("user"), server(c), await body(c))),
  );
  app.delete(
    "/api/servers/:id",
    async (c) => c.json(await s.deleteServer(c.get("user"), server(c))),
  );
  app.put("/api/servers/:id/channel-order", async (c) => {
    const { channelIds } = await body(c);
    return c.json(await s.orderChannels(c.get("user"), server(c), channelIds));
  });
  app.post("/api/servers/:id/leave", async (c) => c.json(await s.leave(c.get("user"), server(c))));

  app.patch("/api/servers/:id/members/:userId", async (c) => {
    const { role } = await body(c);
    return c.json(await s.setRole(c.get("user"), server(c), target(c), role));
  });
  app.delete(
    "/api/servers/:id/members/:userId",
    async (c) => c.json(await s.kick(c.get("user"), server(c), target(c))),
  );
  app.get(
    "/api/servers/:id/bans",
    async (c) => c.json({ bans: await s.bans(c.get("user"), server(c)) }),
  );
  app.post("/api/servers/:id/bans", async (c) => {
    const { userId } = await body(c);
    return c.json(await s.ban(c.get("user"), server(c), userId), 201);
  });
  app.delete(
    "/api/servers/:id/bans/:userId",
    async (c) => c.json(await s.unban(c.get("user"), server(c), target(c))),
  );

  app.patch("/api/channels/:id", async (c) => {
    const channelId = idOf(c.req.param("id"), "channel id");
    return c.json(await s.updateChannel(c.get("user"), channelId, await body(c)));
  });
  app.delete("/api/channels/:id", async (c) => {
    const channelId = idOf(c.req.param("id"), "channel id");
    return c.json(await s.deleteChannel(c.get("user"), channelId));
  });

  app.get("/api/dms", async (c) => c.json({ dms: await s.dms(c.get("user")) }));
  app.post("/api/dms", async (c) => {
    const { userId } = await body(c);
    const opened = await s.openDm(c.get("user"), userId);
    return c.json(opened, opened.created ? 201 : 200);
  });
  return app;
}
