// One live publish: its ffmpeg, the playlist turning playable, its thumbnail, and its end.
import { ffmpegHlsArgs, type HlsLayout } from "./ffmpeg_args.ts";
import { FlvRemuxer } from "./flv.ts";
import { type FfmpegFeed, spawnFfmpegFeed } from "../ffmpeg.ts";
import { grabThumbnail } from "./hls.ts";
import { ensureEndlist, fileExists, newestSegment, playlistIsLive } from "./hls_files.ts";
import type { IngestOptions, Room } from "./ingest.ts";

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

export interface PublishOptions {
  o: IngestOptions;
  layout: HlsLayout;
  room: Room;
  /** `<hlsDir>/<playbackId>`, ready for ffmpeg. */
  dir: string;
  /** Closes the publisher's connection. */
  drop(reason: string): void;
  /** Called once on end(): the key is free at once (OBS reconnects in 2 s). */
  release(): void;
}

/** Polls until the playlist is playable (then onLive), and keeps its thumbnail fresh while live. */
function watchPlaylist(o: IngestOptions, layout: HlsLayout, room: Room, dir: string) {
  const { slug, playbackId } = room;
  const startedAt = Date.now();
  let playable = false;
  let stopped = false;
  let thumbBusy: Promise<unknown> = Promise.resolve();
  const thumbnail = () => {
    thumbBusy = thumbBusy.then(async () => {
      const seg = await newestSegment(dir, layout.media[0]);
      if (seg) await grabThumbnail(o.ffmpegPath, seg, `${dir}/thumb.jpg`);
    }).catch(() => {}); // a missed thumbnail is retried at the next tick
  };
  const poll = setInterval(async () => {
    if (playable || stopped) return;
    const ready = await Promise.all([
      fileExists(`${dir}/${layout.entry}`), // the master playlist, in "abr" mode
      ...layout.media.map((p) => playlistIsLive(`${dir}/${p}`)),
    ]);
    if (!ready.every(Boolean) || playable || stopped) return;
    playable = true;
    clearInterval(poll);
    o.log("info", "rtmp stream playable", { slug, playbackId, ms: Date.now() - startedAt });
    o.rooms.onLive(slug, playbackId);
    thumbnail();
  }, o.pollMs ?? 100);
  const thumbs = setInterval(() => playable && thumbnail(), o.thumbnailMs);
  return {
    get playable() {
      return playable;
    },
    stop() {
      stopped = true;
      clearInterval(poll);
      clearInterval(thumbs);
    },
    /** The thumbnail being grabbed, if any, is done. */
    idle: () => thumbBusy,
  };
}

/**
 * Starts ffmpeg for the room and returns the publish the connection feeds, and `finished`, which
 * settles once the publish has ended, ffmpeg exited, the playlists got `#EXT-X-ENDLIST` and
 * onOffline was told (when onLive was).
 */
export function startPublish(
  p: PublishOptions,
): { publish: Publish; finished: Promise<void>; kick(reason: string): void } {
  const { o, layout, room, dir } = p;
  const { slug, playbackId } = room;
  const feed: FfmpegFeed = spawnFfmpegFeed(
    o.ffmpegPath,
    ffmpegHlsArgs({ hlsDir: o.hlsDir, playbackId, transcode: o.transcode }),
    { maxQueueBytes: o.maxQueueBytes },
  );
  const remux = new FlvRemuxer();
  let ended = false;
  let dropped = false;
  o.log("info", "rtmp publish started", { slug, playbackId });
  const watch = watchPlaylist(o, layout, room, dir);

  const dropPublisher = (reason: string) => {
    if (dropped || ended) return;
    dropped = true;
    o.rooms.onDrop?.(slug, reason);
    p.drop(reason);
  };
  feed.exited.then((exit) => {
    const level = exit.code === 0 ? "info" : "error";
    o.log(level, "ffmpeg exited", { slug, playbackId, ...exit });
    dropPublisher("ffmpeg exited"); // nothing would reach viewers: free the key
  });
  feed.write(remux.preamble());

  let endResolve: () => void = () => {};
  const endCalled = new Promise<void>((resolve) => (endResolve = resolve));
  const finished = endCalled.then(async () => {
    watch.stop();
    await feed.finish();
    await watch.idle();
    try {
      for (const media of layout.media) await ensureEndlist(`${dir}/${media}`);
    } catch (e) {
      o.log("error", "cannot end playlist", { slug, playbackId, error: String(e) });
    }
    if (watch.playable) o.rooms.onOffline(slug, playbackId);
    o.log("info", "rtmp publish ended", { slug, playbackId });
  });

  const push = (tag: Uint8Array | null) => {
    if (tag === null || ended || dropped) return;
    if (!feed.write(tag)) {
      o.log("warn", "ffmpeg is not keeping up; dropping publisher", { slug, playbackId });
      dropPublisher("ffmpeg stalled");
    }
  };
  const publish: Publish = {
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
      p.release(); // a new ffmpeg for this folder waits for `finished`
      endResolve();
    },
  };
  return { publish, finished, kick: dropPublisher };
}
