// Media library (Media Server): uploads behind HMAC tokens, listing, serving, thumbnails, delete.
import { Hono } from "hono";
import type { Context } from "hono";
import { cors } from "hono/cors";
import type { HttpError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { type ClientOptions, publicBase } from "../../edge/client.ts";
import { sameOrigin } from "../../edge/origin.ts";
import { TooLargeError } from "../../storage/files.ts";
import {
  MEDIA_TYPES,
  MediaContentError,
  type MediaRecord,
  type MediaStore,
} from "../../storage/media_store.ts";
import { verifyMediaToken } from "../../storage/media_tokens.ts";
import { MultipartError, receiveMultipartFile } from "../../storage/multipart.ts";
import { canThumbnail, type Thumbnailer, thumbWidth } from "../../storage/thumbnails.ts";
import {
  ALLOWED_EXTENSIONS,
  extensionOf,
  listFilter,
  mediaError,
  MESSAGES,
  missingFields,
  originalNameOf,
  queryInteger,
  sizeText,
} from "./media_http.ts";
import type { BlobStore } from "../../storage/blobs.ts";
import { serveBlob } from "../serve_file.ts";

export interface MediaDeps extends ClientOptions {
  /** Null when the library is disabled (no MEDIA_SERVER_SECRET). */
  library: MediaLibrary | null;
  log: Logger;
  tokenExpirySeconds: number;
  singleUse: boolean;
  maxUploadBytes: number;
  /**
   * Origins whose pages may upload and delete with a token (MEDIA_ALLOWED_ORIGINS): CORS and the
   * Origin rule. "*" by default, as the seed's frontends live on other sites and hold no cookie.
   */
  allowedOrigins: string[];
}

/** The library's parts: rows, thumbnails, the blobs both are served from, the token secret. */
export interface MediaLibrary {
  store: MediaStore;
  thumbs: Thumbnailer;
  blobs: Pick<BlobStore, "stat" | "open" | "link">;
  secret: string;
}

/** Stored SVGs are documents that could run script: served inert, as is everything else here. */
const MEDIA_HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
};

// Multipart framing around the file: boundaries and part headers, well under this.
const MULTIPART_OVERHEAD = 64 * 1024;

/** What every media handler needs: the library (503 when off), token checks, the public view. */
interface MediaAccess {
  library(): MediaLibrary;
  /** Verifies `?token=` (absent: false, the caller answers 422) and spends it when single-use. */
  authorize(c: Context): Promise<boolean>;
  view(c: Context, record: MediaRecord): Record<string, unknown> & { url: string };
  tooLarge(): HttpError;
}

function createMediaAccess(deps: MediaDeps): MediaAccess {
  const library = () => {
    if (!deps.library) throw mediaError(503, MESSAGES.disabled);
    return deps.library;
  };
  return {
    library,
    async authorize(c) {
      const { store, secret } = library();
      const token = c.req.query("token");
      if (token === undefined) return false;
      const check = verifyMediaToken(token, secret, { expirySeconds: deps.tokenExpirySeconds });
      if (!check.ok) throw mediaError(401, check.message);
      if (deps.singleUse && !(await store.useToken(check.signature, check.expiresAt))) {
        throw mediaError(401, MESSAGES.tokenUsed);
      }
      return true;
    },
    view: (c, record) => ({
      filename: record.filename,
      url: `${publicBase(c.req.raw, deps)}media/${record.filename}`,
      original_name: record.originalName,
      size: record.size,
      content_type: record.contentType,
      width: record.width,
      height: record.height,
      created_at: new Date(record.createdAt).toISOString(),
    }),
    tooLarge: () =>
      mediaError(413, `File too large. Maximum size is ${sizeText(deps.maxUploadBytes)}.`),
  };
}

/** Frontends on other origins upload with the token in the URL; no cookies are involved. */
function allowCrossOrigin(app: Hono, allowedOrigins: string[]): void {
  const openCors = cors({
    origin: allowedOrigins.includes("*") ? "*" : allowedOrigins,
    allowMethods: ["GET", "HEAD", "POST", "DELETE"],
  });
  app.use("/upload", openCors);
  app.use("/media", openCors);
  app.use("/media/:filename", async (c, next) => {
    if (c.req.param("filename") === "admin") return await next();
    return await openCors(c, next);
  });
}

