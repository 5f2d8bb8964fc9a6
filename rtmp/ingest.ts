// Who is live: key checks, one ffmpeg per publish, playlist life (live, ended, grace, cleanup).
import { ffmpegHlsArgs, hlsLayout, type Transcode } from "./ffmpeg_args.ts";
import { FlvRemuxer } from "./flv.ts";
import { type FfmpegFeed, grabThumbnail, type LogFn, spawnFfmpegFeed } from "./hls.ts";
import {
  ensureEndlist,
  fileExists,
  newestSegment,
  playlistIsLive,
  removeSegments,
} from "./hls_files.ts";
import type { PublishDecision } from "./session.ts";

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
  rooms: IngestRooms;
  log: LogFn;
  graceMs: number;
  thumbnailMs: number;
  maxQueueBytes: number;
  /** How often the playlist is checked for readiness. @default 100 */
  pollMs?: number;
}

/** A live publish, as the connection sees it. */
export interface Publish {
  onMetadata(payload: Uint8Array, timestamp: number): void;
  onMedia(typeId: number, timestamp: number, payload: Uint8Array): void;
  /**
   * The publisher is gone. Idempotent. `reason` says the connection ended under the publish (lost,
   * or a deadline missed) rather than by its own unpublish, which counts as a dropped publisher.
   */
  end(reason?: string): void;
}

export type Authorized = { decision: PublishDecision; publish?: Publish };

const refuse = (code: string, description: string): Authorized => ({
  decision: { ok: false, code, description },
});

export function createIngest(o: IngestOptions) {
  const live = new Map<string, { drop: (reason: string) => void }>();
  const ending = new Map<string, Promise<void>>(); // playbackId → previous publish finishing
  const cleanups = new Map<string, ReturnType<typeof setTimeout>>(); // playbackId → grace timer
  const layout = hlsLayout(o.transcode);
  const authorizing = new Set<Promise<Authorized>>();

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
    live.set(room.slug, { drop }); // taken in the same tick as the check: no double publish
    try {
      await ending.get(room.playbackId); // the previous ffmpeg of this folder must be done
      return { decision: { ok: true }, publish: await start(room, drop) };
    } catch (e) {
      live.delete(room.slug);
      o.log("error", "rtmp publish could not start", { slug: room.slug, error: String(e) });
      return refuse("NetStream.Publish.Failed", "Publish could not start.");
    }
  }

  async function start(room: Room, drop: (reason: string) => void): Promise<Publish> {
    const { slug, playbackId } = room;
    const dir = `${o.hlsDir}/${playbackId}`;
    const grace = cleanups.get(playbackId);
    if (grace !== undefined) {
      clearTimeout(grace); // back within the grace period: ffmpeg appends to the same playlist
      cleanups.delete(playbackId);
    } else {
      await removeSegments(dir); // stale files from a crash must not look live or be appended to
    }
    await Deno.mkdir(dir, { recursive: true });
    const feed: FfmpegFeed = spawnFfmpegFeed(
      o.ffmpegPath,
      ffmpegHlsArgs({ hlsDir: o.hlsDir, playbackId, transcode: o.transcode }),
      { maxQueueBytes: o.maxQueueBytes },
    );
    const remux = new FlvRemuxer();
    const startedAt = Date.now();
    let ended = false;
    let dropped = false;
    let playable = false;
    let thumbBusy: Promise<unknown> = Promise.resolve();
    o.log("info", "rtmp publish started", { slug, playbackId });

    const thumbnail = () => {
      thumbBusy = thumbBusy.then(async () => {
        const seg = await newestSegment(dir, layout.media[0]);
        if (seg) await grabThumbnail(o.ffmpegPath, seg, `${dir}/thumb.jpg`);
      }).catch(() => {}); // a missed thumbnail is retried at the next tick
    };
    const poll = setInterval(async () => {
      if (playable || ended) return;
      const ready = await Promise.all([
        fileExists(`${dir}/${layout.entry}`), // the master playlist, in "abr" mode
        ...layout.media.map((p) => playlistIsLive(`${dir}/${p}`)),
      ]);
      if (!ready.every(Boolean) || playable || ended) return;
      playable = true;
      clearInterval(poll);
      o.log("info", "rtmp stream playable", { slug, playbackId, ms: Date.now() - startedAt });
      o.rooms.onLive(slug, playbackId);
      thumbnail();
    }, o.pollMs ?? 100);
    const thumbs = setInterval(() => playable && thumbnail(), o.thumbnailMs);

    const dropPublisher = (reason: string) => {
      if (dropped || ended) return;
      dropped = true;
      o.rooms.onDrop?.(slug, reason);
      drop(reason);
    };
    feed.exited.then((exit) => {
      const level = exit.code === 0 ? "info" : "error";
      o.log(level, "ffmpeg exited", { slug, playbackId, ...exit });
      dropPublisher("ffmpeg exited"); // nothing would reach viewers: free the key
    });
    feed.write(remux.preamble());

    let endResolve: () => void = () => {};
    const endCalled = new Promise<void>((resolve) => (endResolve = resolve));
    const finished = (async () => {
      await endCalled;
      clearInterval(poll);
      clearInterval(thumbs);
      await feed.finish();
      await thumbBusy;
      try {
        for (const p of layout.media) await ensureEndlist(`${dir}/${p}`);
      } catch (e) {
        o.log("error", "cannot end playlist", { slug, playbackId, error: String(e) });
      }
      if (playable) o.rooms.onOffline(slug, playbackId);
      o.log("info", "rtmp publish ended", { slug, playbackId });
      cleanups.set(
        playbackId,
        setTimeout(() => {
          cleanups.delete(playbackId);
          removeSegments(dir);
        }, o.graceMs),
      );
    })();
    ending.set(playbackId, finished);
    finished.finally(() => {
      if (ending.get(playbackId) === finished) ending.delete(playbackId);
    });

    const push = (tag: Uint8Array | null) => {
      if (tag === null || ended || dropped) return;
      if (!feed.write(tag)) {
        o.log("warn", "ffmpeg is not keeping up; dropping publisher", { slug, playbackId });
        dropPublisher("ffmpeg stalled");
      }
    };
    return {
      onMetadata: (payload, ts) => push(remux.metadata(payload, ts)),
      onMedia(typeId, ts, payload) {
        o.rooms.onMedia?.(slug, typeId, ts, payload);
        push(remux.media(typeId, ts, payload));
      },
      end(reason) {
        if (ended) return;
        // A connection that ends without the publisher's unpublish (lost, timed out) is a drop.
        if (reason !== undefined && !dropped) o.rooms.onDrop?.(slug, reason);
        ended = true;
        // the key is free at once (OBS reconnects in 2 s); a new ffmpeg waits for `finished`
        if (live.get(slug)?.drop === drop) live.delete(slug);
        endResolve();
      },
    };
  }

  return {
    authorize,
    isLive: (slug: string) => live.has(slug),
    kick(slug: string) {
      const publisher = live.get(slug);
      if (publisher) o.rooms.onDrop?.(slug, "kicked");
      publisher?.drop("kicked");
    },
    /** Wait for every publish to finish (callers end them first) and run pending cleanups now. */
    async close(): Promise<void> {
      await Promise.allSettled([...authorizing]);
      while (ending.size > 0) await Promise.all([...ending.values()]);
      for (const [playbackId, timer] of cleanups) {
        clearTimeout(timer);
        await removeSegments(`${o.hlsDir}/${playbackId}`);
      }
      cleanups.clear();
    },
  };
}

export type Ingest = ReturnType<typeof createIngest>;
