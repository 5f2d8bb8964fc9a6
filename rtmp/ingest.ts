// Who is live: key checks, one publish (publish.ts) per room, its folder's grace period and cleanup.
import { hlsLayout, type Transcode } from "./ffmpeg_args.ts";
import type { LogFn } from "./hls.ts";
import { removeSegments } from "./hls_files.ts";
import { type PackagedStream, startPackaged } from "./ingest_packaged.ts";
import { createLiveThumbnails, type LiveThumbnailOptions } from "./live_thumbnails.ts";
import type { LlHlsRing, RingOptions } from "./llhls.ts";
import { type Publish, type PublishOptions, startPublish } from "./publish.ts";
import type { PublishDecision } from "./session.ts";

export type { Publish };

/**
 * Who packages a passthrough (`copy`) publish: `roomcast`, our CMAF/LL-HLS packager (served from
 * memory), or `ffmpeg`, its HLS muxer writing files (today's path, for comparison). Transcoding
 * modes always use ffmpeg.
 */
export type Packager = "roomcast" | "ffmpeg";

export interface Room {
  slug: string;
  playbackId: string;
}

/**
 * What a publish asks of the rooms and tells them. The same names from listener.ts through this file
 * to routes/streams/, so a callback is found under one name at every layer.
 */
export interface IngestRooms {
  /** Resolve a publish key to its room; null when unknown. Must be constant-time on the key (the caller compares hashes). */
  lookup(key: string): Promise<Room | null>;
  /** The room's playlist is playable (first segment written), ~1-2 s after Publish.Start. */
  onLive(slug: string, playbackId: string): void;
  /** Publisher gone and playlist ended (#EXT-X-ENDLIST). Only after onLive. */
  onOffline(slug: string, playbackId: string): void;
  /** Every audio (8) / video (9) message of a live publish, for stream health; must not block. */
  onMedia?(slug: string, typeId: number, timestamp: number, payload: Uint8Array): void;
  /** The server dropped a live publisher (kicked, ffmpeg stalled or exited, connection lost), and why. */
  onDrop?(slug: string, reason: string): void;
}

export interface IngestOptions {
  hlsDir: string;
  ffmpegPath: string;
  /** False: every publish is refused with NetStream.Publish.Failed. */
  ffmpegOk: boolean;
  transcode: Transcode;
  /** @default "roomcast" */
  packager?: Packager;
  /** Bounds of each packaged stream's in-memory ring. */
  ring?: RingOptions;
  rooms: IngestRooms;
  log: LogFn;
  graceMs: number;
  /** The ffmpeg publish's thumbnail period (the packager makes stills only when asked). */
  thumbnailMs: number;
  /** Bounds of the packager's stills made on request. */
  stills?: Pick<LiveThumbnailOptions, "ttlMs" | "maxRunning" | "timeoutMs">;
  maxQueueBytes: number;
  /** How often the playlist is checked for readiness. @default 100 */
  pollMs?: number;
}

export type Authorized = { decision: PublishDecision; publish?: Publish };

const refuse = (code: string, description: string): Authorized => ({
  decision: { ok: false, code, description },
});

type Cleanups = Map<string, ReturnType<typeof setTimeout>>; // playbackId → grace timer

/**
 * Back within the grace period, the publish appends to the same playlist (true); otherwise it
 * starts clean (false).
 */
async function prepareFolder(
  cleanups: Cleanups,
  playbackId: string,
  dir: string,
): Promise<boolean> {
  const grace = cleanups.get(playbackId);
  const resumed = grace !== undefined;
  if (resumed) {
    clearTimeout(grace);
    cleanups.delete(playbackId);
  } else {
    // stale files from a crash (or an ffmpeg run's, under the packager) must not look live
    await removeSegments(dir);
  }
  await Deno.mkdir(dir, { recursive: true });
  return resumed;
}

/** Segments stay for the grace period, so a publisher back soon continues the playlist. */
function removeLater(
  cleanups: Cleanups,
  playbackId: string,
  dir: string,
  graceMs: number,
  then: () => void,
) {
  const timer = setTimeout(() => {
    cleanups.delete(playbackId);
    then();
    removeSegments(dir);
  }, graceMs);
  cleanups.set(playbackId, timer);
}

/** Our packager's publish, keeping its ring (reused by a publisher back within the grace period). */
function startKeptPackaged(
  options: PublishOptions,
  packaged: Map<string, PackagedStream>,
  resumed: boolean,
): ReturnType<typeof startPublish> {
  const playbackId = options.room.playbackId;
  const started = startPackaged(options, resumed ? packaged.get(playbackId) ?? null : null);
  packaged.set(playbackId, started.stream);
  return started;
}

/** At close: the grace periods still running end now, with their folders and rings. */
async function cleanUpNow(
  cleanups: Cleanups,
  forget: (playbackId: string) => void,
  hlsDir: string,
): Promise<void> {
  for (const [playbackId, timer] of cleanups) {
    clearTimeout(timer);
    forget(playbackId);
    await removeSegments(`${hlsDir}/${playbackId}`);
  }
  cleanups.clear();
}

