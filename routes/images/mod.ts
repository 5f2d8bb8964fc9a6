// Image rooms (imgcast) as a Feature: their store, upload/viewer/admin routes and the `image:` topics.
import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { Config } from "../../config.ts";
import type { BasicAuthGuard } from "../../edge/basic_auth.ts";
import type { Logger } from "../../log.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { SseTransport } from "../../realtime/sse.ts";
import type { BlobStore } from "../../storage/blobs.ts";
import { createImagesStore, removeStagedUploads } from "../../storage/images_store.ts";
import { createUploadersFile } from "../../storage/images_uploaders.ts";
import type { PasswordPool } from "../../storage/password_pool.ts";
import type { Sql } from "../../storage/sql.ts";
import { createThumbnailer } from "../../storage/thumbnails.ts";
import type { Feature } from "../feature.ts";
import type { PageRenderer } from "../pages.ts";
import { createImageRoutes, imageNamespace } from "./images.ts";
import { createImagesAdminRoutes } from "./images_admin.ts";
import { createImageThumbs } from "./image_view.ts";

export interface ImagesFeatureDeps {
  sql: Sql;
  /** Where images and their thumbnails are kept (files in DATA_DIR, or S3). */
  blobs: BlobStore;
  hub: Pick<Hub, "publish">;
  sse: SseTransport;
  log: Logger;
  config: Pick<
    Config,
    "basePath" | "dataDir" | "imageHistory" | "maxUploadBytes" | "ffmpegPath"
  >;
  page: PageRenderer;
  /** The Basic-auth guard every htpasswd route shares (its failure buckets). */
  basicAuth: BasicAuthGuard;
  /** bcrypt for uploaders added from the rooms page. */
  passwords: Pick<PasswordPool, "hash">;
  /** The Origin rule (edge/origin.ts): browsers answer the Basic challenge for any site's form. */
  sameOrigin: MiddlewareHandler;
  /** A signed-in admin's request (accounts): uploads and manages rooms without Basic. */
  isAdmin?: (c: Context) => boolean;
}

/** Image rooms take any single path segment, so they are mounted after every other feature. */
export function createImagesFeature(deps: ImagesFeatureDeps): Feature {
  const { config } = deps;
  const { blobs } = deps;
  const rooms = createImagesStore(deps.sql, {
    dataDir: config.dataDir,
    keep: config.imageHistory,
    blobs,
  });
  // The same thumbnailer as the media library's, caching under rooms/.thumbs/ (no room's name).
  const thumbs = createImageThumbs(createThumbnailer({
    ffmpegPath: config.ffmpegPath,
    blobs,
    dir: "rooms/.thumbs",
    log: deps.log,
  }));
  const imageDeps = {
    rooms,
    blobs,
    basicAuth: deps.basicAuth,
    hub: deps.hub,
    sse: deps.sse,
    log: deps.log,
    maxUploadBytes: config.maxUploadBytes,
    imageHistory: config.imageHistory,
    page: deps.page,
    sameOrigin: deps.sameOrigin,
    isAdmin: deps.isAdmin ?? (() => false),
    thumbs,
  };
  const routes = new Hono();
  // `/rooms` and `/api/image-rooms/…` before `/:room`, which would take them.
  routes.route(
    "/",
    createImagesAdminRoutes({
      ...imageDeps,
      uploaders: createUploadersFile(),
      passwords: deps.passwords,
    }, config.basePath),
  );
  routes.route("/", createImageRoutes(imageDeps, config.basePath));
  // The store holds queries the database main.ts closes; thumbnails stop here.
  return {
    routes,
    topics: [imageNamespace(rooms)],
    // Staged uploads a crash left in the store (main.ts sweeps those left in DATA_DIR).
    start: async () => {
      const removed = await removeStagedUploads(blobs);
      if (removed) deps.log.info("Removed unfinished image uploads from storage", { removed });
    },
    close: () => thumbs.close(),
  };
}
