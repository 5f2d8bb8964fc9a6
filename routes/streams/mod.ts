// The stream rooms feature in one piece: its routes, its /ws topics, and its RTMP listener.
import { type Context, Hono } from "hono";
import { join } from "node:path";
import type { Config } from "../../config.ts";
import type { Logger } from "../../log.ts";
import { clientOptionsOf } from "../../edge/client.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { PresenceMapFactory } from "../../realtime/presence.ts";
import type { SseTransport } from "../../realtime/sse.ts";
import type { Sql } from "../../storage/sql.ts";
import { createStreamAccessStore } from "../../storage/stream_access_store.ts";
import { createStreamChatStore } from "../../storage/stream_chat_store.ts";
import { createStreamsStore } from "../../storage/streams_store.ts";
import type { SiteViewer } from "../accounts/wire.ts";
import type { Feature } from "../feature.ts";
import type { PageRenderer } from "../pages.ts";
import type { StreamsContext } from "./context.ts";
import { keySeal } from "./key_seal.ts";
import { createStreamAccess } from "./stream_access.ts";
import { streamAccessRoutes } from "./stream_access_routes.ts";
import { type ChatLimits, createStreamChat } from "./stream_chat.ts";
import { streamChatRoutes } from "./stream_chat_routes.ts";
import { createHealthTracker } from "./stream_health.ts";
import { streamHlsRoutes } from "./stream_hls.ts";
import { streamHookRoutes } from "./stream_hooks.ts";
import { streamOriginRoutes } from "./stream_origin.ts";
import { createStreamLive } from "./stream_live.ts";
import { streamPageRoutes } from "./stream_pages.ts";
import { createRtmpIngest, ingestRooms, rtmpMetrics } from "./stream_rtmp.ts";
import { createStreamWs } from "./stream_ws.ts";
import { streamRoutes } from "./streams.ts";

export interface StreamsFeatureDeps {
  config: Readonly<Config>;
  sql: Sql;
  hub: Hub;
  sse: SseTransport;
  log: Logger;
  page: PageRenderer;
  /** Who is signed in (routes/accounts): an admin account opens the studio without the token. */
  viewer?: (c: Context) => SiteViewer | null | Promise<SiteViewer | null>;
  /** Chat rate limits; tests and benches may loosen them. */
  chatLimits?: ChatLimits;
  /** Viewer figures shared across instances (Redis); unset: this process's. */
  presenceMaps?: PresenceMapFactory;
}

export interface StreamsFeature extends Feature {
  /** Listens on RTMP_PORT (unless RTMP_ENABLED=false). */
  start(): Promise<void>;
  /** Ends live publishers and closes the RTMP listener, then the rooms' timers. */
  close(): Promise<void>;
}

export function createStreamsFeature(deps: StreamsFeatureDeps): StreamsFeature {
  const { config, log } = deps;
  const store = createStreamsStore(deps.sql);
  const chatStore = createStreamChatStore(deps.sql);
  const accessStore = createStreamAccessStore(deps.sql);
  const health = createHealthTracker();
  const { instanceUrl } = config;
  const live = createStreamLive(store, deps.hub, log, {
    health,
    instanceUrl,
    shared: deps.presenceMaps?.("streams:viewers"),
  });
  const client = clientOptionsOf(config);
  const links = { ...client, streamHost: config.streamHost };
  const access = createStreamAccess({
    store: accessStore,
    adminToken: config.serverAdminToken,
    client,
    allowedOrigins: config.allowedOrigins,
    viewer: deps.viewer,
  });
  const chat = createStreamChat({ rooms: store, chat: chatStore, live, log }, deps.chatLimits);
  const hlsDir = join(config.dataDir, "hls");
  const rooms = ingestRooms(store, live, health, log);
  const ingest = createRtmpIngest(config, { hlsDir, rooms, log });
  const ctx: StreamsContext = {
    store,
    chatStore,
    accessStore,
    access,
    chat,
    live,
    ingest,
    health,
    hub: deps.hub,
    sse: deps.sse,
    log,
    page: deps.page,
    links,
    allowedOrigins: config.allowedOrigins,
    seal: config.serverAdminToken ? keySeal(config.serverAdminToken) : null,
    hlsDir,
    transcode: config.streamTranscode,
  };

  const routes = new Hono();
  // The listener's in-memory LL-HLS output (STREAM_PACKAGER=roomcast); the rest is on disk.
  const memory = (playbackId: string) => ingest.hls(playbackId);
  const thumbnail = (playbackId: string) => ingest.thumbnail(playbackId);
  // Rooms another instance publishes are proxied to it; the rest fall through to the files here.
  if (instanceUrl) {
    routes.route("/", streamOriginRoutes({ store, canView: access.canView, instanceUrl, log }));
  }
  routes.route("/", streamHlsRoutes({ store, hlsDir, canView: access.canView, memory, thumbnail }));
  routes.route("/", streamHookRoutes({ store, live, ingest, log }));
  routes.route("/", streamRoutes(ctx));
  routes.route("/", streamChatRoutes(ctx));
  routes.route("/", streamAccessRoutes(ctx, config.serverAdminToken));
  routes.route("/", streamPageRoutes(ctx, Boolean(config.serverAdminToken)));

  const ws = createStreamWs(ctx);
  return {
    routes,
    ws: [ws.feature],
    topics: ws.topics,
    metrics: rtmpMetrics(ingest, health),
    async start() {
      await live.resetStale();
      await ingest.start();
    },
    async close() {
      await ingest.close();
      // The publishers just ended: their rooms go offline (and lose this origin) while the
      // database is still open.
      await rooms.settled();
      live.close();
      chat.close();
    },
  };
}
