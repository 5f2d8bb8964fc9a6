// Reactions and pins over REST: `PUT`/`DELETE /api/messages/:id/reactions/:emoji`,
// `PUT`/`DELETE /api/messages/:id/pin`, `GET /api/channels/:id/pins`.
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import type { SessionAuth } from "../accounts/session.ts";
import { idOf, type WorkspacesApp } from "./api.ts";
import type { WorkspaceService } from "./service.ts";
import type { MessagePage } from "./wire.ts";

export interface MessageExtrasApiDeps {
  auth: SessionAuth;
  service: WorkspaceService;
  sameOrigin: MiddlewareHandler;
}

export function createMessageExtrasRoutes(deps: MessageExtrasApiDeps): WorkspacesApp {
  const { auth, service } = deps;
  const app: WorkspacesApp = new Hono();
  const guard = async (c: Context, next: () => Promise<void>) => {
    c.set("user", auth.requireUser(c));
    c.header("cache-control", "no-store");
    await next();
  };
  app.use("/api/messages/:id/*", deps.sameOrigin, guard);
  app.use("/api/channels/:id/pins", deps.sameOrigin, guard);

  const messageId = (c: Context) => idOf(c.req.param("id"), "message id");
  // Hono hands the path's emoji percent-decoded.
  const react = (on: boolean) => async (c: Context) =>
    c.json(await service.react(c.get("user"), messageId(c), c.req.param("emoji"), on));
  app.put("/api/messages/:id/reactions/:emoji", react(true));
  app.delete("/api/messages/:id/reactions/:emoji", react(false));

  const pin = (on: boolean) => async (c: Context) =>
    c.json(await service.pin(c.get("user"), messageId(c), on));
  app.put("/api/messages/:id/pin", pin(true));
  app.delete("/api/messages/:id/pin", pin(false));

  app.get("/api/channels/:id/pins", async (c) => {
    const channelId = idOf(c.req.param("id"), "channel id");
    const messages = await service.pins(c.get("user"), channelId);
    return c.json({ messages } satisfies MessagePage);
  });
  return app;
}
