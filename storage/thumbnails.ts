// Downscaled copies of raster media, made once with ffmpeg and cached in the blob store (`.thumbs/`).
import { join } from "node:path";
import { ffmpegAvailable, runFfmpeg } from "../ffmpeg.ts";
import type { Logger } from "../log.ts";
import type { BlobStore } from "./blobs.ts";

/** Widths thumbnails are made at; a requested width is rounded up to one of these. */
export const THUMB_WIDTHS = [160, 320, 640, 1280] as const;

// Each source type is read by its own demuxer, so ffmpeg never guesses a format from the content.
const INPUT: Record<string, { demuxer: string; out: "jpg" | "png" }> = {
  jpg: { demuxer: "jpeg_pipe", out: "jpg" },
  jpeg: { demuxer: "jpeg_pipe", out: "jpg" },
  bmp: { demuxer: "bmp_pipe", out: "jpg" },
  png: { demuxer: "png_pipe", out: "png" },
  gif: { demuxer: "gif", out: "png" },
  webp: { demuxer: "webp_pipe", out: "png" },
};

/** A 10 MB upload can declare a gigapixel image; the decoder refuses past this. */
const MAX_PIXELS = 40_000_000;

/** ffmpeg's arguments to write one `width`-wide (never wider than the source) frame of `input`. */
export function thumbnailArgs(input: string, output: string, ext: string, width: number): string[] {
  const { demuxer, out } = INPUT[ext];
  return [
    "-hide_banner",
    ["-loglevel", "error"],
    "-nostdin",
    // Local files only: no network or other protocols from inside a crafted file.
    ["-protocol_whitelist", "file"],
    // Two cores are shared with the whole server.
    ["-threads", "1"],
    ["-max_pixels", String(MAX_PIXELS)],
    ["-f", demuxer],
    ["-i", input],
    // The first frame only (animated GIFs get a still).
    ["-frames:v", "1"],
    // Never upscale; -2 keeps the aspect ratio with an even height, which every encoder accepts.
    ["-vf", `scale='min(iw,${width})':-2`],
    out === "jpg" ? ["-c:v", "mjpeg", "-q:v", "4"] : ["-c:v", "png"],
    // One image to an explicit path with no numbering pattern.
    ["-f", "image2", "-update", "1"],
    "-y",
    output,
  ].flat();
}

export interface Thumbnail {
  /** Its blob key. */
  key: string;
  contentType: string;
}

export interface Thumbnailer {
  /**
   * The cached thumbnail of the blob `source` (named `filename`), made first if needed; null
   * when ffmpeg is missing or fails.
   */
  thumbnail(source: string, filename: string, width: number): Promise<Thumbnail | null>;
  /** Removes every thumbnail of `filename`. */
  forget(filename: string): Promise<void>;
  close(): void;
}

export interface ThumbnailerOptions {
  ffmpegPath: string;
  /** Where sources are read and thumbnails kept. */
  blobs: BlobStore;
  /** The folder key thumbnails go under, e.g. `media/.thumbs`. */
  dir: string;
  log: Logger;
  /** @default 15000 */
  timeoutMs?: number;
  /** ffmpeg processes at once. @default 2 */
  concurrency?: number;
}

const contentTypeOf = (ext: string) => INPUT[ext].out === "jpg" ? "image/jpeg" : "image/png";

/** Copies a blob to `path` for ffmpeg; null when the blob is gone. */
async function copyOut(blobs: BlobStore, key: string, path: string): Promise<string | null> {
  const body = await blobs.open(key);
  if (!body) return null;
  await Deno.writeFile(path, body, { createNew: true, mode: 0o600 });
  return path;
}

/** Whether `ext` is a raster type ffmpeg can thumbnail. */
export function canThumbnail(ext: string): boolean {
  return ext in INPUT;
}

/** The smallest thumbnail width at least `requested` (the largest when none is). */
export function thumbWidth(requested: number): number {
  return THUMB_WIDTHS.find((w) => w >= requested) ?? THUMB_WIDTHS[THUMB_WIDTHS.length - 1];
}

