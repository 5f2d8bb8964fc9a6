// Builds the Hono application from its dependencies; does no I/O of its own.
import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { Config } from "./config.ts";
import { errorHandler, HttpError } from "./errors.ts";
import { type BasicAuthGuard, createBasicAuthGuard } from "./edge/basic_auth.ts";
import { bodyLimit } from "./edge/body.ts";
import { type ClientOptions, clientOptionsOf } from "./edge/client.ts";
import { frameHeaders } from "./edge/headers.ts";
import { sameOrigin } from "./edge/origin.ts";
import type { Logger } from "./log.ts";
import type { HealthCheck } from "./ops/health.ts";
import type { Metrics } from "./ops/metrics.ts";
import { createOps, type Ops } from "./ops/mod.ts";
import type { Hub } from "./realtime/hub.ts";
import type { PresenceFactory, PresenceMapFactory } from "./realtime/presence.ts";
import type { SseTransport } from "./realtime/sse.ts";
import type { TopicTable } from "./realtime/topics.ts";
import { createWsTransport, type WsFeature } from "./realtime/ws.ts";
import type { Sql } from "./storage/sql.ts";
import { createPasswordPool, type PasswordPool } from "./storage/password_pool.ts";
import { createAccountsFeature } from "./routes/accounts/mod.ts";
import type { SessionSockets } from "./routes/accounts/session.ts";
import type { SiteViewer } from "./routes/accounts/wire.ts";
import { createCodeFeature } from "./routes/code/mod.ts";
import type { Feature } from "./routes/feature.ts";
import { createImagesFeature } from "./routes/images/mod.ts";
import { createMediaFeature } from "./routes/media/mod.ts";
import type { BlobStore } from "./storage/blobs.ts";
import { createFileBlobs } from "./storage/blobs_files.ts";
import { createPageRenderer, createPageRoutes, type PageRenderer } from "./routes/pages.ts";
import { createWorkspacesFeature } from "./routes/workspaces/mod.ts";
import { createStreamsFeature } from "./routes/streams/mod.ts";

export interface AppDeps {
  config: Readonly<Config>;
  log: Logger;
  /** The stores' database (SQLite in DATA_DIR, or PostgreSQL with DATABASE_URL). */
  sql: Sql;
  hub: Hub;
  sse: SseTransport;
  /** The topic namespaces the hub, SSE and /ws read; each feature registers its own here. */
  topics: TopicTable;
  /** Folder of the bundled browser files (static/dist). */
  assetsDir: string;
  /** Made before the engines that count their errors in it; createApp makes one when absent. */
  metrics?: Metrics;
  /** Dependency checks besides the database's (Redis, object storage) for /healthz and /readyz. */
  checks?: HealthCheck[];
  /** Images, media and thumbnails (the caller closes it). @default files in `config.dataDir` */
  blobs?: BlobStore;
  /** Shared presence (Redis); unset: counted in this process. */
  presence?: PresenceFactory;
  /** Shared per-instance entries (Redis): viewer and watcher counts, voice peers. */
  presenceMaps?: PresenceMapFactory;
}

/** The application and what must be released when the server stops. */
export interface Roomcast {
  app: Hono;
  /** /metrics figures and /readyz checks; main.ts counts HTTP through it and drains it on stop. */
  ops: Ops;
  /** Runs every feature's start() (the stream rooms' RTMP listener), once, after createApp. */
  start(): Promise<void>;
  /** Closes WebSockets and every feature's timers; the caller closes the hub, SSE and database. */
  close(): Promise<void>;
}

/** What several features use, built once: one page shell, one client view, one Origin rule… */
interface Shared {
  page: PageRenderer;
  client: ClientOptions;
  /** Writes that a browser's cookie or Basic credentials would authorize by themselves. */
  sameOrigin: MiddlewareHandler;
  /** Every bcrypt (Basic-auth routes, accounts) runs in its threads, never on the event loop. */
  passwords: PasswordPool;
  /** The one Basic-auth guard, whose failure counts all htpasswd routes share. */
  basicAuth: BasicAuthGuard;
  close(): void;
}

function createShared(config: Readonly<Config>, viewer: SiteViewerOf): Shared {
  const page = createPageRenderer(config.basePath, {
    embeddable: { image_room: config.imageViewerFrameAncestors },
    viewer,
  });
  const client = clientOptionsOf(config);
  const passwords = createPasswordPool({
    size: config.passwordWorkers,
    maxQueue: config.passwordQueue,
  });
  const basicAuth = createBasicAuthGuard({ passwords, client });
  return {
    page,
    client,
    sameOrigin: sameOrigin({ client, allowedOrigins: config.allowedOrigins }),
    passwords,
    basicAuth,
    close() {
      basicAuth.close();
      passwords.close();
    },
  };
}

type SiteViewerOf = (c: Context) => SiteViewer | null;

