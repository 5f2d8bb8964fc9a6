// The stream rooms feature in one piece: its routes, its /ws topics, and its side of the RTMP listener.
import { Hono } from "hono";
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Hub } from "../realtime/hub.ts";
import type { SseTransport } from "../realtime/sse.ts";
import type { WsFeature } from "../realtime/ws.ts";
import type { Db } from "../storage/db.ts";
import { createStreamsStore, type StreamsStore } from "../storage/streams_store.ts";
import type { PageRenderer } from "./pages.ts";
import { streamHlsRoutes } from "./stream_hls.ts";
import { streamHookRoutes } from "./stream_hooks.ts";
import { createStreamLive, type StreamIngest } from "./stream_live.ts";
import { streamRoutes } from "./streams.ts";

export interface StreamRoomsDeps {
  config: Readonly<Config>;
  db: Db;
  hub: Hub;
  sse: SseTransport;
  log: Logger;
  page: PageRenderer;
}

/** What the RTMP listener asks of the rooms (the shape of rtmp/listener.ts's options). */
export interface StreamKeysAndEvents {
  keys: { lookup(key: string): Promise<{ slug: string; playbackId: string } | null> };
  events: {
    onLive(slug: string, playbackId: string): void;
    onOffline(slug: string, playbackId: string): void;
  };
}

export interface StreamRooms extends StreamKeysAndEvents {
  routes: Hono;
  ws: WsFeature;
  store: StreamsStore;
  /** `<DATA_DIR>/hls`: where the listener writes and `/hls/` reads. */
  hlsDir: string;
  /** Hands the running RTMP listener to the rooms, so rotate/delete can drop its publishers. */
  attachIngest(ingest: StreamIngest): void;
  close(): void;
}

export function createStreamRooms(deps: StreamRoomsDeps): StreamRooms {
  const { config, log } = deps;
  const store = createStreamsStore(deps.db);
  const live = createStreamLive(store, deps.hub, log);
  const hlsDir = join(config.dataDir, "hls");

  const routes = new Hono();
  routes.route("/", streamHlsRoutes({ store, hlsDir }));
  routes.route("/", streamHookRoutes({ store, live, log }));
  routes.route(
    "/",
    streamRoutes({
      store,
      live,
      hub: deps.hub,
      sse: deps.sse,
      log,
      page: deps.page,
      links: {
        basePath: config.basePath,
        publicUrl: config.publicUrl,
        streamHost: config.streamHost,
        trustProxy: config.trustProxy,
      },
      adminToken: config.serverAdminToken,
      // RTMP_PORT=0 means "any free port" for our listener; others (nginx-rtmp) use 1935.
      rtmpPort: config.rtmpPort || 1935,
      hlsDir,
    }),
  );

  const slugOf = (topic: string) => topic.slice("stream:".length);
  const ws: WsFeature = {
    types: [],
    topicPrefix: "stream:",
    // Stream rooms are public to watch; private rooms with join tokens come with room chat.
    authorize(_client, topic) {
      const slug = slugOf(topic);
      if (!store.get(slug)) return false;
      live.touch(slug);
      return true;
    },
    handle() {},
    onClose() {
      // The socket's topics are not known here; recount every room it may have watched.
      for (const room of store.list()) live.touch(room.slug);
    },
  };

  return {
    routes,
    ws,
    store,
    hlsDir,
    keys: {
      lookup(key) {
        const room = store.byKey(key.split("?")[0]);
        return Promise.resolve(room && { slug: room.slug, playbackId: room.playbackId });
      },
    },
    events: {
      onLive: (slug) => void live.setLive(slug, "rtmp"),
      onOffline(slug) {
        // A room made live by the hooks is not ours to end; a deleted room has nothing to end.
        if (store.get(slug)?.liveSource === "rtmp") live.setLive(slug, null);
      },
    },
    attachIngest: (ingest) => live.attachIngest(ingest),
    close: () => live.close(),
  };
}
