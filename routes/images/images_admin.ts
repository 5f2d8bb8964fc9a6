// Image room management for admins: list, delete, clear, and who may upload (the rooms' htpasswd).
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { errorsOf, HttpError } from "../../errors.ts";
import { parseBasicAuth } from "../../edge/basic_auth.ts";
import { readJsonObject } from "../../edge/body.ts";
import { hasControlCharacters, longerThan } from "../../edge/fields.ts";
import type { PasswordPool } from "../../storage/password_pool.ts";
import type { UploadersFile } from "../../storage/images_uploaders.ts";
import type { ImagesDeps } from "./images.ts";
import { UI_HEADER } from "./image_upload.ts";
import { imageView, roomParam } from "./image_view.ts";
import type { ImageRoomsAdminData, ManagedRooms, UploaderList } from "./wire.ts";

export interface ImagesAdminDeps extends ImagesDeps {
  uploaders: UploadersFile;
  /** bcrypt for new uploaders' passwords, off the event loop. */
  passwords: Pick<PasswordPool, "hash">;
}

const REALM = { "www-authenticate": 'Basic realm="Roomcast admin"' };
/** `htpasswd -B`'s own default is 5; 10 is what Roomcast writes everywhere else. */
const BCRYPT_COST = 10;
/** bcrypt reads only the first 72 bytes of a password: a longer one would match its prefix. */
const MAX_PASSWORD_BYTES = 72;
const MAX_USER = 64;

/**
 * Lets an admin through: a signed-in admin's session, or Basic credentials from `var/.htpasswd`
 * (scripts keep using those). No credentials: 401 with a challenge (none for the page's own
 * fetches); credentials that are not an admin's: 403.
 */
async function requireAdmin(c: Context, deps: ImagesAdminDeps): Promise<void> {
  if (deps.isAdmin(c)) return;
  const credentials = parseBasicAuth(c.req.header("authorization"));
  if (!credentials) {
    throw new HttpError(401, "Admins only: sign in", {
      headers: c.req.header(UI_HEADER) ? {} : REALM,
    });
  }
  const entries = await deps.rooms.adminEntries();
  const result = await deps.basicAuth.verify(c, entries, credentials, errorsOf("error"));
  if (!result.ok) throw new HttpError(403, "Admins only");
}

