// Workspaces (EchoSphere) as a Feature: servers, channels, messages, voice, the /app shell and
// its /ws parts; who is signed in comes from the accounts feature.
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import type { Config } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { Sql } from "../../storage/sql.ts";
import { createWorkspacesStore } from "../../storage/workspaces_store.ts";
import { createMessagesStore } from "../../storage/workspace_messages_store.ts";
import { createMessageExtrasStore } from "../../storage/workspace_message_extras_store.ts";
import { createMessageExtrasRoutes } from "./msg_api.ts";
import type { SignupWorkspaces } from "../accounts/auth_actions.ts";
import { userView } from "../accounts/auth.ts";
import type { SessionAuth } from "../accounts/session.ts";
import type { Feature } from "../feature.ts";
import type { PageRenderer } from "../pages.ts";
import { createWorkspacesApiRoutes } from "./api.ts";
import { createPresence } from "./presence.ts";
import type { PresenceFactory } from "../../realtime/presence.ts";
import { createWorkspaceService } from "./service.ts";
import { createVoiceApiRoutes } from "./voice_api.ts";
import { restErrors, WorkspaceError } from "./errors.ts";
import type { WorkspacePageData } from "./wire.ts";
import { createWorkspacesWs } from "./ws.ts";
import type { BlobStore } from "../../storage/blobs.ts";
import { createNav } from "./nav_mod.ts";

export interface WorkspacesDeps {
  sql: Sql;
  hub: Pick<Hub, "publish" | "lastId">;
  config: Pick<
    Config,
    "basePath" | "sharedLobby" | "iceServers" | "turnUrls" | "turnSecret" | "attachmentMaxBytes"
  >;
  /** Where attachments are kept (the blob store images and media use). */
  blobs: BlobStore;
  log: Logger;
  page: PageRenderer;
  /** Who is signed in (the accounts feature). */
  auth: SessionAuth;
  /** The Origin rule for cookie-authenticated writes (edge/origin.ts). */
  sameOrigin: MiddlewareHandler;
  /** Who is online, shared across instances; unset: this process's count. */
  presence?: PresenceFactory;
}

export interface WorkspacesFeature extends Feature {
  /** What sign-up does here: join the shared Lobby, redeem an invite. */
  signup: SignupWorkspaces;
}

export function createWorkspacesFeature(deps: WorkspacesDeps): WorkspacesFeature {
  const { sql, hub, config, log, page, auth } = deps;
  const basePath = config.basePath;
  const workspaces = createWorkspacesStore(sql);
  const messages = createMessagesStore(sql);
  const presence = createPresence(deps.presence?.("workspaces:online"));
  const extras = createMessageExtrasStore(sql);
  const core = createWorkspaceService({
    workspaces,
    messages,
    extras,
    sql,
    hub,
    presence,
    basePath,
  });
  // Search and attachments; its `service` is the core one whose history carries the files.
  const nav = createNav({ ...deps, messages, service: core });
  const service = nav.service;
  const ws = createWorkspacesWs({ service, hub, presence, log });

  const routes = new Hono();
  // The one place REST turns the service's WorkspaceErrors into statuses (api.ts, voice_api.ts).
  routes.onError(restErrors);
  routes.route("/", createWorkspacesApiRoutes({ auth, service, sameOrigin: deps.sameOrigin }));
  routes.route("/", createMessageExtrasRoutes({ auth, service, sameOrigin: deps.sameOrigin }));
  routes.route("/", createVoiceApiRoutes({ auth, service, voice: ws.voice, config, hub }));
  routes.route("/", nav.routes);

  // /app/<server>/<channel> is the same page; it opens the channel the address names.
  routes.get("/app/:server{[0-9]{1,15}}/:channel{[0-9]{1,15}}?", (c) => appPage(c));
  routes.get("/app", (c) => appPage(c));
  const appPage = (c: Context) => {
    const user = auth.user(c);
    if (!user) return c.redirect(`${basePath}login`, 303);
    return page(c, {
      title: "Workspaces · Roomcast",
      entry: "workspace",
      styles: [
        "workspace.css",
        "workspace_voice.css",
        "workspace_nav.css",
        "workspace_msg.css",
        "workspace_unread.css",
        "code_theme.css",
      ],
      data: { user: userView(user) } satisfies WorkspacePageData,
    });
  };

  // An invite link: sign in first if needed, then the app offers to join.
  routes.get("/invite/:code{[A-Za-z0-9]{1,32}}", (c) => {
    const target = `${basePath}app?invite=${c.req.param("code")}`;
    if (auth.user(c)) return c.redirect(target, 303);
    return c.redirect(`${basePath}login?next=${encodeURIComponent(target)}`, 303);
  });

  return {
    routes,
    ws: [...ws.features, nav.ws],
    topics: ws.topics,
    signup: {
      joinDefaultServer: config.sharedLobby
        ? (userId) => workspaces.joinDefaultServer(userId)
        : null,
      inviteUsable: (code) => service.inviteUsable(code),
      // Sign-up speaks HTTP errors: a refused invite reaches it as one.
      async redeemInvite(account, code) {
        try {
          await service.redeemInvite(account, code);
        } catch (error) {
          throw error instanceof WorkspaceError ? error.toHttp() : error;
        }
      },
    },
    close() {
      ws.close();
      nav.close();
      presence.close();
    },
  };
}
