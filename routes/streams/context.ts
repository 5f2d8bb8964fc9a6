// What every stream rooms router is handed, and the lookups they share (room by slug, views).
import type { Context } from "hono";
import { HttpError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { SseTransport } from "../../realtime/sse.ts";
import type { StreamAccessStore } from "../../storage/stream_access_store.ts";
import type { StreamChatStore } from "../../storage/stream_chat_store.ts";
import type { StreamRoom, StreamsStore } from "../../storage/streams_store.ts";
import type { PageRenderer } from "../pages.ts";
import type { KeySeal } from "./key_seal.ts";
import type { StreamAccess } from "./stream_access.ts";
import type { StreamChat } from "./stream_chat.ts";
import type { HealthTracker } from "./stream_health.ts";
import type { StreamLive } from "./stream_live.ts";
import type { StreamIngest } from "./stream_rtmp.ts";
import { type LinkOptions, roomView, rtmpUrl } from "./stream_views.ts";
import type { ObsSettings, RoomView } from "./wire.ts";

export interface StreamsContext {
  store: StreamsStore;
  chatStore: StreamChatStore;
  accessStore: StreamAccessStore;
  access: StreamAccess;
  chat: StreamChat;
  live: StreamLive;
  /** The rooms' RTMP listener (a do-nothing one when RTMP is off): its port, live slugs, kick. */
  ingest: StreamIngest;
  health: HealthTracker;
  hub: Pick<Hub, "dropTopic" | "publish" | "lastId">;
  sse: SseTransport;
  log: Logger;
  page: PageRenderer;
  links: LinkOptions;
  /** Origins besides our own whose pages may use the dashboard cookie (ALLOWED_ORIGINS). */
  allowedOrigins: string[];
  /** Null when SERVER_ADMIN_TOKEN is unset (then there is no admin to show keys to). */
  seal: KeySeal | null;
  /** `<DATA_DIR>/hls`, where a deleted room's output is removed from. */
  hlsDir: string;
  /** STREAM_TRANSCODE, so pages know whether a quality picker makes sense. */
  transcode: string;
}

export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** The room named in the path: 400 for a malformed slug, 404 for an unknown one. */
export async function roomOf(ctx: StreamsContext, c: Context): Promise<StreamRoom> {
  const slug = c.req.param("slug") ?? "";
  if (!SLUG.test(slug)) throw new HttpError(400, "Invalid room slug");
  const room = await ctx.store.get(slug);
  if (!room) throw new HttpError(404, "Room not found");
  return room;
}

/** The room named in the path, if this request may see it (403 for a private room otherwise). */
export async function visibleRoomOf(ctx: StreamsContext, c: Context): Promise<StreamRoom> {
  const room = await roomOf(ctx, c);
  await ctx.access.requireView(c, room);
  return room;
}

export function viewOf(ctx: StreamsContext, c: Context, room: StreamRoom): RoomView {
  return roomView(c.req.raw, ctx.links, room, ctx.live.status(room));
}

/** OBS's two fields: the server URL and the key. */
export function obsSettings(
  ctx: StreamsContext,
  c: Context,
  streamKey: string | null,
): ObsSettings {
  return {
    streamKey,
    rtmpUrl: rtmpUrl(c.req.raw, ctx.links, ctx.ingest.port),
  };
}
