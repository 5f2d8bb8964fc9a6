// Code sessions (CodeCast) as a Feature: the API, the participant and presenter pages, the `code:`
// topics, live typing, watcher counts and the timer that ends idle sessions.
import { Hono } from "hono";
import type { Config } from "../../config.ts";
import type { ClientOptions } from "../../edge/client.ts";
import type { Logger } from "../../log.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { PresenceMapFactory } from "../../realtime/presence.ts";
import type { SseTransport } from "../../realtime/sse.ts";
import { createCodeStore } from "../../storage/code_store.ts";
import type { Sql } from "../../storage/sql.ts";
import type { Feature } from "../feature.ts";
import type { PageRenderer } from "../pages.ts";
import { createCodeRoutes } from "./code.ts";
import { createCodeFileRoutes } from "./code_files.ts";
import { createCodeWatchers } from "./code_watchers.ts";
import { codeNamespace, codeSocketWatch, createCodeLive } from "./code_live.ts";
import { createCodePageRoutes } from "./code_pages.ts";
import { newSessionCode } from "./code_secrets.ts";

export interface CodeFeatureDeps {
  sql: Sql;
  hub: Pick<Hub, "publish" | "dropTopic" | "subscriberCount">;
  sse: SseTransport;
  log: Logger;
  config: Pick<Config, "codeSessionTtlHours" | "maxSnippetBytes" | "codeSessionsPerHour">;
  page: PageRenderer;
  client: ClientOptions;
  /** Watcher counts shared across instances (Redis); unset: this process's. */
  presenceMaps?: PresenceMapFactory;
}

export function createCodeFeature(deps: CodeFeatureDeps): Feature {
  const { config, log } = deps;
  const store = createCodeStore(deps.sql, { newCode: newSessionCode });
  const watchers = createCodeWatchers({
    hub: deps.hub,
    shared: deps.presenceMaps?.("code:watchers"),
  });
  const live = createCodeLive({
    store,
    hub: deps.hub,
    watchers,
    log,
    ttlMs: config.codeSessionTtlHours * 3600_000,
  });
  const routes = new Hono();
  routes.route(
    "/",
    createCodeRoutes({
      store,
      live,
      watchers,
      hub: deps.hub,
      sse: deps.sse,
      log,
      maxSnippetBytes: config.maxSnippetBytes,
      sessionsPerHour: config.codeSessionsPerHour,
      client: deps.client,
    }),
  );
  routes.route("/", createCodeFileRoutes({ store, hub: deps.hub, watchers }));
  routes.route("/", createCodePageRoutes({ store }, deps.page));
  return {
    routes,
    topics: [codeNamespace(store, watchers)],
    ws: [codeSocketWatch(watchers)],
    // The idle-session timer, the topics still waiting to be dropped, pending watcher counts.
    close: () => {
      live.close();
      watchers.close();
    },
  };
}
