// Workspace attachments: files under `workspace-attachments/` in the blob store (stored through
// checked_upload.ts, the media library's path) and their rows, one message each.
import type { BlobStore } from "./blobs.ts";
import { checkable, putChecked } from "./checked_upload.ts";
import type { Row, Sql } from "./sql.ts";

/** The types attachments take, by extension, with the type each is served as. */
export const ATTACHMENT_TYPES: Readonly<Record<string, string>> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  pdf: "application/pdf",
  txt: "text/plain; charset=utf-8",
  zip: "application/zip",
  mp4: "video/mp4",
  webm: "video/webm",
};

export const ATTACHMENT_DIR = "workspace-attachments";

export interface Attachment {
  id: number;
  messageId: number;
  /** The cleaned name it was uploaded under. */
  name: string;
  contentType: string;
  size: number;
}

export interface StoredAttachment extends Attachment {
  key: string;
  channelId: number;
}

export interface AttachmentsStore {
  /** Streams `data` to a new blob; its content must be of the type `ext` names. */
  saveBlob(
    data: ReadableStream<Uint8Array>,
    ext: string,
    maxBytes: number,
  ): Promise<{ key: string; size: number }>;
  /** Records a stored blob as `messageId`'s attachment. */
  add(messageId: number, key: string, name: string, size: number): Promise<Attachment>;
  /** Each message's attachments, by message id (messages without any are absent). */
  forMessages(ids: readonly number[]): Promise<Map<number, Attachment[]>>;
  get(id: number): Promise<StoredAttachment | null>;
  deleteBlob(key: string): Promise<void>;
  /**
   * Removes blobs no row names (their message, channel or server was deleted, or the upload's
   * message was refused), if older than `graceMs` so an upload in flight is never taken.
   */
  sweep(graceMs: number, now?: number): Promise<number>;
}

const KEY = new RegExp(`^${ATTACHMENT_DIR}/[0-9a-f]{32}\\.[a-z0-9]+$`);

const toAttachment = (r: Row): StoredAttachment => ({
  id: Number(r.id),
  messageId: Number(r.message_id),
  name: String(r.name),
  contentType: String(r.content_type),
  size: Number(r.size),
  key: String(r.blob_key),
  channelId: Number(r.channel_id),
});

/** The public view: no blob key, no channel. */
export const publicAttachment = (
  { key: _k, channelId: _c, ...view }: StoredAttachment,
): Attachment => view;

export function createAttachmentsStore(sql: Sql, blobs: BlobStore): AttachmentsStore {
  return {
    async saveBlob(data, ext, maxBytes) {
      if (!ATTACHMENT_TYPES[ext] || !checkable(ext)) {
        throw new Error(`Cannot save attachment: unknown extension ${ext}`);
      }
      const key = `${ATTACHMENT_DIR}/${crypto.randomUUID().replaceAll("-", "")}.${ext}`;
      const contentType = ATTACHMENT_TYPES[ext];
      return { key, size: await putChecked(blobs, key, data, { ext, maxBytes, contentType }) };
    },
    async add(messageId, key, name, size) {
      const ext = key.slice(key.lastIndexOf(".") + 1);
      const row = await sql.get<Row>(
        `INSERT INTO message_attachments (message_id, blob_key, name, content_type, size, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
        [messageId, key, name, ATTACHMENT_TYPES[ext], size, Date.now()],
      );
      return publicAttachment({ ...toAttachment({ ...row!, channel_id: 0 }) });
    },
    async forMessages(ids) {
      const found = new Map<number, Attachment[]>();
      if (!ids.length) return found;
      const rows = await sql.all<Row>(
        `SELECT a.*, 0 AS channel_id FROM message_attachments a
         WHERE a.message_id IN (${ids.map(() => "?").join(",")}) ORDER BY a.id`,
        ids,
      );
      for (const row of rows) {
        const attachment = publicAttachment(toAttachment(row));
        const list = found.get(attachment.messageId) ?? [];
        list.push(attachment);
        found.set(attachment.messageId, list);
      }
      return found;
    },
    async get(id) {
      const row = await sql.get<Row>(
        `SELECT a.*, m.channel_id FROM message_attachments a
         JOIN messages m ON m.id = a.message_id WHERE a.id = ?`,
        [id],
      );
      return row ? toAttachment(row) : null;
    },
    deleteBlob: (key) => blobs.delete(key),
    async sweep(graceMs, now = Date.now()) {
      let removed = 0;
      for (const blob of await blobs.list(`${ATTACHMENT_DIR}/`)) {
        if (now - blob.mtime < graceMs) continue;
        // The files store's temp files of a crashed put go too.
        const stray = !KEY.test(blob.key) ||
          !await sql.get("SELECT 1 AS x FROM message_attachments WHERE blob_key = ?", [blob.key]);
        if (stray) {
          await blobs.delete(blob.key);
          removed++;
        }
      }
      return removed;
    },
  };
}
