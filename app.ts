// Builds the Hono application from its dependencies; does no I/O of its own.
import { Hono } from "hono";
import type { Config } from "./config.ts";
import { errorHandler, HttpError } from "./errors.ts";
import type { Logger } from "./log.ts";
import type { Hub } from "./realtime/hub.ts";
import type { SseTransport } from "./realtime/sse.ts";
import type { Db } from "./storage/db.ts";
import { createRoomsStore } from "./storage/rooms_store.ts";
import { imageRoutes } from "./routes/images.ts";
import { mediaApp } from "./routes/media_setup.ts";
import { pageRenderer, pageRoutes } from "./routes/pages.ts";
import { createWsTransport, type WsFeature } from "./realtime/ws.ts";
import { createWorkspaces } from "./routes/workspaces.ts";
import { createCodeStore } from "./storage/code_store.ts";
import { codeRoutes } from "./routes/code.ts";
import { createCodeLive } from "./routes/code_live.ts";
import { codePageRoutes } from "./routes/code_pages.ts";
import { newSessionCode } from "./routes/code_secrets.ts";
import { codeWsFeature } from "./routes/code_ws.ts";
import { createStreamsFeature, type StreamsFeature } from "./routes/streams/mod.ts";

export interface AppDeps {
  config: Readonly<Config>;
  log: Logger;
  db: Db;
  hub: Hub;
  sse: SseTransport;
  /** Folder of the bundled browser files (static/dist). */
  assetsDir: string;
}

/** The application and what must be released when the server stops. */
export interface Roomcast {
  app: Hono;
  /** Stream rooms, for main.ts to hand their keys and events to the RTMP listener. */
  streams: StreamsFeature;
  /** Closes WebSockets and every feature's timers; the caller closes the hub, SSE and database. */
  close(): Promise<void>;
}

/** The whole HTTP application, mounted under `config.basePath`. */
export function createApp(deps: AppDeps): Roomcast {
  const { config, log } = deps;
  const basePath = config.basePath;
  const page = pageRenderer(basePath);
  const rooms = createRoomsStore(deps.db, { dataDir: config.dataDir, keep: config.imageHistory });
  const closers: (() => void | Promise<void>)[] = [];
  const codeStore = createCodeStore(deps.db, { newCode: newSessionCode });
  const codeLive = createCodeLive({
    store: codeStore,
    hub: deps.hub,
    log,
    ttlMs: config.codeSessionTtlHours * 3600_000,
  });
  closers.push(() => codeLive.close());
  const streams = createStreamsFeature({ ...deps, page });
  closers.push(() => streams.close());
  // Each feature adds its WsFeature here; /ws dispatches message types and guards topic prefixes.
  const wsFeatures: WsFeature[] = [
    // Image rooms are public to view, as in imgcast.
    { types: [], topicPrefix: "image:", authorize: () => true, handle: () => {} },
    codeWsFeature(codeStore),
    ...streams.ws ?? [],
  ];
  const workspaces = createWorkspaces({ db: deps.db, hub: deps.hub, config, log, page });
  wsFeatures.push(...workspaces.wsFeatures);
  closers.push(() => workspaces.close());
  // Who a socket's cookie belongs to: the workspace session.
  const authenticate = workspaces.authenticate;

  const app = new Hono();
  app.route(
    "/",
    pageRoutes({
      basePath,
      assetsDir: deps.assetsDir,
      health: () => ({ status: "ok", service: "Media Server" }),
    }, page),
  );
  app.get("/ws", (c) => ws.upgrade(c.req.raw));
  app.route("/", workspaces.routes);
  app.route(
    "/",
    codeRoutes({
      store: codeStore,
      live: codeLive,
      hub: deps.hub,
      sse: deps.sse,
      log,
      maxSnippetBytes: config.maxSnippetBytes,
    }),
  );
  app.route("/", codePageRoutes({ store: codeStore }, page));
  app.route("/", streams.routes);
  const media = mediaApp({ config, db: deps.db, log, page });
  closers.push(() => media.close());
  app.route("/", media.routes);
  // Image rooms take any single path segment, so they are mounted last.
  app.route(
    "/",
    imageRoutes({
      rooms,
      hub: deps.hub,
      sse: deps.sse,
      log,
      maxUploadBytes: config.maxUploadBytes,
      imageHistory: config.imageHistory,
      page,
    }, basePath),
  );
  app.notFound((c) => c.json({ error: "Not found" }, 404));
  app.onError(errorHandler(log));

  const ws = createWsTransport({
    hub: deps.hub,
    log,
    features: wsFeatures,
    authenticate: (request) => authenticate(request),
    allowedOrigins: config.allowedOrigins,
    trustProxy: config.trustProxy,
  });
  closers.push(() => ws.close());

  const root = new Hono();
  root.route(basePath === "/" ? "/" : basePath.slice(0, -1), app);
  root.notFound((c) => c.json({ error: "Not found" }, 404));
  root.onError(errorHandler(log));
  return {
    app: root,
    streams,
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}

export { HttpError };