/** An uploader's name: what an htpasswd line can hold before its colon, on one line. */
function userField(raw: unknown): string {
  if (typeof raw !== "string" || raw.trim() === "") throw new HttpError(400, 'Missing "user"');
  const user = raw.trim();
  if (longerThan(user, MAX_USER)) {
    throw new HttpError(400, `"user" is longer than ${MAX_USER} characters`);
  }
  if (hasControlCharacters(user) || /[:#\s]/.test(user)) {
    throw new HttpError(400, `"user" must not contain spaces, ":", "#" or control characters`);
  }
  return user;
}

function passwordField(raw: unknown): string {
  if (typeof raw !== "string" || raw === "") throw new HttpError(400, 'Missing "password"');
  if (new TextEncoder().encode(raw).length > MAX_PASSWORD_BYTES) {
    throw new HttpError(400, `"password" is longer than ${MAX_PASSWORD_BYTES} bytes`);
  }
  return raw;
}

async function existingRoom(c: Context, deps: ImagesAdminDeps): Promise<string> {
  const room = roomParam(c.req.param("room")!);
  if (!(await deps.rooms.exists(room))) throw new HttpError(404, "No such room");
  return room;
}

export function createImagesAdminRoutes(deps: ImagesAdminDeps, basePath: string): Hono {
  const { rooms } = deps;
  const app = new Hono();
  const admin: MiddlewareHandler = async (c, next) => {
    await requireAdmin(c, deps);
    await next();
  };
  const uploadersOf = (room: string) => uploadersIn(deps, room);
  // Viewers reload state on `updated`: a deleted room then reads "no such room", a cleared one empty.
  const tellViewers = (room: string) => deps.hub.publish(`image:${room}`, "updated", null);

  app.get("/rooms", async (c) => {
    if (!deps.isAdmin(c)) {
      const credentials = parseBasicAuth(c.req.header("authorization"));
      if (!credentials) throw new HttpError(401, "Admins only: sign in", { headers: REALM });
      const entries = await rooms.adminEntries();
      const result = await deps.basicAuth.verify(c, entries, credentials, errorsOf("error"));
      if (!result.ok) throw new HttpError(401, "Admins only", { headers: REALM });
    }
    const data: ImageRoomsAdminData = { admin: true };
    return deps.page(c, {
      title: "Image rooms · Roomcast",
      entry: "image_rooms",
      data,
      styles: ["image_room.css"],
    });
  });

  app.get("/api/image-rooms/manage", admin, async (c) => {
    c.header("cache-control", "no-store");
    const list: ManagedRooms["rooms"] = [];
    for (const room of await rooms.listRooms()) {
      const current = await rooms.current(room);
      list.push({
        room,
        images: await rooms.count(room),
        current: current ? imageView(basePath, current) : null,
        uploaders: await uploadersOf(room),
      });
    }
    return c.json({ rooms: list } satisfies ManagedRooms);
  });

  addUploaderRoutes(app, deps, admin);

  app.post("/api/image-rooms/:room/clear", deps.sameOrigin, admin, async (c) => {
    const room = await existingRoom(c, deps);
    const removed = await rooms.clearRoom(room);
    for (const record of removed) await deps.thumbs.forget(record);
    tellViewers(room);
    deps.log.info("Image room cleared", { room, images: removed.length });
    return c.json({ ok: true, room, removed: removed.length });
  });

  app.delete("/api/image-rooms/:room", deps.sameOrigin, admin, async (c) => {
    const room = await existingRoom(c, deps);
    const records = await rooms.recent(room, Number.MAX_SAFE_INTEGER);
    if (!(await rooms.deleteRoom(room))) throw new HttpError(404, "No such room");
    for (const record of records) await deps.thumbs.forget(record);
    tellViewers(room);
    deps.log.info("Image room deleted", { room });
    return c.json({ ok: true, room });
  });

  return app;
}

async function uploadersIn(deps: ImagesAdminDeps, room: string) {
  return (await deps.uploaders.list(deps.rooms.uploadersPath(room))) ?? [];
}

/** Who may upload to a room: listed, added or re-passworded, removed. */
function addUploaderRoutes(app: Hono, deps: ImagesAdminDeps, admin: MiddlewareHandler): void {
  const { rooms, uploaders } = deps;
  const uploadersOf = (room: string) => uploadersIn(deps, room);
  app.get("/api/image-rooms/:room/uploaders", admin, async (c) => {
    const room = await existingRoom(c, deps);
    c.header("cache-control", "no-store");
    return c.json({ room, uploaders: await uploadersOf(room) } satisfies UploaderList);
  });

  app.post("/api/image-rooms/:room/uploaders", deps.sameOrigin, admin, async (c) => {
    const room = await existingRoom(c, deps);
    const body = await readJsonObject(c.req.raw, { maxBytes: 4096 });
    const user = userField(body.user);
    const password = passwordField(body.password);
    // `$2y$`, as `htpasswd -nbB` writes, so the file reads the same whoever added the line.
    const hash = (await deps.passwords.hash(password, BCRYPT_COST)).replace(/^\$2b\$/, "$2y$");
    await uploaders.set(rooms.uploadersPath(room), user, `${user}:${hash}`);
    deps.log.info("Image room uploader set", { room, user });
    return c.json({ room, uploaders: await uploadersOf(room) } satisfies UploaderList);
  });

  app.delete("/api/image-rooms/:room/uploaders/:user", deps.sameOrigin, admin, async (c) => {
    const room = await existingRoom(c, deps);
    const user = userField(c.req.param("user"));
    if (!(await uploaders.remove(rooms.uploadersPath(room), user))) {
      throw new HttpError(404, "No such uploader");
    }
    deps.log.info("Image room uploader removed", { room, user });
    return c.json({ room, uploaders: await uploadersOf(room) } satisfies UploaderList);
  });
}
