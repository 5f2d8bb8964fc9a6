// Search, message context and attachments assembled for the workspaces feature: stores, service,
// routes, /ws handlers, and the sweep that removes files whose message is gone.
import type { MiddlewareHandler } from "hono";
import type { Config } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { WsFeature } from "../../realtime/ws.ts";
import type { BlobStore } from "../../storage/blobs.ts";
import type { Sql } from "../../storage/sql.ts";
import { createAttachmentsStore } from "../../storage/workspace_attachments_store.ts";
import type { MessagesStore } from "../../storage/workspace_messages_store.ts";
import { createSearchStore } from "../../storage/workspace_search_store.ts";
import type { SessionAuth } from "../accounts/session.ts";
import { createNavApiRoutes, type NavApp } from "./nav_api.ts";
import { createNavService } from "./nav_service.ts";
import { createNavWs } from "./nav_ws.ts";
import type { WorkspaceService } from "./service.ts";

export interface NavDeps {
  sql: Sql;
  blobs: BlobStore;
  hub: Pick<Hub, "publish">;
  config: Pick<Config, "basePath" | "attachmentMaxBytes">;
  log: Logger;
  auth: SessionAuth;
  sameOrigin: MiddlewareHandler;
  messages: MessagesStore;
  service: WorkspaceService;
}

// A file is swept once no row names it for this long: longer than any upload takes to commit.
const SWEEP_GRACE_MS = 60 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 60 * 1000;

export function createNav(deps: NavDeps): {
  service: WorkspaceService;
  routes: NavApp;
  ws: WsFeature;
  close(): void;
} {
  const { sql, blobs, hub, config, log, messages } = deps;
  const attachments = createAttachmentsStore(sql, blobs);
  const nav = createNavService({
    sql,
    service: deps.service,
    messages,
    attachments,
    search: createSearchStore(sql),
    hub,
    basePath: config.basePath,
  });
  // Deleting a message, channel or server (on any path) cascades to its rows; the files follow.
  const sweep = () =>
    attachments.sweep(SWEEP_GRACE_MS).catch((error) =>
      log.error("Cannot sweep workspace attachments", { error: String(error) })
    );
  const timer = setInterval(sweep, SWEEP_EVERY_MS);
  const core = deps.service;
  return {
    service: {
      ...core,
      history: async (...args) => await nav.withFiles(await core.history(...args)),
      bootstrap: async (...args) => {
        const boot = await core.bootstrap(...args);
        return { ...boot, messages: await nav.withFiles(boot.messages) };
      },
    },
    routes: createNavApiRoutes({
      auth: deps.auth,
      service: core,
      nav,
      attachments,
      blobs,
      maxBytes: config.attachmentMaxBytes,
      sameOrigin: deps.sameOrigin,
    }),
    ws: createNavWs(nav),
    close: () => clearInterval(timer),
  };
}
