// Image rooms on disk: `rooms/<room>/.htpasswd`, the uploaded images, and their rows in SQLite.
import { join } from "node:path";
import { type Db, type Row, transaction } from "./db.ts";
import { removeIfExists, renameDurably, writeFileAtomic } from "./files.ts";
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
  current(room: string): ImageRecord | null;
  recent(room: string, limit: number): ImageRecord[];
  image(room: string, id: number): ImageRecord | null;
  /** The absolute path of an image's file. */
  pathOf(record: ImageRecord): string;
}

export interface SaveImageOptions {
  uploadedBy: string;
  maxBytes: number;
  /** The htpasswd line of the admin creating the room, when it does not exist yet. */
  createWith?: string;
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
}

export interface ImagesStoreOptions {
  dataDir: string;
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
});

export function createImagesStore(db: Db, { dataDir, keep }: ImagesStoreOptions): ImagesStore {
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
  const insert = db.prepare(
    `INSERT INTO image_uploads (room, file, content_type, size, uploaded_by, uploaded_at)
     VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  const selectRecent = db.prepare(
    "SELECT * FROM image_uploads WHERE room = ? ORDER BY id DESC LIMIT ?",
  );
  const selectOne = db.prepare("SELECT * FROM image_uploads WHERE room = ? AND id = ?");
  const selectStale = db.prepare(
    "SELECT * FROM image_uploads WHERE room = ? ORDER BY id DESC LIMIT -1 OFFSET ?",
  );
  const deleteOne = db.prepare("DELETE FROM image_uploads WHERE id = ?");

  return {
    adminEntries: async () => (await readEntries(join(dataDir, ".htpasswd"))) ?? [],
    roomEntries: (room) => readEntries(join(roomDir(room), ".htpasswd")),

    exists: async (room) => await isFile(join(roomDir(room), ".htpasswd")),

    async listRooms() {
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
    },

    async saveImage(room, data, options) {
      const dir = join(roomDir(room), "images");
      const { file, size, type, created } = await writeImage(roomsDir, room, data, options);
      const meta = { contentType: type.mime, uploadedBy: options.uploadedBy };
      const { record, stale } = transaction(db, () => {
        const row = insert.get(room, file, meta.contentType, size, meta.uploadedBy, Date.now());
        const staleRows = selectStale.all(room, keep) as Row[];
        for (const old of staleRows) deleteOne.run(old.id);
        return { record: toRecord(row as Row), stale: staleRows.map(toRecord) };
      });
      // Rows go first, files after: a reader never gets a row whose file is already gone for good.
      for (const old of stale) await removeIfExists(join(dir, old.file));
      return { record, created };
    },

    current: (room) => {
      const row = selectRecent.get(room, 1) as Row | undefined;
      return row ? toRecord(row) : null;
    },
    recent: (room, limit) => (selectRecent.all(room, limit) as Row[]).map(toRecord),
    image: (room, id) => {
      const row = selectOne.get(room, id) as Row | undefined;
      return row ? toRecord(row) : null;
    },
    pathOf: (record) => join(roomDir(record.room), "images", record.file),
  };
}

/** Creates a room's folder and `.htpasswd` (starting with `line`); false when it existed. */
async function createRoom(roomDir: string, line: string): Promise<boolean> {
  await Deno.mkdir(join(roomDir, "images"), { recursive: true });
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

/** Writes an upload into `rooms/<room>/images/`, creating the room after it when asked to. */
async function writeImage(
  roomsDir: string,
  room: string,
  data: ReadableStream<Uint8Array>,
  { maxBytes, createWith }: SaveImageOptions,
): Promise<{ file: string; size: number; type: ImageType; created: boolean }> {
  const dir = join(roomsDir, room, "images");
  let type: ImageType | undefined;
  const fileName = () => `${Date.now()}-${crypto.randomUUID().slice(0, 8)}.${type!.ext}`;
  const check = (head: Uint8Array) => {
    type = detectImageType(head) ?? undefined;
    if (!type) throw new NotAnImageError();
  };
  const limits = { maxBytes, peekBytes: 32, check };
  let file = "";
  let size: number;
  let created = false;
  if (createWith === undefined) {
    await Deno.mkdir(dir, { recursive: true });
    size = await writeFileAtomic({ dir, name: () => (file = fileName()) }, data, limits);
  } else {
    // A new room: the image lands outside it first, so a refused upload leaves no room.
    await Deno.mkdir(roomsDir, { recursive: true });
    const staged = join(roomsDir, `.tmp-upload-${crypto.randomUUID()}`);
    size = await writeFileAtomic(staged, data, limits);
    try {
      created = await createRoom(join(roomsDir, room), createWith);
      file = fileName();
      await renameDurably(staged, join(dir, file));
    } catch (error) {
      await removeIfExists(staged);
      throw error;
    }
  }
  if (!type) throw new Error("Cannot save image: its type was never detected");
  return { file, size, type, created };
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
 * Removes the temp files a crash left in image rooms (`rooms/.tmp-*`, `rooms/<room>/images/.tmp-*`),
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
      await sweep(join(roomsDir, entry.name, "images")).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return removed;
}
