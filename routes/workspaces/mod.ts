// Workspaces (EchoSphere) as a Feature: stores, sessions, auth pages, REST, voice, the /app shell
// and its /ws parts.
import { Hono, type MiddlewareHandler } from "hono";
import type { Config } from "../../config.ts";
import type { ClientOptions } from "../../edge/client.ts";
import type { Logger } from "../../log.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { WsUser } from "../../realtime/ws.ts";
import type { Db } from "../../storage/db.ts";
import { createAccountsStore } from "../../storage/accounts_store.ts";
import type { PasswordPool } from "../../storage/password_pool.ts";
import { createSessionsStore } from "../../storage/sessions_store.ts";
import { createWorkspacesStore } from "../../storage/workspaces_store.ts";
import { createMessagesStore } from "../../storage/workspace_messages_store.ts";
import { createAuthActions } from "../accounts/auth_actions.ts";
import { authRoutes, userView } from "../accounts/auth.ts";
import type { Feature } from "../feature.ts";
import type { PageRenderer } from "../pages.ts";
import {
  closeEndedSessions,
  createSessionAuth,
  sessionAuthenticator,
  type SessionSockets,
} from "../accounts/session.ts";
import { workspacesApiRoutes } from "./api.ts";
import { createPresence } from "./presence.ts";
import { createWorkspaceService } from "./service.ts";
import { voiceApiRoutes } from "./voice_api.ts";
import { createWorkspacesWs } from "./ws.ts";

export interface WorkspacesDeps {
  db: Db;
  hub: Pick<Hub, "publish" | "lastId">;
  config: Pick<
    Config,
    | "basePath"
    | "sessionTtlDays"
    | "signup"
    | "sharedLobby"
    | "iceServers"
    | "turnUrls"
    | "turnSecret"
  >;
  log: Logger;
  page: PageRenderer;
  client: ClientOptions;
  /** The Origin rule for cookie-authenticated writes (edge/origin.ts). */
  sameOrigin: MiddlewareHandler;
  /** Where account passwords are hashed and compared. */
  passwords: Pick<PasswordPool, "hash" | "compare">;
  /** The /ws sockets, so a session that ends closes its sockets. */
  sockets: SessionSockets;
}

export interface WorkspacesFeature extends Feature {
  /** Who a /ws upgrade's session cookie belongs to. */
  authenticate(request: Request): Promise<WsUser | null>;
}

const PURGE_EVERY_MS = 60 * 60 * 1000;
// How late at most a socket notices that its session expired (one indexed lookup per session).
const SOCKET_SWEEP_MS = 10_000;

export function createWorkspacesFeature(deps: WorkspacesDeps): WorkspacesFeature {
  const { db, hub, config, log, page } = deps;
  const basePath = config.basePath;
  const accounts = createAccountsStore(db, { passwords: deps.passwords });
  const sessions = createSessionsStore(db, { ttlDays: config.sessionTtlDays });
  const workspaces = createWorkspacesStore(db);
  const messages = createMessagesStore(db);
  const presence = createPresence();
  const auth = createSessionAuth({
    sessions,
    accounts,
    basePath,
    client: deps.client,
    sockets: deps.sockets,
  });
  const service = createWorkspaceService({ workspaces, messages, hub, presence, basePath });
  const actions = createAuthActions({
    accounts,
    signupMode: config.signup,
    workspaces: {
      joinDefaultServer: config.sharedLobby
        ? (userId) => workspaces.joinDefaultServer(userId)
        : null,
      inviteUsable: (code) => service.inviteUsable(code),
      redeemInvite: (account, code) => void service.redeemInvite(account, code),
    },
  });
  const ws = createWorkspacesWs({ service, hub, presence, log });
  const purge = setInterval(() => {
    const removed = sessions.purgeExpired();
    if (removed) log.debug("Purged expired sessions", { removed });
  }, PURGE_EVERY_MS);
  sessions.purgeExpired();
  const sweep = setInterval(() => {
    const closed = closeEndedSessions(sessions, deps.sockets);
    if (closed) log.debug("Closed sockets of ended sessions", { closed });
  }, SOCKET_SWEEP_MS);

  const routes = new Hono();
  routes.route("/", authRoutes({ actions, auth, basePath, sameOrigin: deps.sameOrigin }));
  routes.route("/", workspacesApiRoutes({ auth, service, sameOrigin: deps.sameOrigin }));
  routes.route("/", voiceApiRoutes({ auth, service, voice: ws.voice, config, hub }));

  routes.get("/app", (c) => {
    const user = auth.user(c);
    if (!user) return c.redirect(`${basePath}login`, 303);
    return page(c, {
      title: "Workspaces · Roomcast",
      entry: "app_shell",
      styles: ["workspace.css", "workspace_voice.css"],
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
    ws: ws.features,
    topics: ws.topics,
    authenticate: sessionAuthenticator(sessions, accounts),
    close() {
      clearInterval(purge);
      clearInterval(sweep);
      ws.close();
      actions.close();
      presence.close();
    },
  };
}
