// Image rooms' JSON, as the API answers and the home and image room pages read it. Types only: the
// pages import them with `import type`, so nothing of the server reaches a bundle.

/** One uploaded image as clients see it (`uploadedAt` is ISO 8601). */
export interface ImageView {
  id: number;
  url: string;
  /** A small copy for the strip (the original when none can be made). */
  thumbUrl: string;
  contentType: string;
  size: number;
  uploadedBy: string;
  uploadedAt: string;
  /** The uploader's `caption` form field, when given. */
  caption: string | null;
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
export type ImageRoomPageData = {
  room: string;
  /** False for a room nobody has made yet: the page says so and waits for it. */
  exists: boolean;
  /** A signed-in admin uploads without Basic credentials. */
  admin: boolean;
  /** Longest caption the server takes. */
  maxCaption: number;
  maxUploadBytes: number;
};

/** `GET /api/image-rooms/:room/uploaders` (admins). */
export interface UploaderList {
  room: string;
  uploaders: { user: string; usable: boolean }[];
}

/** `GET /api/image-rooms/manage` (admins): every room with its size and uploaders. */
export interface ManagedRooms {
  rooms: {
    room: string;
    images: number;
    current: ImageView | null;
    uploaders: { user: string; usable: boolean }[];
  }[];
}

/** The rooms admin page's boot data. */
export type ImageRoomsAdminData = { admin: boolean };
