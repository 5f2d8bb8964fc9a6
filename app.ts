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

export interface AppDeps {
  config: Readonly<Config>;
  log: Logger;
  db: Db;
  hub: Hub;
  sse: SseTransport;
  /** Folder of the bundled browser files (static/dist). */
  assetsDir: string;
}

/** The whole HTTP application, mounted under `config.basePath`. */
export function createApp(deps: AppDeps): Hono {
  const { config, log } = deps;
  const basePath = config.basePath;
  const page = pageRenderer(basePath);
  const rooms = createRoomsStore(deps.db, { dataDir: config.dataDir, keep: config.imageHistory });

  const app = new Hono();
  app.route(
    "/",
    pageRoutes({
      basePath,
      assetsDir: deps.assetsDir,
      health: () => ({ status: "ok", service: "Media Server" }),
    }, page),
  );
  app.route("/", mediaApp({ config, db: deps.db, log, page }));
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

  const root = new Hono();
  root.route(basePath === "/" ? "/" : basePath.slice(0, -1), app);
  root.notFound((c) => c.json({ error: "Not found" }, 404));
  root.onError(errorHandler(log));
  return root;
}

export { HttpError };
