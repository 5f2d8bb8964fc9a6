// Live state of stream rooms: going live/offline from RTMP or hooks, viewers, presence, hub events.
import type { Hub } from "../../realtime/hub.ts";
import type { Logger } from "../../log.ts";
import type { LiveSource, StreamRoom, StreamsStore } from "../../storage/streams_store.ts";
import type { HealthTracker } from "./stream_health.ts";
import type { LiveChange, Presence, RoomEvents, RoomStatus } from "./wire.ts";

export interface StreamLive {
  status(room: StreamRoom): RoomStatus;
  presence(slug: string): Presence;
  /** Marks a room live (`source`) or offline (null) and tells subscribers if that changed. */
  setLive(slug: string, source: LiveSource | null): StreamRoom | null;
  /** Recounts a room's viewers soon (after a subscribe or unsubscribe). */
  touch(slug: string): void;
  /** A socket in the room, named once it chats (nickname) or anonymous (null). */
  enter(clientId: string, slug: string, nickname: string | null): void;
  /** A socket left one room, or every room when `slug` is omitted. */
  leave(clientId: string, slug?: string): void;
  /** Tells subscribers a room was created, changed or deleted. */
  announce(type: "created" | "deleted" | "room", slug: string, data?: unknown): void;
  /** Publishes on the room's topic only (chat, moderation). */
  publishRoom<T extends keyof RoomEvents>(slug: string, type: T, data: RoomEvents[T]): void;
  close(): void;
}

export interface StreamLiveOptions {
  /** How often every watched room is recounted, for subscribers that left unseen. @default 3000 */
  sweepMs?: number;
  /** Told when rooms go live or offline, and sampled for the viewer graph. */
  health?: Pick<HealthTracker, "live" | "offline" | "sample" | "forget">;
}

export const roomTopic = (slug: string): string => `stream:${slug}`;
/** The topic of every public room's status, for the home page's badges. */
export const ROOMS_TOPIC = "streams";

export function createStreamLive(
  store: StreamsStore,
  hub: Pick<Hub, "publish" | "subscriberCount">,
  log: Logger,
  options: StreamLiveOptions = {},
): StreamLive {
  // Last presence published per room (as JSON); rooms nobody watches are forgotten.
  const counted = new Map<string, string>();
  const pending = new Set<string>();
  // clientId → slug → nickname (null: watching without chatting).
  const sockets = new Map<string, Map<string, string | null>>();
  let soon: ReturnType<typeof setTimeout> | undefined;

  const viewers = (slug: string) => hub.subscriberCount(roomTopic(slug));
  const status = (room: StreamRoom): RoomStatus => ({
    slug: room.slug,
    isLive: room.liveSource !== null,
    viewers: viewers(room.slug),
    liveSince: room.liveSince === null ? null : new Date(room.liveSince).toISOString(),
  });
  const presence = (slug: string): Presence => {
    const names = new Map<string, string>();
    let named = 0;
    for (const rooms of sockets.values()) {
      const nickname = rooms.get(slug);
      if (!nickname) continue;
      named++;
      names.set(nickname.toLowerCase(), nickname);
    }
    const count = viewers(slug);
    return {
      slug,
      viewers: count,
      anonymous: Math.max(0, count - named),
      nicknames: [...names.values()].sort((a, b) => a.localeCompare(b)),
    };
  };
  const publish = (type: string, data: unknown, room: StreamRoom) => {
    hub.publish(roomTopic(room.slug), type, data);
    // A private room's comings and goings are nobody else's business.
    if (!room.private) hub.publish(ROOMS_TOPIC, type, data);
  };

  const empty = (slug: string) => JSON.stringify({ slug, viewers: 0, anonymous: 0, nicknames: [] });
  const recount = (slug: string) => {
    const now = presence(slug);
    const seen = JSON.stringify(now);
    const before = counted.get(slug) ?? empty(slug);
    if (seen === before) return;
    if (now.viewers === 0) counted.delete(slug);
    else counted.set(slug, seen);
    const room = store.get(slug);
    if (!room) return;
    if (JSON.parse(before).viewers !== now.viewers) publish("viewers", status(room), room);
    hub.publish(roomTopic(slug), "presence", now);
  };
  const flush = () => {
    soon = undefined;
    for (const slug of pending) recount(slug);
    pending.clear();
  };
  const touch = (slug: string) => {
    pending.add(slug);
    soon ??= setTimeout(flush, 50);
  };
  const sweep = setInterval(() => {
    for (const slug of counted.keys()) recount(slug);
    for (const room of store.list()) {
      if (room.liveSource !== null) options.health?.sample(room.slug, viewers(room.slug));
    }
  }, options.sweepMs ?? 3000);

  // No publisher of our own listener survives a restart; nginx-rtmp's may, so those stay live.
  const stale = store.resetLive("rtmp");
  if (stale.length) log.info("Marked stream rooms offline after a restart", { rooms: stale });

  return {
    status,
    presence,
    setLive(slug, source) {
      const before = store.get(slug);
      if (!before) return null;
      const room = store.setLive(slug, source)!;
      if ((before.liveSource === null) !== (source === null)) {
        if (source) options.health?.live(slug);
        else options.health?.offline(slug);
        const lastLiveAt = room.lastLiveAt === null
          ? null
          : new Date(room.lastLiveAt).toISOString();
        const change: LiveChange = { ...status(room), lastLiveAt };
        publish(source ? "live" : "offline", change, room);
        log.info(source ? "Stream room is live" : "Stream room is offline", { slug, source });
      }
      return room;
    },
    touch,
    enter(clientId, slug, nickname) {
      let rooms = sockets.get(clientId);
      if (!rooms) sockets.set(clientId, rooms = new Map());
      if (nickname !== null || !rooms.has(slug)) rooms.set(slug, nickname);
      touch(slug);
    },
    leave(clientId, slug) {
      const rooms = sockets.get(clientId);
      if (!rooms) return;
      for (const name of slug === undefined ? [...rooms.keys()] : [slug]) {
        rooms.delete(name);
        touch(name);
      }
      if (rooms.size === 0) sockets.delete(clientId);
    },
    announce(type, slug, data) {
      const room = store.get(slug);
      if (type !== "deleted" && room?.private) {
        hub.publish(roomTopic(slug), type, data ?? { slug });
        return;
      }
      hub.publish(ROOMS_TOPIC, type, data ?? { slug });
      if (type !== "created") hub.publish(roomTopic(slug), type, data ?? { slug });
      if (type === "deleted") {
        counted.delete(slug);
        options.health?.forget(slug);
      }
    },
    publishRoom: (slug, type, data) => void hub.publish(roomTopic(slug), type, data),
    close() {
      clearInterval(sweep);
      clearTimeout(soon);
    },
  };
}
