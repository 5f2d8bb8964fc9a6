// Who is live: key checks, one ffmpeg per publish, playlist life (live, ended, grace, cleanup).
import { ffmpegHlsArgs, hlsLayout, type Transcode } from "./ffmpeg_args.ts";
import { FlvRemuxer } from "./flv.ts";
import { type FfmpegFeed, spawnFfmpegFeed } from "../ffmpeg.ts";
import { grabThumbnail, type LogFn } from "./hls.ts";
import {
  ensureEndlist,
  fileExists,
  newestSegment,
  playlistIsLive,
  removeSegments,
} from "./hls_files.ts";
import type { PublishDecision } from "./session.ts";
import { type PackagedStream, startPackagedPublish } from "./ingest_packaged.ts";
import type { LlHlsRing, RingOptions } from "./llhls.ts";

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

export interface IngestOptions {
  hlsDir: string;
  ffmpegPath: string;
  /** False: every publish is refused with NetStream.Publish.Failed. */
  ffmpegOk: boolean;
  transcode: Transcode;
  /** @default "ffmpeg" */
  packager?: Packager;
  /** Bounds of each packaged stream's in-memory ring. */
  ring?: RingOptions;
  lookup(key: string): Promise<Room | null>;
  onLive(slug: string, playbackId: string): void;
  onOffline(slug: string, playbackId: string): void;
  /** Every audio/video message of a live publish, for stream health; must not block. */
  onMedia?(slug: string, typeId: number, timestamp: number, payload: Uint8Array): void;
  /** The server dropped a live publisher (kicked, ffmpeg stalled or exited), for stream health. */
  onDrop?(slug: string, reason: string): void;
  log: LogFn;
  graceMs: number;
  thumbnailMs: number;
  maxQueueBytes: number;
  /** How often the playlist is checked for readiness. @default 100 */
  pollMs?: number;
}

/** A live publish, as the connection sees it. */
export interface Publish {
  metadata(payload: Uint8Array, timestamp: number): void;
  media(typeId: number, timestamp: number, payload: Uint8Array): void;
  /**
   * The publisher is gone. Idempotent. `reason` says the connection ended under the publish (lost,
   * or a deadline missed) rather than by its own unpublish, which counts as a dropped publisher.
   */
  end(reason?: string): void;
}

export type BeginResult = { decision: PublishDecision; publish?: Publish };

const refuse = (code: string, description: string): BeginResult => ({
  decision: { ok: false, code, description },
});

