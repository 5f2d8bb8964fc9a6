// Image rooms' small shared pieces: the room name parameter, an upload as clients see it, thumbnails.
import { HttpError } from "../../errors.ts";
import type { ImageRecord } from "../../storage/images_store.ts";
import type { Thumbnail, Thumbnailer } from "../../storage/thumbnails.ts";
import { isRoomName } from "./reserved.ts";
import type { ImageView } from "./wire.ts";

/** Width of the strip's thumbnails: a 100 px wide cell on a 2x screen, with room to spare. */
export const THUMB_WIDTH = 320;

export function roomParam(name: string): string {
  if (!isRoomName(name)) throw new HttpError(400, "Invalid room name");
  return name;
}

/** An image upload as clients see it. */
export function imageView(basePath: string, record: ImageRecord): ImageView {
  return {
    id: record.id,
    url: `${basePath}${record.room}/images/${record.id}`,
    thumbUrl: `${basePath}${record.room}/thumb/${record.id}`,
    contentType: record.contentType,
    size: record.size,
    uploadedBy: record.uploadedBy,
    uploadedAt: new Date(record.uploadedAt).toISOString(),
    caption: record.caption,
  };
}

/** One small copy per image, made on its first request by the shared thumbnailer (bounded there). */
export interface ImageThumbs {
  /** The thumbnail of `record` (whose file is the blob `key`); null when none can be made. */
  of(record: ImageRecord, key: string): Promise<Thumbnail | null>;
  forget(record: ImageRecord): Promise<void>;
  close(): void;
}

/** Thumbnails named by image id, which no two rooms share. */
export function createImageThumbs(thumbnailer: Thumbnailer): ImageThumbs {
  const nameOf = (record: ImageRecord) =>
    `${record.id}${record.file.slice(record.file.lastIndexOf("."))}`;
  return {
    of: (record, key) => thumbnailer.thumbnail(key, nameOf(record), THUMB_WIDTH),
    forget: (record) => thumbnailer.forget(nameOf(record)),
    close: () => thumbnailer.close(),
  };
}
