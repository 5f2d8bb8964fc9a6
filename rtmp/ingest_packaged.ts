// A passthrough publish through our own CMAF packager: parts in memory, ffmpeg only for thumbnails.
import { concatBytes } from "../bytes.ts";
import { CmafPackager } from "./cmaf_packager.ts";
import { grabThumbnail, type LogFn } from "./hls.ts";
import { LlHlsRing, type RingOptions } from "./llhls.ts";

/** One room's packaged output; it outlives a publish by the grace period, for a reconnect. */
export interface PackagedStream {
  ring: LlHlsRing;
  packager: CmafPackager;
}

export interface PackagedPublishDeps {
  slug: string;
  playbackId: string;
  /** `<hlsDir>/<playbackId>`: only thumb.jpg is written there. */
  dir: string;
  ffmpegPath: string;
  thumbnailMs: number;
  /** The room's stream from a publish still in its grace period, or null. */
  resumed: PackagedStream | null;
  ring?: RingOptions;
  log: LogFn;
  onLive(): void;
  onMedia?(typeId: number, timestamp: number, payload: Uint8Array): void;
}

export interface PackagedPublish {
  stream: PackagedStream;
  media(typeId: number, timestamp: number, payload: Uint8Array): void;
  /** Ends the playlist; resolves once the thumbnail in flight is done. Reports if it was live. */
  end(): Promise<boolean>;
}

export function startPackagedPublish(d: PackagedPublishDeps): PackagedPublish {
  const stream = d.resumed ?? (() => {
    const ring = new LlHlsRing(d.ring);
    return { ring, packager: new CmafPackager(ring) };
  })();
  if (d.resumed) stream.packager.restart();
  const startedAt = Date.now();
  let playable = false;
  let ended = false;
  let thumbBusy: Promise<unknown> = Promise.resolve();
  const thumbnail = () => {
    // ffmpeg reads a file: the newest segment goes to disk here, every thumbnailMs, off the hot path
    const newest = stream.ring.newest();
    if (!newest) return;
    thumbBusy = thumbBusy.then(async () => {
      const src = `${d.dir}/thumb_src.mp4`;
      await Deno.mkdir(d.dir, { recursive: true });
      await Deno.writeFile(src, concatBytes([newest.init, newest.segment]));
      await grabThumbnail(d.ffmpegPath, src, `${d.dir}/thumb.jpg`);
      await Deno.remove(src).catch(() => {});
    }).catch(() => {}); // a missed thumbnail is retried at the next tick
  };
  const thumbs = setInterval(() => playable && thumbnail(), d.thumbnailMs);
  return {
    stream,
    media(typeId, timestamp, payload) {
      if (ended) return;
      d.onMedia?.(typeId, timestamp, payload);
      stream.packager.media(typeId, timestamp, payload);
      if (!playable && stream.ring.playable) {
        playable = true;
        d.log("info", "rtmp stream playable", {
          slug: d.slug,
          playbackId: d.playbackId,
          ms: Date.now() - startedAt,
        });
        d.onLive();
        thumbnail();
      }
    },
    async end() {
      if (!ended) {
        ended = true;
        clearInterval(thumbs);
        stream.packager.end();
      }
      await thumbBusy;
      return playable;
    },
  };
}
