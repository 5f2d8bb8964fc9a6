// The media library (Media Server) as a Feature: the admin page first, then the token-guarded API.
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { join } from "node:path";
import type { Config } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { BasicAuthGuard } from "../../edge/basic_auth.ts";
import type { ClientOptions } from "../../edge/client.ts";
import { sameOrigin } from "../../edge/origin.ts";
import type { BlobStore } from "../../storage/blobs.ts";
import { createMediaStore } from "../../storage/media_store.ts";
import type { Sql } from "../../storage/sql.ts";
import { createThumbnailer } from "../../storage/thumbnails.ts";
import type { SiteViewer } from "../accounts/wire.ts";
import type { Feature } from "../feature.ts";
import type { PageRenderer } from "../pages.ts";
import { createMediaRoutes } from "./media.ts";
import { createMediaAdminRoutes } from "./media_admin.ts";

export interface MediaFeatureDeps {
  config: Pick<
    Config,
    | "dataDir"
    | "mediaSecret"
    | "publicUrl"
    | "ffmpegPath"
    | "tokenExpirySeconds"
    | "mediaTokenSingleUse"
    | "maxUploadBytes"
    | "allowedOrigins"
    | "mediaAllowedOrigins"
  >;
  sql: Sql;
  /** Where the files and thumbnails are kept (files in DATA_DIR, or S3). */
  blobs: BlobStore;
  log: Logger;
  page: PageRenderer;
  client: ClientOptions;
  /** Checks the admin page's Basic credentials. */
  basicAuth: BasicAuthGuard;
  /** Whether a request is a Roomcast admin's session (routes/accounts). @default () => false */
  isAdmin?: (c: Context) => boolean;
  /** Who is signed in (routes/accounts): an admin account opens the page without Basic. */
  viewer?: (c: Context) => SiteViewer | null;
}

/** Every media route; the library answers 503 when MEDIA_SERVER_SECRET is unset. */
export function createMediaFeature(
  { config, sql, blobs, log, page, client, basicAuth, isAdmin = () => false, viewer }:
    MediaFeatureDeps,
): Feature {
  const secret = config.mediaSecret ?? null;
  if (secret === null) {
    log.info("Media library is disabled: MEDIA_SERVER_SECRET is not set");
  } else if (!config.publicUrl) {
    log.warn("Media URLs follow each request's Host header; set PUBLIC_URL to fix them");
  }
  const library = secret === null ? null : {
    secret,
    blobs,
    store: createMediaStore(sql, blobs, "media"),
    thumbs: createThumbnailer({ ffmpegPath: config.ffmpegPath, blobs, dir: "media/.thumbs", log }),
  };
  // The admin's browser answers the Basic challenge by itself: other sites must not post here.
  const adminWrites: MiddlewareHandler = sameOrigin({
    client,
    allowedOrigins: config.allowedOrigins,
    shape: "detail",
  });
  const routes = new Hono();
  routes.route(
    "/",
    createMediaAdminRoutes({
      htpasswdPath: join(config.dataDir, ".htpasswd"),
      basicAuth,
      secret,
      tokenExpirySeconds: config.tokenExpirySeconds,
      maxUploadBytes: config.maxUploadBytes,
      log,
      page,
      sameOrigin: adminWrites,
      isAdmin,
      viewer,
    }),
  );
  routes.route(
    "/",
    createMediaRoutes({
      library,
      log,
      tokenExpirySeconds: config.tokenExpirySeconds,
      singleUse: config.mediaTokenSingleUse,
      maxUploadBytes: config.maxUploadBytes,
      ...client,
      allowedOrigins: config.mediaAllowedOrigins,
    }),
  );
  // Stops thumbnail work still running (ffmpeg children).
  return { routes, close: () => library?.thumbs.close() };
}