export function createIngest(o: IngestOptions) {
  const live = new Map<string, { drop: (reason: string) => void }>();
  const ending = new Map<string, Promise<void>>(); // playbackId → previous publish finishing
  const cleanups = new Map<string, ReturnType<typeof setTimeout>>(); // playbackId → grace timer
  const layout = hlsLayout(o.transcode);
  const beginning = new Set<Promise<BeginResult>>();
  const packaged = new Map<string, PackagedStream>(); // playbackId → ring, kept through grace
  const usePackager = o.transcode === "copy" && o.packager === "roomcast";

  function begin(key: string, drop: (reason: string) => void): Promise<BeginResult> {
    const p = beginPublish(key, drop);
    beginning.add(p);
    p.finally(() => beginning.delete(p)).catch(() => {});
    return p;
  }

  async function beginPublish(key: string, drop: (reason: string) => void): Promise<BeginResult> {
    if (!o.ffmpegOk) {
      return refuse("NetStream.Publish.Failed", "Streaming is off on this server (no ffmpeg).");
    }
    const room = await o.lookup(key);
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

  /** Back within the grace period: true, and the cleanup is off (the same playlist continues). */
  function resume(playbackId: string): boolean {
    const grace = cleanups.get(playbackId);
    if (grace === undefined) return false;
    clearTimeout(grace);
    cleanups.delete(playbackId);
    return true;
  }

  /** After a publish: segments stay for the grace period, then go (thumb.jpg stays). */
  function scheduleCleanup(playbackId: string): void {
    cleanups.set(
      playbackId,
      setTimeout(() => {
        cleanups.delete(playbackId);
        packaged.delete(playbackId);
        removeSegments(`${o.hlsDir}/${playbackId}`);
      }, o.graceMs),
    );
  }

  /** Registers the publish's ending, so a new publish of the room waits for it. */
  function track(playbackId: string, finished: Promise<void>): void {
    ending.set(playbackId, finished);
    finished.finally(() => {
      if (ending.get(playbackId) === finished) ending.delete(playbackId);
    });
  }

  async function start(room: Room, drop: (reason: string) => void): Promise<Publish> {
    if (usePackager) return await startPackaged(room, drop);
    const { slug, playbackId } = room;
    const dir = `${o.hlsDir}/${playbackId}`;
    // stale files from a crash must not look live or be appended to
    if (!resume(playbackId)) await removeSegments(dir);
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
      o.onLive(slug, playbackId);
      thumbnail();
    }, o.pollMs ?? 100);
    const thumbs = setInterval(() => playable && thumbnail(), o.thumbnailMs);

    const dropPublisher = (reason: string) => {
      if (dropped || ended) return;
      dropped = true;
      o.onDrop?.(slug, reason);
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
      if (playable) o.onOffline(slug, playbackId);
      o.log("info", "rtmp publish ended", { slug, playbackId });
      scheduleCleanup(playbackId);
    })();
    track(playbackId, finished);

    const push = (tag: Uint8Array | null) => {
      if (tag === null || ended || dropped) return;
      if (!feed.write(tag)) {
        o.log("warn", "ffmpeg is not keeping up; dropping publisher", { slug, playbackId });
        dropPublisher("ffmpeg stalled");
      }
    };
    return {
      metadata: (payload, ts) => push(remux.metadata(payload, ts)),
      media(typeId, ts, payload) {
        o.onMedia?.(slug, typeId, ts, payload);
        push(remux.media(typeId, ts, payload));
      },
      end(reason) {
        if (ended) return;
        // A connection that ends without the publisher's unpublish (lost, timed out) is a drop.
        if (reason !== undefined && !dropped) o.onDrop?.(slug, reason);
        ended = true;
        // the key is free at once (OBS reconnects in 2 s); a new ffmpeg waits for `finished`
        if (live.get(slug)?.drop === drop) live.delete(slug);
        endResolve();
      },
    };
  }

  /** A passthrough publish through our packager: no ffmpeg per stream, nothing on disk. */
  async function startPackaged(room: Room, drop: (reason: string) => void): Promise<Publish> {
    const { slug, playbackId } = room;
    const dir = `${o.hlsDir}/${playbackId}`;
    const resumed = resume(playbackId) ? packaged.get(playbackId) ?? null : null;
    if (!resumed) await removeSegments(dir); // an ffmpeg run's files must not be served instead
    const pub = startPackagedPublish({
      slug,
      playbackId,
      dir,
      ffmpegPath: o.ffmpegPath,
      thumbnailMs: o.thumbnailMs,
      resumed,
      ring: o.ring,
      log: o.log,
      onLive: () => o.onLive(slug, playbackId),
      onMedia: o.onMedia && ((t, ts, p) => o.onMedia!(slug, t, ts, p)),
    });
    packaged.set(playbackId, pub.stream);
    o.log("info", "rtmp publish started", { slug, playbackId, packager: "roomcast" });
    let ended = false;
    return {
      metadata() {}, // the sequence headers say all the packager needs
      media: (typeId, ts, payload) => pub.media(typeId, ts, payload),
      end(reason) {
        if (ended) return;
        ended = true;
        if (reason !== undefined) o.onDrop?.(slug, reason);
        if (live.get(slug)?.drop === drop) live.delete(slug);
        const finished = pub.end().then((wasLive) => {
          if (wasLive) o.onOffline(slug, playbackId);
          o.log("info", "rtmp publish ended", { slug, playbackId });
          scheduleCleanup(playbackId);
        });
        track(playbackId, finished);
      },
    };
  }

  return {
    begin,
    /** The in-memory LL-HLS output of a packaged room (live or in its grace period). */
    hls: (playbackId: string): LlHlsRing | undefined => packaged.get(playbackId)?.ring,
    isLive: (slug: string) => live.has(slug),
    kick(slug: string) {
      // The connection closes under its publish, whose end("kicked") reports the drop once.
      live.get(slug)?.drop("kicked");
    },
    /** Wait for every publish to finish (callers end them first) and run pending cleanups now. */
    async close(): Promise<void> {
      await Promise.allSettled([...beginning]);
      while (ending.size > 0) await Promise.all([...ending.values()]);
      for (const [playbackId, timer] of cleanups) {
        clearTimeout(timer);
        packaged.delete(playbackId);
        await removeSegments(`${o.hlsDir}/${playbackId}`);
      }
      cleanups.clear();
    },
  };
}

export type Ingest = ReturnType<typeof createIngest>;
