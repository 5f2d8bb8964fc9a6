// Workspaces (EchoSphere) as a Feature: servers, channels, messages, voice, the /app shell and
// its /ws parts; who is signed in comes from the accounts feature.
import { Hono } from "hono";
import type { MiddlewareHandler } from "hono";
import type { Config } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { Sql } from "../../storage/sql.ts";
import { createWorkspacesStore } from "../../storage/workspaces_store.ts";
import { createMessagesStore } from "../../storage/workspace_messages_store.ts";
import { createMessageExtrasStore } from "../../storage/workspace_message_extras_store.ts";
import { createMessageExtrasRoutes } from "./msg_api.ts";
import type { SignupWorkspaces } from "../accounts/auth_actions.ts";
import type { SessionAuth } from "../accounts/session.ts";
import type { Feature } from "../feature.ts";
import type { PageRenderer } from "../pages.ts";
import { createWorkspacesApiRoutes } from "./api.ts";
import { createPresence } from "./presence.ts";
import type { PresenceFactory, PresenceMapFactory } from "../../realtime/presence.ts";
import { createVoiceRelay } from "./voice_relay.ts";
import { createWorkspaceService } from "./service.ts";
import { createVoiceApiRoutes } from "./voice_api.ts";
import { restErrors, WorkspaceError } from "./errors.ts";
import { createWorkspacesWs } from "./ws.ts";
import { createCommunityStore } from "../../storage/community_store.ts";
import { createAccountsStore } from "../../storage/accounts_store.ts";
import type { BlobStore } from "../../storage/blobs.ts";
import type { PasswordPool } from "../../storage/password_pool.ts";
import { createCommunityService } from "./community_service.ts";
import { createNav } from "./nav_mod.ts";
import { createCommunityApiRoutes } from "./community_api.ts";
import { limitPosting } from "./community_limits.ts";
import { createRemovalRelay } from "./community_relay.ts";
import { avatarUrl, createProfileRoutes } from "./community_profile.ts";
import { createAppPageRoutes } from "./app_page.ts";

export interface WorkspacesDeps {
  sql: Sql;
  hub: Pick<Hub, "publish" | "lastId" | "subscribe">;
  config: Pick<
    Config,
    | "basePath"
    | "sharedLobby"
    | "iceServers"
    | "turnUrls"
    | "turnSecret"
    | "workspacePostBurst"
    | "workspacePostsPerMinute"
    | "avatarMaxBytes"
    | "attachmentMaxBytes"
  >;
  /** Avatars and attachments (the blob store images and media use). */
  blobs: BlobStore;
  /** Password changes are hashed and compared off the event loop. */
  passwords: Pick<PasswordPool, "hash" | "compare">;
  log: Logger;
  page: PageRenderer;
  /** Who is signed in (the accounts feature). */
  auth: SessionAuth;
  /** The Origin rule for cookie-authenticated writes (edge/origin.ts). */
  sameOrigin: MiddlewareHandler;
  /** Who is online, shared across instances; unset: this process's count. */
  presence?: PresenceFactory;
  /** Voice peers shared across instances; unset: every voice channel is in this process. */
  presenceMaps?: PresenceMapFactory;
}

export interface WorkspacesFeature extends Feature {
  /** What sign-up does here: join the shared Lobby, redeem an invite. */
  signup: SignupWorkspaces;
}

/** The stores and services, and the /ws side, each handed what it uses of the others. */
function createParts(deps: WorkspacesDeps) {
  const { sql, hub, config, log } = deps;
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
  // REST and /ws post through the same service, so they share one limit per account.
  const posting = limitPosting(nav.service, {
    burst: config.workspacePostBurst,
    perMinute: config.workspacePostsPerMinute,
  });
  const service = posting.service;
  const relay = deps.presenceMaps &&
    createVoiceRelay({ hub, map: deps.presenceMaps("voice:peers") });
  const ws = createWorkspacesWs({ service, hub, presence, log, relay });
  const communityStore = createCommunityStore(sql);
  const removals = createRemovalRelay(
    hub,
    ws.sockets,
    (client, serverId) => ws.voice.leaveServer(client, serverId),
    // Shared presence comes with REDIS_URL: only then are there other instances to tell.
    deps.presenceMaps !== undefined,
  );
  const community = createCommunityService({
    workspaces,
    community: communityStore,
    hub,
    removals,
    avatarUrl: (userId, key) => avatarUrl(basePath, userId, key),
  });
  return { workspaces, presence, nav, posting, service, ws, communityStore, community, removals };
}

type Parts = ReturnType<typeof createParts>;

/** Every REST route and page of the feature, behind the one WorkspaceError translation. */
function createRoutes(deps: WorkspacesDeps, parts: Parts): Hono {
  const { sql, hub, config, auth, sameOrigin } = deps;
  const { service, ws, nav, community } = parts;
  const routes = new Hono();
  // The one place REST turns the service's WorkspaceErrors into statuses (api.ts, voice_api.ts).
  routes.onError(restErrors);
  routes.route("/", createWorkspacesApiRoutes({ auth, service, sameOrigin }));
  routes.route("/", createMessageExtrasRoutes({ auth, service, sameOrigin }));
  routes.route("/", createVoiceApiRoutes({ auth, service, voice: ws.voice, config, hub }));
  routes.route("/", nav.routes);
  routes.route("/", createCommunityApiRoutes({ auth, community, sameOrigin }));
  routes.route(
    "/",
    createProfileRoutes({
      auth,
      sameOrigin,
      accounts: createAccountsStore(sql, { passwords: deps.passwords }),
      community: parts.communityStore,
      serverIdsOf: service.serverIdsOf,
      hub,
      blobs: deps.blobs,
      basePath: config.basePath,
      maxAvatarBytes: config.avatarMaxBytes,
    }),
  );
  routes.route("/", createAppPageRoutes({ auth, page: deps.page, basePath: config.basePath }));
  return routes;
}

export function createWorkspacesFeature(deps: WorkspacesDeps): WorkspacesFeature {
  const parts = createParts(deps);
  const { workspaces, service, ws, nav } = parts;
  return {
    routes: createRoutes(deps, parts),
    ws: [...ws.features, nav.ws],
    topics: ws.topics,
    signup: {
      joinDefaultServer: deps.config.sharedLobby
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
      parts.posting.close();
      parts.removals.close();
      parts.presence.close();
    },
  };
}
