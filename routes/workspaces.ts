// Workspaces (EchoSphere), wired: stores, sessions, auth pages, REST, the /app shell and /ws parts.
import { Hono } from "hono";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Hub } from "../realtime/hub.ts";
import type { TopicNamespace } from "../realtime/topics.ts";
import type { WsFeature, WsUser } from "../realtime/ws.ts";
import type { Db } from "../storage/db.ts";
import { createAccountsStore } from "../storage/accounts_store.ts";
import { createSessionsStore } from "../storage/sessions_store.ts";
import { createWorkspacesStore } from "../storage/workspaces_store.ts";
import { createMessagesStore } from "../storage/workspace_messages_store.ts";
import { createAuthActions } from "./auth_actions.ts";
import { authRoutes, userView } from "./auth.ts";
import type { PageRenderer } from "./pages.ts";
import { createSessionAuth, sessionAuthenticator } from "./session.ts";
import { workspacesApiRoutes } from "./workspaces_api.ts";
import { createPresence } from "./workspaces_presence.ts";
import { createWorkspaceService } from "./workspaces_service.ts";
import { createWorkspacesWs } from "./workspaces_ws.ts";

export interface WorkspacesDeps {
  db: Db;
  hub: Pick<Hub, "publish" | "lastId">;
  config: Pick<Config, "basePath" | "sessionTtlDays" | "trustProxy" | "allowedOrigins">;
  log: Logger;
  page: PageRenderer;
}

export interface Workspaces {
  routes: Hono;
  wsFeatures: WsFeature[];
  topics: TopicNamespace[];
  /** Who a /ws upgrade's session cookie belongs to. */
  authenticate(request: Request): Promise<WsUser | null>;
  close(): void;
}

const PURGE_EVERY_MS = 60 * 60 * 1000;

export function createWorkspaces(deps: WorkspacesDeps): Workspaces {
  const { db, hub, config, log, page } = deps;
  const basePath = config.basePath;
  const accounts = createAccountsStore(db);
  const sessions = createSessionsStore(db, { ttlDays: config.sessionTtlDays });
  const workspaces = createWorkspacesStore(db);
  const messages = createMessagesStore(db);
  const presence = createPresence();
  const auth = createSessionAuth({
    sessions,
    accounts,
    basePath,
    trustProxy: config.trustProxy,
    allowedOrigins: config.allowedOrigins,
  });
  const actions = createAuthActions({
    accounts,
    joinDefaultServer: (userId) => workspaces.joinDefaultServer(userId),
  });
  const service = createWorkspaceService({ workspaces, messages, hub, presence, basePath });
  const ws = createWorkspacesWs({ service, hub, presence, log });
  const purge = setInterval(() => {
    const removed = sessions.purgeExpired();
    if (removed) log.debug("Purged expired sessions", { removed });
  }, PURGE_EVERY_MS);
  sessions.purgeExpired();

  const routes = new Hono();
  routes.route("/", authRoutes({ actions, auth, basePath }));
  routes.route("/", workspacesApiRoutes({ auth, service }));

  routes.get("/app", (c) => {
    const user = auth.user(c);
    if (!user) return c.redirect(`${basePath}login`, 303);
    return page(c, {
      title: "Workspaces · Roomcast",
      entry: "app_shell",
      styles: ["workspace.css"],
      data: { user: userView(user) },
    });
  });

  // An invite link: sign in first if needed, then the app offers to join.
  routes.get("/invite/:code{[A-Za-z0-9]{1,32}}", (c) => {
    const target = `${basePath}app?invite=${c.req.param("code")}`;
    if (auth.user(c)) return c.redirect(target, 303);
    return c.redirect(`${basePath}login?next=${encodeURIComponent(target)}`, 303);
  });

  return {
    routes,
    wsFeatures: ws.features,
    topics: ws.topics,
    authenticate: sessionAuthenticator(sessions, accounts),
    close() {
      clearInterval(purge);
      ws.close();
      actions.close();
      presence.close();
    },
  };
}
