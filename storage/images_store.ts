// Image rooms: `rooms/<room>/.htpasswd` on disk, the uploaded images in the blob store, rows (Sql).
import { join } from "node:path";
import type { BlobStore } from "./blobs.ts";
import type { Row, Sql } from "./sql.ts";
import { removeIfExists } from "./files.ts";
import { detectImageType, type ImageType } from "./image_types.ts";
import { type HtpasswdEntry, parseHtpasswd } from "./htpasswd.ts";

export interface ImageRecord {
  id: number;
  room: string;
  file: string;
  contentType: string;
  size: number;
  uploadedBy: string;
  uploadedAt: number;
  caption: string | null;
}

export interface ImagesStore {
  /** Admins who may create rooms, read from `<dataDir>/.htpasswd` on every call. */
  adminEntries(): Promise<HtpasswdEntry[]>;
  /** A room exists once its `.htpasswd` does; null when it does not. Re-read on every call. */
  roomEntries(room: string): Promise<HtpasswdEntry[] | null>;
  /** Whether the room's `.htpasswd` exists (one stat, for viewers and subscribers). */
  exists(room: string): Promise<boolean>;
  /** Rooms that exist, by name. */
  listRooms(): Promise<string[]>;
  /**
   * Writes the image atomically, records it, and forgets images past `keep`; throws
   * NotAnImageError when its first bytes are no image, before anything is kept. With `createWith`,
   * the room is created (its `.htpasswd` starting with that line) only once the image is stored.
   */
  saveImage(
    room: string,
    data: ReadableStream<Uint8Array>,
    options: SaveImageOptions,
  ): Promise<SavedImage>;
  /**
   * The first half of `saveImage`: stores the upload under a staging key (`rooms/.tmp-upload-*`)
   * and checks its type (throws NotAnImageError), so fields after the file (a caption) can be
   * checked before anything is kept.
   */
  stageImage(data: ReadableStream<Uint8Array>, maxBytes: number): Promise<StagedImage>;
  /** The second half: moves a staged upload into the room and records it (see `saveImage`). */
  commitImage(room: string, staged: StagedImage, options: CommitOptions): Promise<SavedImage>;
  /** Removes a staged upload that will not be kept. */
  discard(staged: StagedImage): Promise<void>;
  /** Forgets every image of the room (rows, then files); the room and its uploaders stay. */
  clearRoom(room: string): Promise<ImageRecord[]>;
  /** Removes the room: its rows, images and `.htpasswd`. False when it did not exist. */
  deleteRoom(room: string): Promise<boolean>;
  /** How many images the room keeps now. */
  count(room: string): Promise<number>;
  current(room: string): Promise<ImageRecord | null>;
  recent(room: string, limit: number): Promise<ImageRecord[]>;
  image(room: string, id: number): Promise<ImageRecord | null>;
  /** The blob key of an image's file: `rooms/<room>/images/<file>`. */
  keyOf(record: ImageRecord): string;
  /** The room's `.htpasswd`: who may upload to it. */
  uploadersPath(room: string): string;
}

export interface CommitOptions {
  uploadedBy: string;
  /** The first line of a new room's `.htpasswd` (an admin's entry), when it does not exist yet. */
  createWith?: string;
  caption?: string;
}

export interface SaveImageOptions extends CommitOptions {
  maxBytes: number;
}

/** An upload stored under a staging key, its type known, not yet in any room. */
export interface StagedImage {
  key: string;
  size: number;
  type: ImageType;
}

/** An upload whose first bytes are none of the image types rooms take (image_types.ts). */
export class NotAnImageError extends Error {
  constructor() {
    super("Cannot save image: its first bytes are no supported image type");
    this.name = "NotAnImageError";
  }
}

export interface SavedImage {
  record: ImageRecord;
  /** True when this upload created the room. */
  created: boolean;
  /** Older images this upload pushed out of the room's history (their thumbnails can go). */
  forgotten: ImageRecord[];
}

export interface ImagesStoreOptions {
  /** Where the htpasswd files are (they stay files, edited by hand). */
  dataDir: string;
  /** Where the images are: `rooms/<room>/images/<file>`. */
  blobs: BlobStore;
  /** Images kept per room. */
  keep: number;
}

const toRecord = (row: Row): ImageRecord => ({
  id: Number(row.id),
  room: String(row.room),
  file: String(row.file),
  contentType: String(row.content_type),
  size: Number(row.size),
  uploadedBy: String(row.uploaded_by),
  uploadedAt: Number(row.uploaded_at),
  caption: row.caption === null || row.caption === undefined ? null : String(row.caption),
});

