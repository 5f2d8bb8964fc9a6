// Names Roomcast routes itself, which an image room therefore may not take.

const RESERVED = new Set([
  "api",
  "app",
  "assets",
  "code",
  "present",
  "readyz",
  "events",
  "favicon.ico",
  "healthz",
  "hls",
  "hooks",
  "live",
  "login",
  "logout",
  "media",
  "metrics",
  "robots.txt",
  "rooms",
  "signup",
  "static",
  "streams",
  "upload",
  "watch",
  "ws",
  "invite",
  "admin",
]);

const ROOM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `name` may be an image room: imgcast's pattern, and not one of Roomcast's own paths. */
export function isRoomName(name: string): boolean {
  return ROOM_NAME.test(name) && !RESERVED.has(name.toLowerCase());
}

/** Whether `name` is taken by Roomcast itself. */
export function isReserved(name: string): boolean {
  return RESERVED.has(name.toLowerCase());
}
