// The blob-store seam images, media files and thumbnails are kept behind: files in DATA_DIR or S3.
import { TooLargeError } from "./files.ts";

export { TooLargeError };

/** What a store knows of a stored blob. */
export interface BlobInfo {
  size: number;
  /** Milliseconds since the epoch. */
  mtime: number;
  /** The store's own validator (S3's ETag, or size and mtime for files); quoted. */
  etag: string;
}

/** One blob found by `list`. */
export interface BlobEntry extends BlobInfo {
  /** The full key, `prefix` included. */
  key: string;
}

export interface BlobPutOptions {
  /** Fail with TooLargeError once more than this many bytes arrived; nothing is kept. */
  maxBytes?: number;
  /** Looks at the first bytes (at least `peekBytes` of them, or all if fewer) and may throw to refuse. */
  check?(head: Uint8Array): void;
  /** @default 64 */
  peekBytes?: number;
  /** Stored with the blob, for stores that serve it themselves (S3 behind S3_PUBLIC_URL). */
  contentType?: string;
}

/** An inclusive byte range, already checked against the blob's size. */
export interface BlobRange {
  start: number;
  end: number;
}

/** How a redirect to the store should be answered by it. */
export interface BlobLinkOptions {
  contentType: string;
  cacheControl: string;
}

/**
 * Keys are `/`-separated paths of `[A-Za-z0-9._-]` segments (never `.` or `..`), the same names
 * the files implementation uses under DATA_DIR: `rooms/<room>/images/<file>`, `media/<name>`.
 */
export interface BlobStore {
  /**
   * Stores `data` under `key`, visible only once complete: a reader sees the old blob or the
   * new one. A failed, refused or oversized put leaves nothing. Returns the bytes stored.
   */
  put(
    key: string,
    data: Uint8Array | ReadableStream<Uint8Array>,
    options?: BlobPutOptions,
  ): Promise<number>;
  /** The blob's bytes (only `range` of them when given); null when there is none. */
  open(key: string, range?: BlobRange): Promise<ReadableStream<Uint8Array> | null>;
  stat(key: string): Promise<BlobInfo | null>;
  /** Gives a blob a new key, atomically at the target; the old key is gone afterwards. */
  move(from: string, to: string): Promise<void>;
  /** Removes a blob; one already gone is no error. */
  delete(key: string): Promise<void>;
  /** The blobs directly under `prefix` (which ends in `/`), not those in deeper folders. */
  list(prefix: string): Promise<BlobEntry[]>;
  /**
   * A URL the browser can fetch the blob from itself (S3_PUBLIC_URL, presigned); null when the
   * server serves it (files, or S3 without S3_PUBLIC_URL).
   */
  link(key: string, options: BlobLinkOptions): Promise<string | null>;
  /** The blob's path on this machine, for the files store (ffmpeg reads it in place); else null. */
  localPath(key: string): string | null;
  /** Releases the store's connections. */
  close(): void;
}

const KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Throws for a key that is not a store key (see BlobStore). */
export function checkKey(key: string): string {
  if (!KEY.test(key) || key.split("/").some((part) => part === "." || part === "..")) {
    throw new Error(`Cannot use blob key ${JSON.stringify(key)}`);
  }
  return key;
}

/** Reads a whole blob (bounded by its caller: an SVG upload, a staged thumbnail). */
export async function readBlob(
  blobs: Pick<BlobStore, "open">,
  key: string,
): Promise<Uint8Array | null> {
  const body = await blobs.open(key);
  return body ? new Uint8Array(await new Response(body).arrayBuffer()) : null;
}
