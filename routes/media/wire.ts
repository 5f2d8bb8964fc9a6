// The Media Server's JSON, as its API answers and the media page reads it. Types only: the page
// imports them with `import type`, so nothing of the server reaches a bundle.
import type { MediaSort } from "../../storage/media_store.ts";

/** One stored file as the seed lists it (`created_at` is ISO 8601). */
export interface MediaItem {
  filename: string;
  url: string;
  /** The name it was uploaded under (cleaned); null for files found in the folder. */
  original_name: string | null;
  size: number;
  content_type: string;
  /** From the file's header; null when it states none. */
  width: number | null;
  height: number | null;
  created_at: string;
}

/** The orders `GET /media?sort=` knows. */
export type MediaSortName = MediaSort;

/**
 * `GET /media[?q=&sort=&limit=&offset=]`: newest first unless sorted; `limit` null when none was
 * asked for; `total` counts every file matching `q`.
 */
export interface MediaList {
  count: number;
  total: number;
  offset: number;
  limit: number | null;
  q: string;
  sort: MediaSortName;
  images: MediaItem[];
}

/** `POST /upload`. */
export interface MediaUploaded {
  url: string;
  filename: string;
}

/** `POST /media/admin/token`: a fresh upload token for the signed-in admin. */
export interface MediaToken {
  token: string;
  expires_at: string;
}

/** One entry of a FastAPI 422 (pydantic v1 wording). */
export interface FieldProblem {
  loc: [string, string];
  msg: string;
  type: string;
  ctx?: { limit_value: number };
}

/** Every error body: a message, or the 422's list of field problems. */
export interface MediaProblem {
  detail: string | FieldProblem[];
}

/** The media page's boot data (`window.__ROOMCAST__`). */
export type MediaPageData = {
  user: string;
  /** False when MEDIA_SERVER_SECRET is not set. */
  enabled: boolean;
  maxUploadBytes: number;
  /** The allowed extensions, dot first: `.jpg`. */
  allowed: string[];
};