/** The packaged rooms' rings (kept through the grace period) and their stills, made on request. */
function packagedRooms(o: IngestOptions) {
  const streams = new Map<string, PackagedStream>(); // playbackId → ring and packager
  const stills = createLiveThumbnails({ ffmpegPath: o.ffmpegPath, log: o.log, ...o.stills });
  return {
    streams,
    forget(playbackId: string): void {
      streams.delete(playbackId);
      stills.forget(playbackId);
    },
    /**
     * A packaged room's still (JPEG, null when it has no picture yet), made on this request or
     * shortly before; undefined when the room is not packaged here (its thumb.jpg is on disk).
     */
    thumbnail(playbackId: string): Promise<Uint8Array | null> | undefined {
      const stream = streams.get(playbackId);
      return stream && stills.get(playbackId, stream.ring);
    },
    close: () => stills.close(),
  };
}

/** `done` is the room's publish finishing until it settles (a later publish waits for it). */
function endingUntil(ending: Map<string, Promise<void>>, playbackId: string, done: Promise<void>) {
  ending.set(playbackId, done);
  done.finally(() => {
    if (ending.get(playbackId) === done) ending.delete(playbackId);
  });
}

export function createIngest(o: IngestOptions) {
  // slug → how to drop its publisher, telling onDrop once (the publish's own drop once it runs)
  const live = new Map<string, { kick(reason: string): void }>();
  const ending = new Map<string, Promise<void>>(); // playbackId → previous publish finishing
  const cleanups: Cleanups = new Map();
  const layout = hlsLayout(o.transcode);
  const authorizing = new Set<Promise<Authorized>>();
  const rooms = packagedRooms(o);
  const packaged = rooms.streams;
  const usePackager = o.transcode === "copy" && o.packager !== "ffmpeg";

  function authorize(key: string, drop: (reason: string) => void): Promise<Authorized> {
    const p = beginPublish(key, drop);
    authorizing.add(p);
    p.finally(() => authorizing.delete(p)).catch(() => {});
    return p;
  }

  async function beginPublish(key: string, drop: (reason: string) => void): Promise<Authorized> {
    if (!o.ffmpegOk) {
      return refuse("NetStream.Publish.Failed", "Streaming is off on this server (no ffmpeg).");
    }
    const room = await o.rooms.lookup(key);
    if (!room) return refuse("NetStream.Publish.BadName", "Unknown stream key.");
    if (live.has(room.slug)) return refuse("NetStream.Publish.BadName", "Stream is already live.");
    const entry = {
      kick(reason: string) {
        o.rooms.onDrop?.(room.slug, reason);
        drop(reason);
      },
    };
    live.set(room.slug, entry); // taken in the same tick as the check: no double publish
    try {
      await ending.get(room.playbackId); // the previous ffmpeg of this folder must be done
      return { decision: { ok: true }, publish: await start(room, drop, entry) };
    } catch (e) {
      live.delete(room.slug);
      o.log("error", "rtmp publish could not start", { slug: room.slug, error: String(e) });
      return refuse("NetStream.Publish.Failed", "Publish could not start.");
    }
  }

  async function start(
    room: Room,
    drop: (reason: string) => void,
    entry: { kick(reason: string): void },
  ): Promise<Publish> {
    const { slug, playbackId } = room;
    const dir = `${o.hlsDir}/${playbackId}`;
    const resumed = await prepareFolder(cleanups, playbackId, dir);
    const release = () => {
      if (live.get(slug) === entry) live.delete(slug);
    };
    const started = usePackager
      ? startKeptPackaged({ o, layout, room, dir, drop, release }, packaged, resumed)
      : startPublish({ o, layout, room, dir, drop, release });
    const { publish, finished, kick } = started;
    // A kick now goes through the publish, so its end under the kick is not a second drop.
    entry.kick = kick;
    const forget = () => rooms.forget(playbackId);
    endingUntil(
      ending,
      playbackId,
      finished.then(() => removeLater(cleanups, playbackId, dir, o.graceMs, forget)),
    );
    return publish;
  }

  return {
    authorize,
    /** The in-memory LL-HLS output of a packaged room (live or in its grace period). */
    hls: (playbackId: string): LlHlsRing | undefined => packaged.get(playbackId)?.ring,
    /** A packaged room's still, made on request; undefined when not packaged here. */
    thumbnail: rooms.thumbnail,
    isLive: (slug: string) => live.has(slug),
    /** The rooms with a publisher now (for /metrics). */
    liveSlugs: (): string[] => [...live.keys()],
    kick: (slug: string) => live.get(slug)?.kick("kicked"),
    /** Wait for every publish to finish (callers end them first) and run pending cleanups now. */
    async close(): Promise<void> {
      await Promise.allSettled([...authorizing]);
      while (ending.size > 0) await Promise.all([...ending.values()]);
      await rooms.close();
      await cleanUpNow(cleanups, rooms.forget, o.hlsDir);
    },
  };
}

export type Ingest = ReturnType<typeof createIngest>;
