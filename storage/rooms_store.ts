// Image rooms on disk: `rooms/<room>/.htpasswd`, the uploaded images, and their rows in SQLite.
import { join } from "node:path";
import { type Db, transaction } from "./db.ts";
import { removeIfExists, writeFileAtomic } from "./files.ts";
import type { ImageType } from "./image_types.ts";
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

export interface RoomsStore {
  /** Admins who may create rooms, read from `<dataDir>/.htpasswd` on every call. */
  adminEntries(): Promise<HtpasswdEntry[]>;
  /** A room exists once its `.htpasswd` does; null when it does not. Re-read on every call. */
  roomEntries(room: string): Promise<HtpasswdEntry[] | null>;
  /** Creates a room whose `.htpasswd` starts with `line`; false when it already existed. */
  createRoom(room: string, line: string): Promise<boolean>;
  listRooms(): Promise<string[]>;
  /** Writes the image atomically, records it, and forgets images past `keep`. */
  saveImage(
    room: string,
    data: ReadableStream<Uint8Array>,
    options: SaveImageOptions,
  ): Promise<ImageRecord>;
  current(room: string): ImageRecord | null;
  recent(room: string, limit: number): ImageRecord[];
  image(room: string, id: number): ImageRecord | null;
  /** The absolute path of an image's file. */
  pathOf(record: ImageRecord): string;
}

export interface SaveImageOptions {
  uploadedBy: string;
  maxBytes: number;
  /** Names the image's type from its first bytes, or throws to refuse it. */
  detect(head: Uint8Array): ImageType;
}

export interface RoomsStoreOptions {
  dataDir: string;
  /** Images kept per room. */
  keep: number;
}

type Row = Record<string, string | number>;

const toRecord = (row: Row): ImageRecord => ({
  id: Number(row.id),
  room: String(row.room),
  file: String(row.file),
  contentType: String(row.content_type),
  size: Number(row.size),
  uploadedBy: String(row.uploaded_by),
  uploadedAt: Number(row.uploaded_at),
});

export function createRoomsStore(db: Db, { dataDir, keep }: RoomsStoreOptions): RoomsStore {
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

    async createRoom(room, line) {
      await Deno.mkdir(join(roomDir(room), "images"), { recursive: true });
      try {
        // createNew: two admins racing to create a room cannot overwrite each other's file.
        await Deno.writeTextFile(join(roomDir(room), ".htpasswd"), line + "\n", {
          createNew: true,
          mode: 0o640,
        });
        return true;
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) return false;
        throw error;
      }
    },

    async listRooms() {
      const rooms: string[] = [];
      try {
        for await (const entry of Deno.readDir(roomsDir)) {
          if (entry.isDirectory && /^[A-Za-z0-9_-]+$/.test(entry.name)) rooms.push(entry.name);
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      return rooms.sort();
    },

    async saveImage(room, data, { uploadedBy, maxBytes, detect }) {
      const dir = join(roomDir(room), "images");
      await Deno.mkdir(dir, { recursive: true });
      let type: ImageType | undefined;
      let file = "";
      const name = () => (file = `${Date.now()}-${crypto.randomUUID().slice(0, 8)}.${type!.ext}`);
      const size = await writeFileAtomic({ dir, name }, data, {
        maxBytes,
        peekBytes: 32,
        check: (head) => void (type = detect(head)),
      });
      if (!type) throw new Error("Cannot save image: its type was never detected");
      const meta = { contentType: type.mime, uploadedBy };
      const { record, stale } = transaction(db, () => {
        const row = insert.get(room, file, meta.contentType, size, meta.uploadedBy, Date.now());
        const staleRows = selectStale.all(room, keep) as Row[];
        for (const old of staleRows) deleteOne.run(old.id);
        return { record: toRecord(row as Row), stale: staleRows.map(toRecord) };
      });
      // Rows go first, files after: a reader never gets a row whose file is already gone for good.
      for (const old of stale) await removeIfExists(join(dir, old.file));
      return record;
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