/** `POST /upload?token=`: the `file` part streamed into the library, its type checked. */
async function upload(c: Context, deps: MediaDeps, access: MediaAccess): Promise<Response> {
  const { store } = access.library();
  if (!(await access.authorize(c))) return missingFields(c, [["query", "token"]]);
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > deps.maxUploadBytes + MULTIPART_OVERHEAD) throw access.tooLarge();

  let record: MediaRecord | undefined;
  try {
    ({ file: record } = await receiveMultipartFile(c.req.raw, {
      field: "file",
      maxBytes: deps.maxUploadBytes,
      onFile: async (part) => {
        const ext = extensionOf(part.filename);
        if (!MEDIA_TYPES[ext]) {
          throw mediaError(
            400,
            `File type '${ext ? "." + ext : ""}' is not allowed. Allowed: ${
              ALLOWED_EXTENSIONS.join(", ")
            }`,
          );
        }
        return await store.save(part.stream, ext, deps.maxUploadBytes, {
          originalName: originalNameOf(part.filename),
        });
      },
    }));
  } catch (error) {
    if (error instanceof TooLargeError) throw access.tooLarge();
    if (error instanceof MediaContentError) throw mediaError(400, error.message);
    if (error instanceof MultipartError) {
      // FastAPI finds no `file` in a body that is not multipart at all.
      if (error.reason === "not-multipart") return missingFields(c, [["body", "file"]]);
      throw mediaError(400, MESSAGES.badBody);
    }
    throw error;
  }
  if (!record) return missingFields(c, [["body", "file"]]);
  deps.log.info("Media uploaded", { filename: record.filename, size: record.size });
  return c.json({ url: access.view(c, record).url, filename: record.filename });
}

/** `GET /media/<name>[?w=]`: the file, or its thumbnail when one can be made. */
async function serveMedia(c: Context, access: MediaAccess): Promise<Response> {
  const { store, thumbs, blobs } = access.library();
  const filename = c.req.param("filename")!;
  const record = await store.get(filename);
  if (!record) throw mediaError(404, MESSAGES.notFound);
  const width = queryInteger(c, "w", 1, 10_000);
  if (width instanceof Response) return width;
  const ext = filename.slice(filename.lastIndexOf(".") + 1);
  const key = store.keyOf(filename);
  // An SVG needs the CSP header only this server adds, so it is never handed to the bucket.
  const served = { headers: MEDIA_HEADERS, lastModified: record.createdAt, direct: ext === "svg" };
  // A name is never reused, so every response about it is final.
  const cacheControl = "public, max-age=31536000, immutable";
  let response: Response | undefined;
  if (width !== undefined && canThumbnail(ext)) {
    const w = thumbWidth(width);
    const thumb = await thumbs.thumbnail(key, filename, w);
    if (thumb) {
      response = await serveBlob(c.req.raw, blobs, thumb.key, {
        ...served,
        contentType: thumb.contentType,
        etag: `"${filename}-w${w}"`,
        cacheControl,
      });
    }
  }
  response ??= await serveBlob(c.req.raw, blobs, key, {
    ...served,
    contentType: record.contentType,
    etag: `"${filename}"`,
    cacheControl,
  });
  if (response.status === 404) throw mediaError(404, MESSAGES.notFound);
  return response;
}

export function createMediaRoutes(deps: MediaDeps): Hono {
  const { log } = deps;
  const app = new Hono();
  const access = createMediaAccess(deps);
  allowCrossOrigin(app, deps.allowedOrigins);
  const writes = sameOrigin({ client: deps, allowedOrigins: deps.allowedOrigins, shape: "detail" });

  app.post("/upload", writes, (c) => upload(c, deps, access));

  app.get("/media", async (c) => {
    const { store } = access.library();
    const limit = queryInteger(c, "limit", 1, 1000);
    if (limit instanceof Response) return limit;
    const offset = queryInteger(c, "offset", 0, Number.MAX_SAFE_INTEGER);
    if (offset instanceof Response) return offset;
    const { q, sort } = listFilter(c);
    const { total, records } = await store.list({ limit, offset, q, sort });
    c.header("cache-control", "no-store");
    return c.json({
      count: records.length,
      total,
      offset: offset ?? 0,
      limit: limit ?? null,
      q,
      sort,
      images: records.map((r) => access.view(c, r)),
    });
  });

  app.get("/media/:filename", (c) => serveMedia(c, access));

  app.delete("/media/:filename", writes, async (c) => {
    const { store, thumbs } = access.library();
    if (!(await access.authorize(c))) return missingFields(c, [["query", "token"]]);
    const filename = c.req.param("filename");
    if (!(await store.remove(filename))) throw mediaError(404, MESSAGES.notFound);
    await thumbs.forget(filename);
    log.info("Media deleted", { filename });
    return c.json({ detail: `Deleted ${filename}` });
  });

  // FastAPI's answers for the rest of this namespace, in its shape.
  app.all("/upload", (c) => c.json({ detail: "Method Not Allowed" }, 405));
  app.all("/media", (c) => c.json({ detail: "Method Not Allowed" }, 405));
  app.all("/media/*", (c) => {
    return /\/media\/[^/]+$/.test(c.req.path)
      ? c.json({ detail: "Method Not Allowed" }, 405)
      : c.json({ detail: "Not Found" }, 404);
  });

  return app;
}
