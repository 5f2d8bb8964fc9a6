// EchoSphere's REST API (servers, channels, members, messages) plus invites, reads and edits.
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import { readJsonObject } from "../../edge/body.ts";
import { parseId } from "../../edge/fields.ts";
import type { Account } from "../../storage/accounts_store.ts";
import type { SessionAuth } from "../accounts/session.ts";
import { WorkspaceError } from "./errors.ts";
import type { WorkspaceService } from "./service.ts";
import type { MessagePage, ServerMembers, UnreadCounts } from "./wire.ts";

export interface WorkspacesApiDeps {
  auth: SessionAuth;
  service: WorkspaceService;
  /** The Origin rule (edge/origin.ts), for every write here. */
  sameOrigin: MiddlewareHandler;
}

/** The API's app: every route runs after the guard that sets the signed-in `user`. */
export type WorkspacesApp = Hono<{ Variables: { user: Account } }>;

const MAX_LIMIT = 200;
// 2000 characters of message, each up to 12 bytes as a JSON \u escape pair, with room to spare.
const MAX_BODY = 64 * 1024;

/** A positive integer path or query value, else an `invalid` error (a 400) naming it. */
export function idOf(raw: string | undefined, what: string): number {
  const id = parseId(raw);
  if (id === null) throw new WorkspaceError("invalid", `Invalid ${what}`);
  return id;
}

/** A JSON object body; an empty one is `{}` (`curl -X POST` with no data), so fields say what is missing. */
const jsonObject = (c: Context) => readJsonObject(c.req.raw, { maxBytes: MAX_BODY });

/** History paging from `?limit=&before=&after=`: default 50, at most 200. */
export function historyQuery(c: Context): { limit: number; before?: number; after?: number } {
  const limitRaw = c.req.query("limit");
  const limit = limitRaw === undefined ? 50 : Math.min(idOf(limitRaw, "limit"), MAX_LIMIT);
  const before = c.req.query("before");
  const after = c.req.query("after");
  return {
    limit,
    before: before === undefined ? undefined : idOf(before, "before"),
    after: after === undefined ? undefined : idOf(after, "after"),
  };
}

export function createWorkspacesApiRoutes(deps: WorkspacesApiDeps): WorkspacesApp {
  const { auth, service } = deps;
  const app: WorkspacesApp = new Hono();

  const guard = async (c: Context, next: () => Promise<void>) => {
    c.set("user", auth.requireUser(c));
    c.header("cache-control", "no-store");
    await next();
  };
  for (const path of ["/api/bootstrap", "/api/unread", "/api/servers", "/api/servers/*"]) {
    app.use(path, deps.sameOrigin, guard);
  }
  for (const path of ["/api/channels/*", "/api/messages/*", "/api/invites/*"]) {
    app.use(path, deps.sameOrigin, guard);
  }

  app.get("/api/bootstrap", async (c) => {
    const serverId = c.req.query("serverId");
    const channelId = c.req.query("channelId");
    return c.json(
      await service.bootstrap(c.get("user"), {
        serverId: serverId ? idOf(serverId, "serverId") : undefined,
        channelId: channelId ? idOf(channelId, "channelId") : undefined,
      }),
    );
  });
  app.get(
    "/api/unread",
    async (c) =>
      c.json(
        {
          unread: await service.unread(c.get("user")),
          mentionCount: await service.mentionCounts(c.get("user")),
          serverIds: await service.channelServers(c.get("user")),
        } satisfies UnreadCounts,
      ),
  );

  serverRoutes(app, service);
  messageRoutes(app, service);
  return app;
}

/** Servers, their channels, members and invites, and redeeming an invite. */
function serverRoutes(app: WorkspacesApp, service: WorkspaceService): void {
  app.post("/api/servers", async (c) => {
    const body = await jsonObject(c);
    return c.json(await service.createServer(c.get("user"), body.name), 201);
  });
  app.get("/api/servers/:id", async (c) => {
    return c.json(await service.server(c.get("user"), idOf(c.req.param("id"), "server id")));
  });
  app.post("/api/servers/:id", async (c) => {
    const serverId = idOf(c.req.param("id"), "server id");
    const body = await jsonObject(c);
    return c.json(await service.createChannel(c.get("user"), serverId, body.name, body.kind), 201);
  });
  app.get("/api/servers/:id/members", async (c) => {
    const serverId = idOf(c.req.param("id"), "server id");
    const members = await service.members(c.get("user"), serverId);
    return c.json({ members } satisfies ServerMembers);
  });
  app.post("/api/servers/:id/invites", async (c) => {
    const serverId = idOf(c.req.param("id"), "server id");
    // An empty body means an invite without expiry or use limit.
    const body = await jsonObject(c);
    const invite = await service.createInvite(
      c.get("user"),
      serverId,
      body.expiresInSeconds,
      body.maxUses,
    );
    return c.json(invite, 201);
  });

  app.get(
    "/api/invites/:code",
    async (c) => c.json(await service.invitePreview(c.req.param("code"))),
  );
  app.post("/api/invites/:code", async (c) => {
    return c.json(await service.redeemInvite(c.get("user"), c.req.param("code")));
  });
}

/** A channel's history, posting and read marks; editing and deleting a message. */
function messageRoutes(app: WorkspacesApp, service: WorkspaceService): void {
  app.get("/api/channels/:id/messages", async (c) => {
    const channelId = idOf(c.req.param("id"), "channel id");
    const messages = await service.history(c.get("user"), channelId, historyQuery(c));
    return c.json({ messages } satisfies MessagePage);
  });
  app.post("/api/channels/:id/messages", async (c) => {
    const channelId = idOf(c.req.param("id"), "channel id");
    const body = await jsonObject(c);
    const extra = { replyTo: body.replyTo };
    return c.json(await service.postMessage(c.get("user"), channelId, body.content, extra), 201);
  });
  app.get("/api/channels/:id/read", async (c) => {
    const channelId = idOf(c.req.param("id"), "channel id");
    return c.json(await service.readPosition(c.get("user"), channelId));
  });
  app.post("/api/channels/:id/read", async (c) => {
    const channelId = idOf(c.req.param("id"), "channel id");
    const body = await jsonObject(c);
    const messageId = body.messageId === undefined || body.messageId === null
      ? undefined
      : idOf(String(body.messageId), "messageId");
    return c.json(await service.markRead(c.get("user"), channelId, messageId));
  });

  app.patch("/api/messages/:id", async (c) => {
    const messageId = idOf(c.req.param("id"), "message id");
    const body = await jsonObject(c);
    return c.json(await service.editMessage(c.get("user"), messageId, body.content));
  });
  app.delete("/api/messages/:id", async (c) => {
    const messageId = idOf(c.req.param("id"), "message id");
    return c.json(await service.deleteMessage(c.get("user"), messageId));
  });
}
