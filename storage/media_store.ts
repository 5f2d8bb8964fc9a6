// The media library's files (blobs `media/<32 hex>.<ext>`) and their rows (Sql).
import type { BlobStore } from "./blobs.ts";
import { putChecked, UploadContentError } from "./checked_upload.ts";
import type { Param, Row, Sql } from "./sql.ts";
import { readBlobDimensions } from "./media_dimensions.ts";

/** The seed's allowed extensions, with the type each is served as. */
export const MEDIA_TYPES: Readonly<Record<string, string>> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  bmp: "image/bmp",
};

/** The only names the library ever stores or serves; anything else never reaches the disk. */
export const MEDIA_NAME = /^[0-9a-f]{32}\.(jpg|jpeg|png|gif|webp|svg|bmp)$/;

export interface MediaRecord {
  filename: string;
  /** The name it was uploaded under, cleaned; null for files indexed from the folder. */
  originalName: string | null;
  contentType: string;
  size: number;
  /** From the file's header; null when it states none (an SVG sized in %). */
  width: number | null;
  height: number | null;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** Listing orders: newest first, by name (original, else stored) A→Z, largest first. */
export const MEDIA_SORTS = ["newest", "name", "size"] as const;
export type MediaSort = typeof MEDIA_SORTS[number];

export interface MediaQuery {
  limit?: number;
  offset?: number;
  /** Case-insensitive text both names must contain one of; empty or absent matches all. */
  q?: string;
  /** @default "newest" */
  sort?: MediaSort;
}

/** The upload's bytes do not match its extension, or are an SVG Roomcast will not keep. */
export { UploadContentError as MediaContentError };

export interface MediaStore {
  /** Streams `data` to a new file named `<32 hex>.<ext>`; its content must match `ext`. */
  save(
    data: ReadableStream<Uint8Array>,
    ext: string,
    maxBytes: number,
    options?: { originalName?: string | null },
  ): Promise<MediaRecord>;
  /** One page of the files matching `q`; `total` counts every match. */
  list(query: MediaQuery): Promise<{ total: number; records: MediaRecord[] }>;
  /** Null for unknown and for invalid names. */
  get(filename: string): Promise<MediaRecord | null>;
  /** Removes the file and its row; false when there was none. */
  remove(filename: string): Promise<boolean>;
  /** The blob key of a stored file; throws for a name that is not a media name. */
  keyOf(filename: string): string;
  /** Records a one-time token's use: true the first time, false after (also across instances). */
  useToken(signature: string, expiresAt: number): Promise<boolean>;
}

const toRecord = (row: Row): MediaRecord => ({
  filename: String(row.filename),
  originalName: row.original_name === null ? null : String(row.original_name),
  contentType: String(row.content_type),
  size: Number(row.size),
  width: row.width === null ? null : Number(row.width),
  height: row.height === null ? null : Number(row.height),
  createdAt: Number(row.created_at),
});

/** What `q` is matched against: both names, case-folded the same way as the query. */
const searchText = (filename: string, originalName: string | null) =>
  fold(originalName ? `${originalName}\n${filename}` : filename);
const fold = (text: string) => text.normalize("NFKC").toLowerCase();
/** `q` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally. */
const containing = (q: string) => `%${fold(q).replace(/[\\%_]/g, (ch) => "\\" + ch)}%`;

/**
 * Orders per engine: SQLite's NOCASE folds ASCII and compares bytes; Postgres has no NOCASE, so
 * LOWER() in byte order ("C") is its twin (indexed the same way in 022_media_names.sql).
 */
const ORDERS: Record<Sql["dialect"], Record<MediaSort, string>> = {
  sqlite: {
    newest: "created_at DESC, filename",
    name: "COALESCE(original_name, filename) COLLATE NOCASE, filename",
    size: "size DESC, filename",
  },
  postgres: {
    newest: 'created_at DESC, filename COLLATE "C"',
    name: 'LOWER(COALESCE(original_name, filename)) COLLATE "C", filename COLLATE "C"',
    size: 'size DESC, filename COLLATE "C"',
  },
};

const MATCHING = "search_text LIKE ? ESCAPE '\\'";

/** The store's queries, one text for both engines but the orders. */
function queries(sql: Sql) {
  const order = ORDERS[sql.dialect];
  return {
    /**
     * Adds a file's row. `replace`: an upload's own row wins over one another instance's folder
     * scan made for the same file between its write and this insert (the scan's would have no name).
     */
    insert: (values: Param[], replace: boolean) =>
      sql.get<Row>(
        `INSERT INTO media_files
           (filename, original_name, content_type, size, width, height, created_at, search_text)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (filename) DO ${
          replace
            ? `UPDATE SET original_name = excluded.original_name, size = excluded.size,
                 width = excluded.width, height = excluded.height,
                 created_at = excluded.created_at, search_text = excluded.search_text`
            : "NOTHING"
        } RETURNING *`,
        values,
      ),
    count: async (pattern: string) => {
      const row = await sql.get<Row>(`SELECT COUNT(*) AS n FROM media_files WHERE ${MATCHING}`, [
        pattern,
      ]);
      return Number(row!.n);
    },
    page: (pattern: string, sort: MediaSort, limit: number, offset: number) =>
      sql.all<Row>(
        `SELECT * FROM media_files WHERE ${MATCHING} ORDER BY ${order[sort]} LIMIT ? OFFSET ?`,
        [pattern, limit, offset],
      ),
    unsized: () => sql.all<Row>("SELECT filename FROM media_files WHERE width IS NULL"),
    resize: (width: number, height: number, filename: string) =>
      sql.run("UPDATE media_files SET width = ?, height = ? WHERE filename = ?", [
        width,
        height,
        filename,
      ]),
    one: (filename: string) =>
      sql.get<Row>("SELECT * FROM media_files WHERE filename = ?", [filename]),
    names: () => sql.all<Row>("SELECT filename FROM media_files"),
    deleteOne: (filename: string) =>
      sql.run("DELETE FROM media_files WHERE filename = ?", [filename]),
    // ON CONFLICT DO NOTHING: of concurrent uses (any instance) exactly one inserts; the others
    // wait for its commit (Postgres) or the write lock (SQLite) and change nothing.
    spend: (signature: string, expiresAt: number) =>
      sql.run(
        "INSERT INTO media_token_uses (signature, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [signature, expiresAt],
      ),
    forget: (now: number) => sql.run("DELETE FROM media_token_uses WHERE expires_at < ?", [now]),
  };
}

/** Stores an upload as `dir/filename`, checked as its type while it streams; returns its size. */
const writeMedia = (
  blobs: BlobStore,
  dir: string,
  filename: string,
  ext: string,
  data: ReadableStream<Uint8Array>,
  maxBytes: number,
) =>
  putChecked(blobs, `${dir}/${filename}`, data, { ext, maxBytes, contentType: MEDIA_TYPES[ext] });

type Queries = ReturnType<typeof queries>;

/** Adds a file's row, its dimensions read from the file itself. */
async function insertRow(
  q: Queries,
  blobs: BlobStore,
  key: string,
  filename: string,
  file: { originalName: string | null; size: number; createdAt: number },
): Promise<Row | undefined> {
  const ext = filename.slice(33);
  const dims = await readBlobDimensions(blobs, key, ext);
  const values = [
    filename,
    file.originalName,
    MEDIA_TYPES[ext],
    file.size,
    dims?.width ?? null,
    dims?.height ?? null,
    file.createdAt,
    searchText(filename, file.originalName),
  ];
  // A folder scan's row (no original name) never replaces one an upload made.
  return await q.insert(values, file.originalName !== null);
}

/**
 * Makes the folder, drops temp files a crash left, indexes files put there by hand (e.g. a folder
 * copied from the old Media Server), forgets rows whose file is gone, and reads the dimensions of
 * files stored before they were recorded.
 */
async function prepareFolder(q: Queries, blobs: BlobStore, dir: string): Promise<void> {
  const known = new Set((await q.names()).map((r) => String(r.filename)));
  for (const blob of await blobs.list(`${dir}/`)) {
    const name = blob.key.slice(dir.length + 1);
    // The files store's temp files, and SVGs a crash left half checked.
    if (name.startsWith(".tmp-") || name.startsWith(".svg-")) {
      await blobs.delete(blob.key);
    } else if (MEDIA_NAME.test(name) && !known.delete(name)) {
      await insertRow(q, blobs, blob.key, name, {
        originalName: null,
        size: blob.size,
        createdAt: blob.mtime || Date.now(),
      });
    } else known.delete(name);
  }
  for (const gone of known) await q.deleteOne(gone);
  for (const row of await q.unsized()) {
    const filename = String(row.filename);
    const dims = await readBlobDimensions(blobs, `${dir}/${filename}`, filename.slice(33));
    if (dims) await q.resize(dims.width, dims.height, filename);
  }
}

/** The library over `blobs`, its files under the folder key `dir`. */
export function createMediaStore(sql: Sql, blobs: BlobStore, dir = "media"): MediaStore {
  const q = queries(sql);
  // The folder is prepared once per store, on first use.
  let prepared: Promise<void> | undefined;
  const ready = () => (prepared ??= prepareFolder(q, blobs, dir));

  const keyOf = (filename: string) => {
    if (!MEDIA_NAME.test(filename)) throw new Error(`Cannot use media name ${filename}`);
    return `${dir}/${filename}`;
  };

  return {
    async save(data, ext, maxBytes, { originalName = null } = {}) {
      await ready();
      if (!MEDIA_TYPES[ext]) throw new Error(`Cannot save media: unknown extension ${ext}`);
      const filename = `${crypto.randomUUID().replaceAll("-", "")}.${ext}`;
      const size = await writeMedia(blobs, dir, filename, ext, data, maxBytes);
      try {
        const file = { originalName, size, createdAt: Date.now() };
        return toRecord((await insertRow(q, blobs, keyOf(filename), filename, file))!);
      } catch (error) {
        await blobs.delete(keyOf(filename));
        throw error;
      }
    },

    async list({ limit = -1, offset = 0, q: text = "", sort = "newest" }) {
      await ready();
      const pattern = containing(text);
      const total = await q.count(pattern);
      // Postgres refuses SQLite's LIMIT -1 ("no limit"); both take the largest safe integer.
      const rows = await q.page(pattern, sort, limit < 0 ? Number.MAX_SAFE_INTEGER : limit, offset);
      return { total, records: rows.map(toRecord) };
    },

    async get(filename) {
      if (!MEDIA_NAME.test(filename)) return null;
      await ready();
      const row = await q.one(filename);
      return row ? toRecord(row) : null;
    },

    async remove(filename) {
      if (!MEDIA_NAME.test(filename)) return false;
      await ready();
      if ((await q.deleteOne(filename)) === 0) return false;
      await blobs.delete(keyOf(filename));
      return true;
    },

    keyOf,

    async useToken(signature, expiresAt) {
      await q.forget(Date.now());
      return (await q.spend(signature, expiresAt)) === 1;
    },
  };
}
