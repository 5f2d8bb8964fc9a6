// `POST /:room/upload`: imgcast's Basic-auth upload (or a signed-in admin's), with an optional caption.
import type { Context } from "hono";
import { errorsOf, HttpError } from "../../errors.ts";
import { parseBasicAuth } from "../../edge/basic_auth.ts";
import { hasControlCharacters, longerThan } from "../../edge/fields.ts";
import { TooLargeError } from "../../storage/files.ts";
import { htpasswdEntryLine } from "../../storage/htpasswd.ts";
import { MultipartError, receiveMultipartFile } from "../../storage/multipart.ts";
import { NotAnImageError, type StagedImage } from "../../storage/images_store.ts";
import type { ImagesDeps } from "./images.ts";
import { imageView, roomParam } from "./image_view.ts";
import type { Uploaded } from "./wire.ts";

/** Longest caption, in characters: a line under a wall display's image, not a post. */
export const MAX_CAPTION = 280;

const CHALLENGE = { "www-authenticate": 'Basic realm="Room Upload"' };

/**
 * The viewer's own uploads say so with this header: their 401 then carries no challenge, so the
 * browser shows the page's sign-in form instead of its native prompt. Every other client gets
 * imgcast's 401 exactly.
 */
export const UI_HEADER = "x-roomcast-ui";

const NOT_AN_IMAGE = "File is not a supported image (JPEG, PNG, GIF, WebP, BMP, AVIF)";

// Multipart framing around the file: boundaries, part headers and a caption, well under this.
const MULTIPART_OVERHEAD = 64 * 1024;

function unauthorized(c: Context, message: string): HttpError {
  const headers = c.req.header(UI_HEADER) ? {} : CHALLENGE;
  return new HttpError(401, message, { headers });
}

/** The caption field: optional, trimmed, one line of at most MAX_CAPTION characters. */
export function captionOf(raw: string | undefined): string | undefined {
  const caption = raw?.trim();
  if (!caption) return undefined;
  if (longerThan(caption, MAX_CAPTION)) {
    throw new HttpError(400, `"caption" is longer than ${MAX_CAPTION} characters`);
  }
  if (hasControlCharacters(caption)) {
    throw new HttpError(400, `"caption" must not contain control characters`);
  }
  return caption;
}

interface Uploader {
  user: string;
  /** The first line of a new room's `.htpasswd`, when this upload creates the room. */
  createWith?: string;
}

/** Who is uploading: a signed-in admin, or Basic credentials against the room's (or admins') file. */
async function uploaderOf(c: Context, deps: ImagesDeps, room: string): Promise<Uploader> {
  const { rooms, log } = deps;
  const roomEntries = await rooms.roomEntries(room);
  if (deps.isAdmin(c)) {
    // A room made from the browser starts with no uploader but the admins' sessions.
    return { user: "admin", createWith: roomEntries ? undefined : "# made by a signed-in admin" };
  }
  const credentials = parseBasicAuth(c.req.header("authorization"));
  if (!credentials) throw unauthorized(c, "Authentication required");
  const entries = roomEntries ?? await rooms.adminEntries();
  const result = await deps.basicAuth.verify(c, entries, credentials, errorsOf("error"));
  if (result.refusedHash) {
    log.warn("Refused htpasswd entry: only bcrypt hashes are accepted", {
      room,
      user: credentials.user,
      hash: result.refusedHash,
    });
  }
  if (!result.ok) {
    throw unauthorized(
      c,
      roomEntries ? "Invalid credentials" : "Invalid credentials (creating a room needs an admin)",
    );
  }
  // A new room is made by the admin's upload, but only once its image is stored.
  const admin = roomEntries ? undefined : entries.find((e) => e.user === credentials.user)!;
  return { user: credentials.user, createWith: admin && htpasswdEntryLine(admin) };
}

/** Streams the `image` part to a staged file; the caption is read from the finished form. */
async function receive(c: Context, deps: ImagesDeps) {
  const limit = deps.maxUploadBytes;
  let staged: StagedImage | undefined;
  try {
    const received = await receiveMultipartFile(c.req.raw, {
      field: "image",
      maxBytes: limit,
      onFile: async (part) => (staged = await deps.rooms.stageImage(part.stream, limit)),
    });
    if (!received.file) throw new HttpError(400, 'Missing "image" file field');
    return { staged: received.file, caption: captionOf(received.fields.caption) };
  } catch (error) {
    if (staged) await deps.rooms.discard(staged);
    if (error instanceof TooLargeError) {
      throw new HttpError(413, `Image is larger than ${limit} bytes`);
    }
    if (error instanceof NotAnImageError) throw new HttpError(415, NOT_AN_IMAGE);
    if (error instanceof MultipartError) throw new HttpError(400, error.message);
    throw error;
  }
}

/**
 * Credentials first (nothing of the body is read for a refused login), then the `image` part is
 * staged, the caption checked, and only then the image kept and `updated` published.
 */
export async function upload(c: Context, deps: ImagesDeps, basePath: string): Promise<Response> {
  const room = roomParam(c.req.param("room")!);
  const uploader = await uploaderOf(c, deps, room);
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > deps.maxUploadBytes + MULTIPART_OVERHEAD) {
    throw new HttpError(413, `Image is larger than ${deps.maxUploadBytes} bytes`);
  }
  const { staged, caption } = await receive(c, deps);
  const { record, created, forgotten } = await deps.rooms.commitImage(room, staged, {
    uploadedBy: uploader.user,
    createWith: uploader.createWith,
    caption,
  });
  for (const old of forgotten) await deps.thumbs.forget(old);

  const image = imageView(basePath, record);
  deps.hub.publish(`image:${room}`, "updated", image);
  deps.log.info("Image uploaded", { room, user: uploader.user, size: record.size, created });
  return c.json({ ok: true, room, created, image } satisfies Uploaded, 200);
}
