// How stream rooms look to clients: public views, absolute HLS and RTMP links, the admin check.
import { secretsEqual } from "../../tokens.ts";
import { HttpError } from "../../errors.ts";
import { type ClientOptions, publicBase } from "../../edge/client.ts";
import type { StreamRoom } from "../../storage/streams_store.ts";
import type { RoomStatus, RoomView } from "./wire.ts";

/** Where clients reach this server (edge/client.ts), and STREAM_HOST for HLS. */
export interface LinkOptions extends ClientOptions {
  streamHost?: string;
}

/** The folder URL of a room's HLS output: STREAM_HOST's `/hls` when set (the seed's meaning). */
export function hlsFolder(request: Request, options: LinkOptions, playbackId: string): string {
  const base = options.streamHost ? `${options.streamHost}/` : publicBase(request, options);
  return `${base}hls/${playbackId}/`;
}

/** OBS's "Server" field: `rtmp://<host>:<port>/live`. */
export function rtmpUrl(request: Request, options: LinkOptions, port: number): string {
  // URL.hostname keeps the brackets of an IPv6 address, as a URL needs.
  return `rtmp://${new URL(publicBase(request, options)).hostname}:${port}/live`;
}

/** A room as anyone may see it: never the key. */
export function roomView(
  request: Request,
  options: LinkOptions,
  room: StreamRoom,
  status: RoomStatus,
): RoomView {
  const folder = hlsFolder(request, options, room.playbackId);
  return {
    slug: room.slug,
    name: room.name,
    description: room.description,
    private: room.private,
    slowModeSeconds: room.slowModeSeconds,
    lastLiveAt: room.lastLiveAt === null ? null : new Date(room.lastLiveAt).toISOString(),
    isLive: status.isLive,
    viewers: status.viewers,
    liveSince: status.liveSince,
    playbackId: room.playbackId,
    hlsUrl: `${folder}index.m3u8`,
    thumbnailUrl: status.isLive ? `${folder}thumb.jpg` : null,
    watchUrl: `${publicBase(request, options)}watch/${room.slug}`,
    createdAt: new Date(room.createdAt).toISOString(),
  };
}

/** Checks `x-admin-token` against SERVER_ADMIN_TOKEN in constant time; throws the right 4xx/503. */
export function requireAdmin(expected: string | undefined, given: string | undefined): void {
  if (!expected) {
    throw new HttpError(503, "Admin API is disabled: SERVER_ADMIN_TOKEN is not set");
  }
  if (!given) throw new HttpError(401, "Admin token required: send the x-admin-token header");
  // Compared as equal-length digests: the time says nothing about the token or its length.
  if (!secretsEqual(given, expected)) {
    throw new HttpError(403, "Invalid admin token");
  }
}
