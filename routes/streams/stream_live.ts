// Live state of stream rooms: going live/offline from RTMP or hooks, viewers, presence, hub events.
import type { Hub } from "../../realtime/hub.ts";
import { createLocalPresenceMaps, type PresenceMap } from "../../realtime/presence.ts";
import type { Logger } from "../../log.ts";
import type { LiveSource, StreamRoom, StreamsStore } from "../../storage/streams_store.ts";
import type { HealthTracker } from "./stream_health.ts";
import { createSharedFigures, type RoomFigures } from "./stream_viewers.ts";
import type { LiveChange, Presence, RoomEvents, RoomStatus } from "./wire.ts";

export interface StreamLive {
  status(room: StreamRoom): RoomStatus;
  presence(slug: string): Presence;
  /**
   * Marks a room live (`source`) or offline (null) and tells subscribers if that changed; a room
   * live from our RTMP listener records this instance (INSTANCE_URL) as its origin.
   */
  setLive(slug: string, source: LiveSource | null): Promise<StreamRoom | null>;
  /** Marks offline the rooms this instance had live over RTMP before a restart. */
  resetStale(): Promise<void>;
  /** Recounts a room's viewers soon (after a subscribe or unsubscribe). */
  touch(slug: string): void;
  /** A socket in the room, named once it chats (nickname) or anonymous (null). */
  enter(clientId: string, slug: string, nickname: string | null): void;
  /** A socket left one room, or every room when `slug` is omitted. */
  leave(clientId: string, slug?: string): void;
  /** Tells subscribers a room was created, changed or deleted. */
  announce(type: "created" | "deleted" | "room", slug: string, data?: unknown): Promise<void>;
  /** Publishes on the room's topic only (chat, moderation). */
  publishRoom<T extends keyof RoomEvents>(slug: string, type: T, data: RoomEvents[T]): void;
  close(): void;
}

export interface StreamLiveOptions {
  /** How often every watched room is recounted, for subscribers that left unseen. @default 3000 */
  sweepMs?: number;
  /** Told when rooms go live or offline, and sampled for the viewer graph. */
  health?: Pick<HealthTracker, "live" | "offline" | "sample" | "forget">;
  /** INSTANCE_URL: recorded as the origin of the rooms our RTMP listener has live. */
  instanceUrl?: string;
  /** Each instance's viewer figures per room (Redis); unset: this process's only. */
  shared?: PresenceMap;
}

export const roomTopic = (slug: string): string => `stream:${slug}`;
/** The topic of every public room's status, for the home page's badges. */
export const ROOMS_TOPIC = "streams";

const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

export function createStreamLive(
  store: StreamsStore,
  hub: Pick<Hub, "publish" | "subscriberCount">,
  log: Logger,
  options: StreamLiveOptions = {},
): StreamLive {
  const seats = createSeats();
  const shared = options.shared ?? createLocalPresenceMaps()("streams:viewers");
  const figures = createSharedFigures(
    shared,
    (slug) => ({ viewers: hub.subscriberCount(roomTopic(slug)), ...seats.named(slug) }),
  );
  const viewers = (slug: string) => figures.total(slug).viewers;
  const status = (room: StreamRoom): RoomStatus => ({
    slug: room.slug,
    isLive: room.liveSource !== null,
    viewers: viewers(room.slug),
    liveSince: iso(room.liveSince),
  });
  const presence = (slug: string) => presenceOf(figures.total(slug), slug);
  const publish = (type: string, data: unknown, room: StreamRoom) =>
    publishStatus(hub, type, data, room);

  // Timers and recounts have no caller to hand a database error to: it is logged.
  const logged = (what: string) => (error: unknown) =>
    log.error(what, { error: String((error as Error)?.stack ?? error) });
  // A recount shares this instance's figures on the way: every instance sees them.
  const counter = createRecounter(
    (slug) => presenceOf(figures.share(slug), slug),
    (now, viewersChanged) => {
      store.get(now.slug).then((room) => {
        if (!room) return;
        if (viewersChanged) publish("viewers", status(room), room);
        hub.publish(roomTopic(now.slug), "presence", now);
      }).catch(logged("Cannot publish stream room presence"));
    },
  );
  const sweep = setInterval(() => {
    counter.recountAll();
    sampleLive(store, viewers, options.health).catch(logged("Cannot sample stream room viewers"));
  }, options.sweepMs ?? 3000);
  const origin = options.instanceUrl ?? null;
  // Another instance's figures changed, or went with it: recounted and told here too.
  figures.onChange(counter.touch);

  return {
    status,
    presence,
    resetStale: () => resetStale(store, log, origin),
    setLive: (slug, source) =>
      changeLive({ store, log, health: options.health, origin, status, publish }, slug, source),
    touch: counter.touch,
    enter(clientId, slug, nickname) {
      seats.enter(clientId, slug, nickname);
      counter.touch(slug);
    },
    leave(clientId, slug) {
      for (const name of seats.leave(clientId, slug)) counter.touch(name);
    },
    async announce(type, slug, data) {
      const isPrivate = (await store.get(slug))?.private ?? false;
      announceRoom(hub, type, slug, isPrivate, data ?? { slug });
      if (type === "deleted") {
        counter.forget(slug);
        options.health?.forget(slug);
      }
    },
    publishRoom: (slug, type, data) => void hub.publish(roomTopic(slug), type, data),
    close() {
      clearInterval(sweep);
      counter.close();
      shared.close();
    },
  };
}

