// Image rooms' JSON, as the API answers and the home and image room pages read it. Types only: the
// pages import them with `import type`, so nothing of the server reaches a bundle.

/** One uploaded image as clients see it (`uploadedAt` is ISO 8601). */
export interface ImageView {
  id: number;
  url: string;
  contentType: string;
  size: number;
  uploadedBy: string;
  uploadedAt: string;
}

/** `GET /:room/meta`: the live image and the recent ones, newest first. */
export interface RoomMeta {
  room: string;
  current: ImageView | null;
  recent: ImageView[];
}

/** `GET /api/image-rooms`: every room with its live image. */
export interface ImageRoomList {
  rooms: { room: string; current: ImageView | null }[];
}

/** `POST /:room/upload`. */
export interface Uploaded {
  ok: true;
  room: string;
  /** True when this upload made the room. */
  created: boolean;
  image: ImageView;
}

/** The image room page's boot data (`window.__ROOMCAST__`). */
export type ImageRoomPageData = { room: string };