/** Every feature in mount order; image rooms last, because they take any single path segment. */
function createFeatures(deps: AppDeps, shared: Shared, sockets: SessionSockets) {
  const common = { ...deps, ...shared, blobs: deps.blobs ?? createFileBlobs(deps.config.dataDir) };
  // Sign-up joins workspaces and workspaces ask who is signed in: the accounts reach the
  // workspaces only through these calls, made at sign-up, once both exist.
  const accounts = createAccountsFeature({
    ...common,
    sockets,
    workspaces: {
      get joinDefaultServer() {
        return workspaces.signup.joinDefaultServer;
      },
      inviteUsable: (code) => workspaces.signup.inviteUsable(code),
      redeemInvite: (account, code) => workspaces.signup.redeemInvite(account, code),
    },
  });
  const workspaces = createWorkspacesFeature({ ...common, auth: accounts.auth });
  // One admin sign-in: an admin account's session opens every admin page and API.
  const viewer: SiteViewerOf = (c) => accounts.auth.viewer(c);
  const admin = { ...common, viewer, isAdmin: (c: Context) => accounts.auth.isAdmin(c) };
  const streams = createStreamsFeature({ ...deps, page: shared.page, viewer });
  const features: Feature[] = [
    accounts,
    workspaces,
    createCodeFeature(common),
    streams,
    createMediaFeature(admin),
    createImagesFeature(admin),
  ];
  return {
    features,
    authenticate: accounts.authenticate,
    viewer,
    session: accounts.auth.middleware,
  };
}

/** The whole HTTP application, mounted under `config.basePath`. */
export function createApp(deps: AppDeps): Roomcast {
  const { config, log } = deps;
  // The page shell shows who is signed in; the accounts feature that knows is made after it.
  let viewer: SiteViewerOf = () => null;
  const shared = createShared(config, (c) => viewer(c));
  const closers: (() => void | Promise<void>)[] = [() => shared.close()];
  // `ws` is made once every feature has plugged in; ending a session closes sockets through it.
  const sockets: SessionSockets = {
    closeWhere: (match, code, reason) => ws.closeWhere(match, code, reason),
  };
  const built = createFeatures(deps, shared, sockets);
  const { features, authenticate } = built;
  viewer = built.viewer;

  const ops = createOps({
    ...deps,
    ws: {
      get size() {
        return ws.size;
      },
    },
    sources: features.flatMap((feature) => feature.metrics ?? []),
    metricsToken: config.metricsToken,
    readyTimeoutMs: config.readyTimeoutMs,
    ffmpegPath: config.ffmpegPath,
  });
  const app = new Hono();
  app.use("*", frameHeaders());
  app.route("/", ops.routes);
  // Who is signed in is looked up once per request, before any route reads it.
  app.use("*", built.session);
  const health = () => ({ status: "ok", service: "Media Server" });
  const pages = { basePath: config.basePath, assetsDir: deps.assetsDir, health };
  app.route("/", createPageRoutes(pages, shared.page));
  app.get("/ws", (c) => ws.upgrade(c.req.raw));
  const wsFeatures: WsFeature[] = [];
  for (const feature of features) {
    app.route("/", feature.routes);
    wsFeatures.push(...(feature.ws ?? []));
    for (const namespace of feature.topics ?? []) deps.topics.add(namespace);
    closers.push(() => feature.close());
  }
  app.notFound((c) => c.json({ error: "Not found" }, 404));
  app.onError(errorHandler(log));

  const ws = createWsTransport({
    hub: deps.hub,
    topics: deps.topics,
    log,
    features: wsFeatures,
    authenticate,
    allowedOrigins: config.allowedOrigins,
    client: shared.client,
    rate: { perSecond: config.wsMessagesPerSecond, burst: config.wsMessageBurst },
  });
  closers.push(() => ws.close());

  return {
    app: rootApp(config, log, app, ops),
    ops,
    async start() {
      for (const feature of features) await feature.start?.();
    },
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}

/** Routes `BASE_PATH` to the app; anything outside it is a JSON 404. */
function rootApp(config: Readonly<Config>, log: Logger, app: Hono, ops: Ops): Hono {
  const root = new Hono();
  // First, so every request is timed, under the route pattern that answered it.
  root.use("*", ops.metrics.middleware());
  // A backstop past every route's own limit (uploads, snippets), for any body a route forgets.
  const largestBody = Math.max(
    config.maxUploadBytes + 64 * 1024,
    config.attachmentMaxBytes + 64 * 1024,
    config.maxSnippetBytes * 2,
  );
  root.use("*", bodyLimit(largestBody + 1024 * 1024));
  const basePath = config.basePath;
  root.route(basePath === "/" ? "/" : basePath.slice(0, -1), app);
  root.notFound((c) => c.json({ error: "Not found" }, 404));
  root.onError(errorHandler(log));
  return root;
}

export { HttpError };
