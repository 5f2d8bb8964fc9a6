// The workspace API for search, a message's context, and attachments (upload and the served file).
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import type { Account } from "../../storage/accounts_store.ts";
import type { BlobStore } from "../../storage/blobs.ts";
import { UploadContentError } from "../../storage/checked_upload.ts";
import { TooLargeError } from "../../storage/files.ts";
import { MultipartError, receiveMultipartFile } from "../../storage/multipart.ts";
import {
  ATTACHMENT_TYPES,
  type AttachmentsStore,
} from "../../storage/workspace_attachments_store.ts";
import type { SessionAuth } from "../accounts/session.ts";
import { serveBlob } from "../serve_file.ts";
import { idOf } from "./api.ts";
import { WorkspaceError } from "./errors.ts";
import { cleanFileName, extensionOf, type NavService } from "./nav_service.ts";
import type { WorkspaceService } from "./service.ts";

export interface NavApiDeps {
  auth: SessionAuth;
  service: WorkspaceService;
  nav: NavService;
  attachments: AttachmentsStore;
  blobs: Pick<BlobStore, "stat" | "open" | "link">;
  /** ATTACHMENT_MAX_BYTES. */
  maxBytes: number;
  sameOrigin: MiddlewareHandler;
}

export type NavApp = Hono<{ Variables: { user: Account } }>;

// Room for the multipart framing and a caption beside the file.
const MULTIPART_OVERHEAD = 64 * 1024;
// A served file can never run as a page of this site, whatever it holds.
const SANDBOX = "default-src 'none'; sandbox";
const KINDS = Object.keys(ATTACHMENT_TYPES).filter((ext) => ext !== "jpeg").join(", ");

const optionalId = (raw: string | undefined, what: string) =>
  raw === undefined ? undefined : idOf(raw, what);

const tooLarge = (max: number) =>
  new WorkspaceError("too_large", `Attachments must be at most ${max} bytes`);

export function createNavApiRoutes(deps: NavApiDeps): NavApp {
  const { auth, nav } = deps;
  const app: NavApp = new Hono();
  const guard = async (c: Context, next: () => Promise<void>) => {
    c.set("user", auth.requireUser(c));
    await next();
  };
  for (
    const path of ["/api/servers/*", "/api/messages/*", "/api/channels/*", "/api/attachments/*"]
  ) {
    app.use(path, deps.sameOrigin, guard);
  }

  app.get("/api/servers/:id/search", async (c) => {
    c.header("cache-control", "no-store");
    const serverId = idOf(c.req.param("id"), "server id");
    const before = optionalId(c.req.query("before"), "before");
    const limit = optionalId(c.req.query("limit"), "limit");
    return c.json(await nav.search(c.get("user"), serverId, c.req.query("q"), before, limit));
  });

  app.get("/api/messages/:id/context", async (c) => {
    c.header("cache-control", "no-store");
    const messageId = idOf(c.req.param("id"), "message id");
    const limit = optionalId(c.req.query("limit"), "limit");
    return c.json(await nav.context(c.get("user"), messageId, limit));
  });

  app.post("/api/channels/:id/attachments", (c) => upload(c, deps));

  app.get("/api/attachments/:id/:name?", async (c) => {
    const found = await nav.attachment(c.get("user"), idOf(c.req.param("id"), "attachment id"));
    const shown = /^(image|video)\//.test(found.contentType) ? "inline" : "attachment";
    const response = await serveBlob(c.req.raw, deps.blobs, found.key, {
      contentType: found.contentType,
      etag: `"a${found.id}"`,
      // Behind a session: never in a shared cache.
      cacheControl: "private, max-age=86400",
      headers: {
        "content-security-policy": SANDBOX,
        "content-disposition": `${shown}; filename*=UTF-8''${encodeURIComponent(found.name)}`,
      },
      // The sandbox CSP and nosniff are this server's headers: never hand out a store link.
      direct: true,
    });
    if (response.status === 404) throw new WorkspaceError("not_found", "Attachment not found");
    return response;
  });
  return app;
}

/** One file (`file`) and an optional caption (`content`) as a new message; 201 with it. */
async function upload(c: Context<{ Variables: { user: Account } }>, deps: NavApiDeps) {
  const user = c.get("user");
  const channelId = idOf(c.req.param("id"), "channel id");
  // Who may post, and a declared size past the limit, are answered before any byte is read.
  await deps.service.textChannel(user, channelId);
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > deps.maxBytes + MULTIPART_OVERHEAD) throw tooLarge(deps.maxBytes);
  let received;
  try {
    received = await receiveMultipartFile(c.req.raw, {
      field: "file",
      maxBytes: deps.maxBytes,
      async onFile(part) {
        const ext = extensionOf(part.filename);
        if (!ATTACHMENT_TYPES[ext]) {
          throw new WorkspaceError("unsupported_type", `Attachments must be one of: ${KINDS}`);
        }
        const saved = await deps.attachments.saveBlob(part.stream, ext, deps.maxBytes);
        return { ...saved, name: cleanFileName(part.filename, ext) };
      },
    });
  } catch (error) {
    if (error instanceof TooLargeError) throw tooLarge(deps.maxBytes);
    if (error instanceof UploadContentError) throw new WorkspaceError("invalid", error.message);
    if (error instanceof MultipartError) throw new WorkspaceError("bad_request", error.message);
    throw error;
  }
  if (!received.file) throw new WorkspaceError("invalid", "A file field is required");
  const message = await deps.nav.postWithFile(
    user,
    channelId,
    received.file,
    received.fields.content,
  );
  return c.json(message, 201);
}
