// Live state of stream rooms: going live/offline from RTMP or hooks, viewer counts, hub events.
import type { Hub } from "../realtime/hub.ts";
import type { Logger } from "../log.ts";
import type { LiveSource, StreamRoom, StreamsStore } from "../storage/streams_store.ts";

/** What the RTMP listener offers the rooms: its port, whether a slug is live, and dropping one. */
export interface StreamIngest {
  readonly port: number;
  isLive(slug: string): boolean;
  kick(slug: string): void;
}

/** The status part of a room that changes live, as sent on `stream:<slug>` and `streams`. */
export interface RoomStatus {
  slug: string;
  isLive: boolean;
  viewers: number;
  liveSince: string | null;
}

export interface StreamLive {
  status(room: StreamRoom): RoomStatus;
  /** Marks a room live (`source`) or offline (null) and tells subscribers if that changed. */
  setLive(slug: string, source: LiveSource | null): StreamRoom | null;
  /** Recounts a room's viewers soon (after a subscribe or unsubscribe). */
  touch(slug: string): void;
  /** Tells subscribers a room was created or deleted. */
  announce(type: "created" | "deleted", slug: string): void;
  attachIngest(ingest: StreamIngest): void;
  readonly ingest: StreamIngest | null;
  close(): void;
}

export interface StreamLiveOptions {
  /** How often every watched room is recounted, for subscribers that left unseen. @default 3000 */
  sweepMs?: number;
}

export const roomTopic = (slug: string): string => `stream:${slug}`;
/** The topic of every room's status, for the home page's badges. */
export const ROOMS_TOPIC = "streams";

export function createStreamLive(
  store: StreamsStore,
  hub: Pick<Hub, "publish" | "subscriberCount">,
  log: Logger,
  options: StreamLiveOptions = {},
): StreamLive {
  let ingest: StreamIngest | null = null;
  // Last viewer count published per room; rooms at zero are forgotten.
  const counted = new Map<string, number>();
  const pending = new Set<string>();
  let soon: ReturnType<typeof setTimeout> | undefined;

  const viewers = (slug: string) => hub.subscriberCount(roomTopic(slug));
  const status = (room: StreamRoom): RoomStatus => ({
    slug: room.slug,
    isLive: room.liveSource !== null,
    viewers: viewers(room.slug),
    liveSince: room.liveSince === null ? null : new Date(room.liveSince).toISOString(),
  });
  const publish = (type: string, data: unknown, slug: string) => {
    hub.publish(roomTopic(slug), type, data);
    hub.publish(ROOMS_TOPIC, type, data);
  };

  const recount = (slug: string) => {
    const now = viewers(slug);
    if (now === (counted.get(slug) ?? 0)) return;
    if (now === 0) counted.delete(slug);
    else counted.set(slug, now);
    const room = store.get(slug);
    if (room) publish("viewers", status(room), slug);
  };
  const flush = () => {
    soon = undefined;
    for (const slug of pending) recount(slug);
    pending.clear();
  };
  const sweep = setInterval(() => {
    for (const slug of counted.keys()) recount(slug);
  }, options.sweepMs ?? 3000);

  // No publisher of our own listener survives a restart; nginx-rtmp's may, so those stay live.
  const stale = store.resetLive("rtmp");
  if (stale.length) log.info("Marked stream rooms offline after a restart", { rooms: stale });

  return {
    status,
    setLive(slug, source) {
      const before = store.get(slug);
      if (!before) return null;
      const room = store.setLive(slug, source)!;
      if ((before.liveSource === null) !== (source === null)) {
        publish(source ? "live" : "offline", status(room), slug);
        log.info(source ? "Stream room is live" : "Stream room is offline", { slug, source });
      }
      return room;
    },
    touch(slug) {
      pending.add(slug);
      soon ??= setTimeout(flush, 50);
    },
    announce(type, slug) {
      hub.publish(ROOMS_TOPIC, type, { slug });
      if (type === "deleted") hub.publish(roomTopic(slug), type, { slug });
      counted.delete(slug);
    },
    attachIngest(next) {
      ingest = next;
    },
    get ingest() {
      return ingest;
    },
    close() {
      clearInterval(sweep);
      clearTimeout(soon);
    },
  };
}
