// Builds the media library's routes (admin page first, then the Media Server API) from the config.
import { Hono } from "hono";
import { join } from "node:path";
import type { Config } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { BasicAuthGuard } from "../../edge/basic_auth.ts";
import { clientOptionsOf } from "../../edge/client.ts";
import { sameOrigin } from "../../edge/origin.ts";
import type { Db } from "../../storage/db.ts";
import { createMediaStore } from "../../storage/media_store.ts";
import { createThumbnailer } from "../../storage/thumbnails.ts";
import { mediaRoutes } from "./media.ts";
import { mediaAdminRoutes } from "./media_admin.ts";
import type { PageRenderer } from "../pages.ts";

export interface MediaAppDeps {
  config: Readonly<Config>;
  db: Db;
  log: Logger;
  page: PageRenderer;
  /** Checks the admin page's Basic credentials. */
  basicAuth: BasicAuthGuard;
}

export interface MediaApp {
  routes: Hono;
  /** Stops thumbnail work still running (ffmpeg children). */
  close(): void;
}

/** Every media route; the library answers 503 when MEDIA_SERVER_SECRET is unset. */
export function mediaApp({ config, db, log, page, basicAuth }: MediaAppDeps): MediaApp {
  const mediaDir = join(config.dataDir, "media");
  const secret = config.mediaSecret ?? null;
  if (secret === null) {
    log.info("Media library is disabled: MEDIA_SERVER_SECRET is not set");
  } else if (!config.publicUrl) {
    log.warn("Media URLs follow each request's Host header; set PUBLIC_URL to fix them");
  }
  const library = secret === null ? null : {
    secret,
    store: createMediaStore(db, mediaDir),
    thumbs: createThumbnailer({ ffmpegPath: config.ffmpegPath, mediaDir, log }),
  };
  const app = new Hono();
  app.route(
    "/",
    mediaAdminRoutes({
      htpasswdPath: join(config.dataDir, ".htpasswd"),
      basicAuth,
      secret,
      tokenExpirySeconds: config.tokenExpirySeconds,
      maxUploadBytes: config.maxUploadBytes,
      log,
      page,
      // The admin's browser answers the Basic challenge by itself: other sites must not post here.
      sameOrigin: sameOrigin({
        client: clientOptionsOf(config),
        allowedOrigins: config.allowedOrigins,
        shape: "detail",
      }),
    }),
  );
  app.route(
    "/",
    mediaRoutes({
      library,
      log,
      tokenExpirySeconds: config.tokenExpirySeconds,
      singleUse: config.mediaTokenSingleUse,
      maxUploadBytes: config.maxUploadBytes,
      ...clientOptionsOf(config),
      allowedOrigins: config.mediaAllowedOrigins,
    }),
  );
  return { routes: app, close: () => library?.thumbs.close() };
}