/** Runs at most `limit` tasks at once; the rest wait in order. */
function concurrencyLimit(limit: number) {
  const queue: (() => void)[] = [];
  let running = 0;
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (running >= limit) await new Promise<void>((wake) => queue.push(wake));
      running++;
      try {
        return await fn();
      } finally {
        running--;
        queue.shift()?.();
      }
    },
    /** Lets every waiting task go (at close: they find the thumbnailer stopped and give up). */
    release() {
      for (const wake of queue.splice(0)) wake();
    },
  };
}

/** Where the `width` thumbnail of `filename` is cached: `<stem>-w<width>.<jpg|png>`. */
const thumbKey = (dir: string, filename: string, width: number, out: string) =>
  `${dir}/${filename.slice(0, filename.lastIndexOf("."))}-w${width}.${out}`;

export function createThumbnailer(options: ThumbnailerOptions): Thumbnailer {
  const { ffmpegPath, blobs, dir, log, timeoutMs = 15_000, concurrency = 2 } = options;
  const stopping = new AbortController();
  const inFlight = new Map<string, Promise<Thumbnail | null>>();
  // A file ffmpeg cannot read is not retried on every request.
  const failed = new Set<string>();
  let missing = false;
  // Asked once, before any source is copied out of the store (Deno Deploy has no ffmpeg).
  let available: Promise<boolean> | undefined;
  const turnOff = () => {
    if (missing) return;
    missing = true;
    log.warn("Thumbnails are off: ffmpeg not found, serving originals", { ffmpegPath });
  };

  const slots = concurrencyLimit(concurrency);
  const make = async (source: string, ext: string, width: number, target: string) => {
    if (stopping.signal.aborted) return false;
    if (!(await (available ??= ffmpegAvailable(ffmpegPath)))) {
      turnOff();
      return false;
    }
    // ffmpeg reads and writes only here (or the files store's own file in place).
    const work = await Deno.makeTempDir({ prefix: "roomcast-thumb-" });
    try {
      const input = blobs.localPath(source) ?? await copyOut(blobs, source, join(work, "in"));
      if (input === null) return false;
      const output = join(work, `out.${INPUT[ext].out}`);
      const run = await runFfmpeg(ffmpegPath, thumbnailArgs(input, output, ext, width), {
        signal: stopping.signal,
        timeoutMs,
        stderrLines: 5,
      });
      if (!run.success) {
        failed.add(target);
        log.warn("Cannot make thumbnail: ffmpeg failed", {
          source,
          error: run.stderrTail.join("\n").slice(0, 500),
        });
        return false;
      }
      await blobs.put(target, await Deno.readFile(output), { contentType: contentTypeOf(ext) });
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound && !missing) turnOff();
      else if (!missing) log.warn("Cannot make thumbnail", { source, error: String(error) });
      return false;
    } finally {
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  };

  return {
    thumbnail(source, filename, width) {
      const ext = filename.slice(filename.lastIndexOf(".") + 1);
      if (!canThumbnail(ext) || missing) return Promise.resolve(null);
      const target = thumbKey(dir, filename, width, INPUT[ext].out);
      const found = { key: target, contentType: contentTypeOf(ext) };
      if (failed.has(target)) return Promise.resolve(null);
      const pending = inFlight.get(target);
      if (pending) return pending;
      const work = (async () => {
        if (await blobs.stat(target).catch(() => null)) return found;
        return await slots.run(() => make(source, ext, width, target)) ? found : null;
      })().finally(() => inFlight.delete(target));
      inFlight.set(target, work);
      return work;
    },

    async forget(filename) {
      for (const width of THUMB_WIDTHS) {
        for (const out of ["jpg", "png"]) {
          const target = thumbKey(dir, filename, width, out);
          failed.delete(target);
          await blobs.delete(target);
        }
      }
    },

    close() {
      stopping.abort();
      slots.release();
    },
  };
}
