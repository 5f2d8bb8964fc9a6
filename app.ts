// Builds the Hono application from its dependencies; does no I/O of its own.
import { Hono } from "hono";
import type { Config } from "./config.ts";
import { errorHandler, HttpError } from "./errors.ts";
import { bodyLimit } from "./edge/body.ts";
import { clientIp, type ClientOptions, clientOptionsOf } from "./edge/client.ts";
import { frameHeaders } from "./edge/headers.ts";
import { sameOrigin } from "./edge/origin.ts";
import type { Logger } from "./log.ts";
import type { Hub } from "./realtime/hub.ts";
import type { SseTransport } from "./realtime/sse.ts";
import type { TopicTable } from "./realtime/topics.ts";
import type { Db } from "./storage/db.ts";
import { createRoomsStore } from "./storage/rooms_store.ts";
import { imageNamespace, imageRoutes } from "./routes/images.ts";
import { mediaApp } from "./routes/media_setup.ts";
import { pageRenderer, pageRoutes } from "./routes/pages.ts";
import { createWsTransport, type WsFeature } from "./realtime/ws.ts";
import { createWorkspacesFeature } from "./routes/workspaces/mod.ts";
import { createCodeStore } from "./storage/code_store.ts";
import { codeRoutes } from "./routes/code.ts";
import { codeNamespace, createCodeLive } from "./routes/code_live.ts";
import { codePageRoutes } from "./routes/code_pages.ts";
import { newSessionCode } from "./routes/code_secrets.ts";
import { createStreamsFeature } from "./routes/streams/mod.ts";
import { createPasswordPool } from "./storage/password_pool.ts";
import { createBasicAuthGuard } from "./routes/basic_auth.ts";

export interface AppDeps {
  config: Readonly<Config>;
  log: Logger;
  db: Db;
  hub: Hub;
  sse: SseTransport;
  /** The topic namespaces the hub, SSE and /ws read; each feature registers its own here. */
  topics: TopicTable;
  /** Folder of the bundled browser files (static/dist). */
  assetsDir: string;
}

/** The application and what must be released when the server stops. */
export interface Roomcast {
  app: Hono;
  /** Runs every feature's start() (the stream rooms' RTMP listener), once, after createApp. */
  start(): Promise<void>;
  /** Closes WebSockets and every feature's timers; the caller closes the hub, SSE and database. */
  close(): Promise<void>;
}

/**
 * The password pool every bcrypt runs in (Basic-auth routes, workspace accounts), never on the
 * event loop, and the one Basic-auth guard whose failure counts all Basic routes share.
 */
function passwordChecks(
  config: Readonly<Config>,
  client: ClientOptions,
  closers: (() => void)[],
) {
  const passwords = createPasswordPool({
    size: config.passwordWorkers,
    maxQueue: config.passwordQueue,
  });
  const basicAuth = createBasicAuthGuard({
    passwords,
    clientIp: (c) => clientIp(c, client),
  });
  closers.push(() => passwords.close(), () => basicAuth.close());
  return { passwords, basicAuth };
}

/** The whole HTTP application, mounted under `config.basePath`. */
export function createApp(deps: AppDeps): Roomcast {
  const { config, log } = deps;
  const basePath = config.basePath;
  const page = pageRenderer(basePath, {
    embeddable: { image_room: config.imageViewerFrameAncestors },
  });
  const client = clientOptionsOf(config);
  // Writes that a browser's cookie or Basic credentials would authorize by themselves.
  const writes = sameOrigin({ client, allowedOrigins: config.allowedOrigins });
  const rooms = createRoomsStore(deps.db, { dataDir: config.dataDir, keep: config.imageHistory });
  const closers: (() => void | Promise<void>)[] = [];
  const { passwords, basicAuth } = passwordChecks(config, client, closers);
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
  // Each feature adds its WsFeature here (message types, close hooks) and its topic namespaces.
  const wsFeatures: WsFeature[] = [...(streams.ws ?? [])];
  const workspaces = createWorkspacesFeature({
    db: deps.db,
    hub: deps.hub,
    config,
    log,
    page,
    client,
    sameOrigin: writes,
    passwords,
    // `ws` is made below; ending a session closes its sockets through it.
    sockets: { closeWhere: (match, code, reason) => ws.closeWhere(match, code, reason) },
  });
  wsFeatures.push(...(workspaces.ws ?? []));
  const namespaces = [
    imageNamespace(rooms),
    codeNamespace(codeStore),
    ...(streams.topics ?? []),
    ...(workspaces.topics ?? []),
  ];
  for (const namespace of namespaces) deps.topics.add(namespace);
  closers.push(() => workspaces.close());
  // Who a socket's cookie belongs to: the workspace session.
  const authenticate = workspaces.authenticate;

  const app = new Hono();
  app.use("*", frameHeaders());
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
      sessionsPerHour: config.codeSessionsPerHour,
      clientIp: (c) => clientIp(c, client),
    }),
  );
  app.route("/", codePageRoutes({ store: codeStore }, page));
  app.route("/", streams.routes);
  const media = mediaApp({ config, db: deps.db, log, page, basicAuth });
  closers.push(() => media.close());
  app.route("/", media.routes);
  // Image rooms take any single path segment, so they are mounted last.
  app.route(
    "/",
    imageRoutes({
      rooms,
      basicAuth,
      hub: deps.hub,
      sse: deps.sse,
      log,
      maxUploadBytes: config.maxUploadBytes,
      imageHistory: config.imageHistory,
      page,
      sameOrigin: writes,
    }, basePath),
  );
  app.notFound((c) => c.json({ error: "Not found" }, 404));
  app.onError(errorHandler(log));

  const ws = createWsTransport({
    hub: deps.hub,
    topics: deps.topics,
    log,
    features: wsFeatures,
    authenticate: (request) => authenticate(request),
    allowedOrigins: config.allowedOrigins,
    client,
  });
  closers.push(() => ws.close());

  const root = new Hono();
  // A backstop past every route's own limit (uploads, snippets), for any body a route forgets.
  const largestBody = Math.max(config.maxUploadBytes + 64 * 1024, config.maxSnippetBytes * 2);
  root.use("*", bodyLimit(largestBody + 1024 * 1024));
  root.route(basePath === "/" ? "/" : basePath.slice(0, -1), app);
  root.notFound((c) => c.json({ error: "Not found" }, 404));
  root.onError(errorHandler(log));
  return {
    app: root,
    start: async () => await streams.start(),
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}

export { HttpError };