/** A room's status change, on its topic and (unless private) on the list of rooms. */
function publishStatus(
  hub: Pick<Hub, "publish">,
  type: string,
  data: unknown,
  room: StreamRoom,
): void {
  hub.publish(roomTopic(room.slug), type, data);
  // A private room's comings and goings are nobody else's business.
  if (!room.private) hub.publish(ROOMS_TOPIC, type, data);
}

async function resetStale(
  store: Pick<StreamsStore, "resetLive">,
  log: Logger,
  origin: string | null,
): Promise<void> {
  // No publisher of our own listener survives a restart; nginx-rtmp's may, so those stay
  // live, and so do the rooms other instances (another INSTANCE_URL) hold.
  const stale = await store.resetLive("rtmp", origin);
  if (stale.length) log.info("Marked stream rooms offline after a restart", { rooms: stale });
}

/** Feeds the viewer graph: each live room's viewers, sampled on every sweep. */
async function sampleLive(
  store: Pick<StreamsStore, "list">,
  viewers: (slug: string) => number,
  health: StreamLiveOptions["health"],
): Promise<void> {
  for (const room of await store.list()) {
    if (room.liveSource !== null) health?.sample(room.slug, viewers(room.slug));
  }
}

/** Marks a room live or offline; only a change is published, logged and told to `health`. */
async function changeLive(
  { store, log, health, origin, status, publish }: {
    store: Pick<StreamsStore, "get" | "setLive">;
    log: Logger;
    health: StreamLiveOptions["health"];
    origin: string | null;
    status: (room: StreamRoom) => RoomStatus;
    publish: (type: string, data: unknown, room: StreamRoom) => void;
  },
  slug: string,
  source: LiveSource | null,
): Promise<StreamRoom | null> {
  const before = await store.get(slug);
  if (!before) return null;
  const room = (await store.setLive(slug, source, source === "rtmp" ? origin : null))!;
  if ((before.liveSource === null) !== (source === null)) {
    if (source) health?.live(slug);
    else health?.offline(slug);
    const change: LiveChange = { ...status(room), lastLiveAt: iso(room.lastLiveAt) };
    publish(source ? "live" : "offline", change, room);
    log.info(source ? "Stream room is live" : "Stream room is offline", { slug, source });
  }
  return room;
}

const presenceOf = ({ viewers, named, nicknames }: RoomFigures, slug: string): Presence => ({
  slug,
  viewers,
  anonymous: Math.max(0, viewers - named),
  nicknames,
});

/** Sends a room's created/changed/deleted news; a private room's stays on its own topic. */
function announceRoom(
  hub: Pick<Hub, "publish">,
  type: "created" | "deleted" | "room",
  slug: string,
  isPrivate: boolean,
  data: unknown,
): void {
  if (type !== "deleted" && isPrivate) {
    hub.publish(roomTopic(slug), type, data);
    return;
  }
  hub.publish(ROOMS_TOPIC, type, data);
  if (type !== "created") hub.publish(roomTopic(slug), type, data);
}

/** Which rooms each socket sits in, under which nickname (null: watching without chatting). */
function createSeats() {
  // clientId → slug → nickname.
  const sockets = new Map<string, Map<string, string | null>>();
  return {
    enter(clientId: string, slug: string, nickname: string | null): void {
      let rooms = sockets.get(clientId);
      if (!rooms) sockets.set(clientId, rooms = new Map());
      if (nickname !== null || !rooms.has(slug)) rooms.set(slug, nickname);
    },
    /** Leaves one room, or every room when `slug` is omitted; returns the rooms left. */
    leave(clientId: string, slug?: string): string[] {
      const rooms = sockets.get(clientId);
      if (!rooms) return [];
      const left = slug === undefined ? [...rooms.keys()] : [slug];
      for (const name of left) rooms.delete(name);
      if (rooms.size === 0) sockets.delete(clientId);
      return left;
    },
    /** How many sockets in `slug` chatted, and their nicknames (distinct ignoring case, sorted). */
    named(slug: string): { named: number; nicknames: string[] } {
      const names = new Map<string, string>();
      let named = 0;
      for (const rooms of sockets.values()) {
        const nickname = rooms.get(slug);
        if (!nickname) continue;
        named++;
        names.set(nickname.toLowerCase(), nickname);
      }
      return { named, nicknames: [...names.values()].sort((a, b) => a.localeCompare(b)) };
    },
  };
}

/**
 * Recounts a room's presence soon after it is touched (batched per 50 ms) or on `recountAll`, and
 * calls `changed` only when the figures differ from the last ones seen; empty rooms are forgotten.
 */
function createRecounter(
  presence: (slug: string) => Presence,
  changed: (now: Presence, viewersChanged: boolean) => void,
) {
  // Last presence seen per room (as JSON).
  const counted = new Map<string, string>();
  const pending = new Set<string>();
  let soon: ReturnType<typeof setTimeout> | undefined;

  const empty = (slug: string) => JSON.stringify({ slug, viewers: 0, anonymous: 0, nicknames: [] });
  const recount = (slug: string) => {
    const now = presence(slug);
    const seen = JSON.stringify(now);
    const before = counted.get(slug) ?? empty(slug);
    if (seen === before) return;
    if (now.viewers === 0) counted.delete(slug);
    else counted.set(slug, seen);
    changed(now, JSON.parse(before).viewers !== now.viewers);
  };
  const flush = () => {
    soon = undefined;
    for (const slug of pending) recount(slug);
    pending.clear();
  };
  return {
    touch(slug: string): void {
      pending.add(slug);
      soon ??= setTimeout(flush, 50);
    },
    recountAll(): void {
      for (const slug of counted.keys()) recount(slug);
    },
    forget(slug: string): void {
      counted.delete(slug);
    },
    close(): void {
      clearTimeout(soon);
    },
  };
}
