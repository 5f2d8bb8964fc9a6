// Image rooms (imgcast) as a Feature: their store, upload/viewer routes and the `image:` topics.
import type { MiddlewareHandler } from "hono";
import type { Config } from "../../config.ts";
import type { BasicAuthGuard } from "../../edge/basic_auth.ts";
import type { Logger } from "../../log.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { SseTransport } from "../../realtime/sse.ts";
import type { Db } from "../../storage/db.ts";
import { createImagesStore } from "../../storage/images_store.ts";
import type { Feature } from "../feature.ts";
import type { PageRenderer } from "../pages.ts";
import { createImageRoutes, imageNamespace } from "./images.ts";

export interface ImagesFeatureDeps {
  db: Db;
  hub: Pick<Hub, "publish">;
  sse: SseTransport;
  log: Logger;
  config: Pick<Config, "basePath" | "dataDir" | "imageHistory" | "maxUploadBytes">;
  page: PageRenderer;
  /** The Basic-auth guard every htpasswd route shares (its failure buckets). */
  basicAuth: BasicAuthGuard;
  /** The Origin rule (edge/origin.ts): browsers answer the Basic challenge for any site's form. */
  sameOrigin: MiddlewareHandler;
}

/** Image rooms take any single path segment, so they are mounted after every other feature. */
export function createImagesFeature(deps: ImagesFeatureDeps): Feature {
  const { config } = deps;
  const rooms = createImagesStore(deps.db, { dataDir: config.dataDir, keep: config.imageHistory });
  const routes = createImageRoutes({
    rooms,
    basicAuth: deps.basicAuth,
    hub: deps.hub,
    sse: deps.sse,
    log: deps.log,
    maxUploadBytes: config.maxUploadBytes,
    imageHistory: config.imageHistory,
    page: deps.page,
    sameOrigin: deps.sameOrigin,
  }, config.basePath);
  // Nothing to release: the store holds prepared statements of the database main.ts closes.
  return { routes, topics: [imageNamespace(rooms)], close() {} };
}