export function createImagesStore(
  sql: Sql,
  { dataDir, keep, blobs }: ImagesStoreOptions,
): ImagesStore {
  const roomsDir = join(dataDir, "rooms");
  const roomDir = (room: string) => join(roomsDir, room);
  const readEntries = async (path: string) => {
    try {
      return parseHtpasswd(await Deno.readTextFile(path));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  };
  const rows = createImageRows(sql, keep);
  const imageKey = (room: string, file: string) => `rooms/${room}/images/${file}`;

  const stageImage = (data: ReadableStream<Uint8Array>, maxBytes: number) =>
    stageUpload(blobs, data, maxBytes);
  const commitImage = async (room: string, staged: StagedImage, options: CommitOptions) => {
    let created = false;
    let file: string;
    try {
      if (options.createWith !== undefined) {
        created = await createRoom(roomDir(room), options.createWith);
      }
      file = `${Date.now()}-${crypto.randomUUID().slice(0, 8)}.${staged.type.ext}`;
      await blobs.move(staged.key, imageKey(room, file));
    } catch (error) {
      await blobs.delete(staged.key);
      throw error;
    }
    const { record, stale } = await rows.insertPruning(room, file, staged, options);
    // Rows go first, files after: a reader never gets a row whose file is already gone for good.
    for (const old of stale) await blobs.delete(imageKey(room, old.file));
    return { record, created, forgotten: stale };
  };
  const clearRoom = async (room: string) => {
    const removed = await rows.deleteAll(room);
    for (const old of removed) await blobs.delete(imageKey(room, old.file));
    return removed;
  };

  return {
    adminEntries: async () => (await readEntries(join(dataDir, ".htpasswd"))) ?? [],
    roomEntries: (room) => readEntries(join(roomDir(room), ".htpasswd")),

    exists: async (room) => await isFile(join(roomDir(room), ".htpasswd")),

    listRooms: () => listRooms(roomsDir),

    async saveImage(room, data, options) {
      const staged = await stageImage(data, options.maxBytes);
      return await commitImage(room, staged, options);
    },
    stageImage,
    commitImage,
    discard: (staged) => blobs.delete(staged.key),
    clearRoom,
    async deleteRoom(room) {
      if (!(await isFile(join(roomDir(room), ".htpasswd")))) return false;
      // The `.htpasswd` goes first: from then on the room does not exist for uploads or viewers.
      await removeIfExists(join(roomDir(room), ".htpasswd"));
      await clearRoom(room);
      await Deno.remove(roomDir(room), { recursive: true }).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
      return true;
    },
    count: rows.count,
    current: async (room) => (await rows.recent(room, 1))[0] ?? null,
    recent: rows.recent,
    image: rows.image,
    keyOf: (record) => imageKey(record.room, record.file),
    uploadersPath: (room) => join(roomDir(room), ".htpasswd"),
  };
}

// A room has no row of its own to lock, and an empty room no row at all, so on Postgres uploads to
// one room take turns on an advisory lock keyed by its name (hash collisions only make two rooms
// take turns). SQLite's transactions already hold the one write lock. The two-key form is a key
// space apart from the migrations' one-key lock.
const ROOM_LOCK = "SELECT pg_advisory_xact_lock(726361002, hashtext(?))";

/** The `image_uploads` queries, one text for both engines. */
function createImageRows(sql: Sql, keep: number) {
  const lockRoom = async (room: string) => {
    if (sql.dialect === "postgres") await sql.get(ROOM_LOCK, [room]);
  };
  const byNewest = (rows: Row[]) => rows.map(toRecord).sort((a, b) => b.id - a.id);
  return {
    /**
     * Inserts the upload and deletes the rows past `keep`, in one transaction, under the room's
     * lock: concurrent uploads on several instances (READ COMMITTED) each see the others' rows.
     */
    insertPruning(room: string, file: string, staged: StagedImage, options: CommitOptions) {
      return sql.transaction(async () => {
        await lockRoom(room);
        const row = await sql.get<Row>(
          `INSERT INTO image_uploads
             (room, file, content_type, size, uploaded_by, uploaded_at, caption)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
          [
            room,
            file,
            staged.type.mime,
            staged.size,
            options.uploadedBy,
            Date.now(),
            options.caption ?? null,
          ],
        );
        // No `LIMIT -1 OFFSET ?` (SQLite only): keep the newest `keep` by id, delete the rest.
        const stale = await sql.all<Row>(
          `DELETE FROM image_uploads WHERE room = ? AND id NOT IN
             (SELECT id FROM image_uploads WHERE room = ? ORDER BY id DESC LIMIT ?)
           RETURNING *`,
          [room, room, keep],
        );
        return { record: toRecord(row!), stale: byNewest(stale) };
      });
    },
    deleteAll: async (room: string) =>
      byNewest(await sql.all<Row>("DELETE FROM image_uploads WHERE room = ? RETURNING *", [room])),
    count: async (room: string) => {
      const row = await sql.get<Row>("SELECT COUNT(*) AS n FROM image_uploads WHERE room = ?", [
        room,
      ]);
      return Number(row!.n);
    },
    recent: async (room: string, limit: number) =>
      (await sql.all<Row>(
        "SELECT * FROM image_uploads WHERE room = ? ORDER BY id DESC LIMIT ?",
        [room, limit],
      )).map(toRecord),
    image: async (room: string, id: number) => {
      // A path's digits past 2^53 name no row; Postgres would refuse them past BIGINT as an error.
      if (!Number.isSafeInteger(id)) return null;
      const row = await sql.get<Row>("SELECT * FROM image_uploads WHERE room = ? AND id = ?", [
        room,
        id,
      ]);
      return row ? toRecord(row) : null;
    },
  };
}

/** Rooms that exist, by name: folders of `rooms/` with a `.htpasswd`. */
async function listRooms(roomsDir: string): Promise<string[]> {
  const rooms: string[] = [];
  try {
    for await (const entry of Deno.readDir(roomsDir)) {
      if (!entry.isDirectory || !/^[A-Za-z0-9_-]+$/.test(entry.name)) continue;
      // A folder without `.htpasswd` is not a room (e.g. one an older version left behind).
      if (await isFile(join(roomsDir, entry.name, ".htpasswd"))) rooms.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return rooms.sort();
}

/** Creates a room's folder and `.htpasswd` (starting with `line`); false when it existed. */
async function createRoom(roomDir: string, line: string): Promise<boolean> {
  await Deno.mkdir(roomDir, { recursive: true });
  try {
    // createNew: two admins racing to create a room cannot overwrite each other's file.
    await Deno.writeTextFile(join(roomDir, ".htpasswd"), line + "\n", {
      createNew: true,
      mode: 0o640,
    });
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  }
}

/** Staged uploads are named so: outside every room, so a refused upload leaves nothing in one. */
const STAGED = "rooms/.tmp-upload-";

/** Stores an upload under `rooms/.tmp-upload-*`, checking its first bytes are an image's. */
async function stageUpload(
  blobs: BlobStore,
  data: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<StagedImage> {
  let type: ImageType | undefined;
  const check = (head: Uint8Array) => {
    type = detectImageType(head) ?? undefined;
    if (!type) throw new NotAnImageError();
  };
  const key = `${STAGED}${crypto.randomUUID()}`;
  const size = await blobs.put(key, data, { maxBytes, peekBytes: 32, check });
  if (!type) {
    await blobs.delete(key);
    throw new Error("Cannot save image: its type was never detected");
  }
  return { key, size, type };
}

/**
 * Removes staged uploads older than `olderThanMs` that a crash left in the blob store (files
 * left in DATA_DIR are `removeUploadLeftovers`'); younger ones may be another instance's upload
 * in progress. Returns how many.
 */
export async function removeStagedUploads(
  blobs: Pick<BlobStore, "list" | "delete">,
  olderThanMs = 3600_000,
): Promise<number> {
  const stale = (await blobs.list("rooms/")).filter((blob) =>
    blob.key.startsWith(STAGED) && blob.mtime < Date.now() - olderThanMs
  );
  for (const blob of stale) await blobs.delete(blob.key);
  return stale.length;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Removes the temp files a crash left in image rooms (`rooms/.tmp-*`, `rooms/<dir>/.tmp-*`,
 * `rooms/<room>/images/.tmp-*`),
 * as the media library does for its folder; run once at start, before requests. Returns how many.
 */
export async function removeUploadLeftovers(dataDir: string): Promise<number> {
  const roomsDir = join(dataDir, "rooms");
  let removed = 0;
  const sweep = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.startsWith(".tmp-")) {
        await removeIfExists(join(dir, entry.name));
        removed++;
      }
    }
  };
  try {
    await sweep(roomsDir);
    for await (const entry of Deno.readDir(roomsDir)) {
      if (!entry.isDirectory) continue;
      // A room's own folder holds `.tmp-htpasswd-*` of an uploaders edit; `.thumbs/` the thumbnailer's.
      await sweep(join(roomsDir, entry.name));
      await sweep(join(roomsDir, entry.name, "images")).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return removed;
}
