// Stills of packaged live streams on request: ffmpeg runs only when someone asks for a thumbnail.
import { concatBytes } from "../bytes.ts";
import { runFfmpegBytes } from "../ffmpeg.ts";
import { ffmpegStillArgs } from "./ffmpeg_args.ts";
import type { LogFn } from "./hls.ts";
import type { LlHlsRing } from "./llhls.ts";

export interface LiveThumbnailOptions {
  ffmpegPath: string;
  log: LogFn;
  /** A still is served again for this long before a newer keyframe is looked at. @default 5000 */
  ttlMs?: number;
  /** ffmpeg runs at once over all rooms; other rooms wait their turn. @default 2 */
  maxRunning?: number;
  /** One run's deadline. @default 5000 */
  timeoutMs?: number;
}

interface Still {
  at: number;
  /** The segment whose keyframe it shows: the same keyframe never needs a second run. */
  msn: number;
  /** null: that keyframe gave no picture (audio only, a decoder error). */
  jpeg: Uint8Array | null;
}

/** A JPEG is under this: a 320-pixel-wide still at q 5 is about 10–30 KiB. */
const MAX_JPEG = 512 * 1024;

const isJpeg = (b: Uint8Array) => b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** At most `max` holders at once; the others wait in arrival order. */
function semaphore(max: number) {
  let held = 0;
  const waiting: (() => void)[] = [];
  return {
    async take(): Promise<void> {
      if (held < max) {
        held++;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over
    },
    give(): void {
      const next = waiting.shift();
      if (next) next();
      else held--;
    },
  };
}

/**
 * One still per room, kept for `ttlMs` (one JPEG per packaged room held, dropped with the room's
 * ring); a room's requests share its one run; at most `maxRunning` ffmpeg runs at once, and the
 * rooms waiting for one are at most the rooms live. Nothing runs while nobody asks.
 */
export function createLiveThumbnails(o: LiveThumbnailOptions) {
  const ttlMs = o.ttlMs ?? 5000;
  const stills = new Map<string, Still>(); // playbackId → its newest still
  const making = new Map<string, Promise<Uint8Array | null>>(); // playbackId → the run under way
  const slots = semaphore(o.maxRunning ?? 2);
  const closing = new AbortController();
  let runs = 0;
  let running = 0;
  let peak = 0;

  async function make(playbackId: string, init: Uint8Array, part: Uint8Array, msn: number) {
    await slots.take();
    let jpeg: Uint8Array | null = null;
    try {
      if (closing.signal.aborted) return null;
      runs++;
      peak = Math.max(peak, ++running);
      const out = await runFfmpegBytes(o.ffmpegPath, ffmpegStillArgs(), concatBytes([init, part]), {
        signal: closing.signal,
        timeoutMs: o.timeoutMs ?? 5000,
        maxOutputBytes: MAX_JPEG,
      });
      if (out.success && isJpeg(out.output)) jpeg = out.output;
      else if (!closing.signal.aborted) {
        o.log("debug", "live still not made", { playbackId, stderr: out.stderrTail.join("\n") });
      }
    } catch (e) {
      o.log("warn", "live still could not run ffmpeg", { playbackId, error: String(e) });
    } finally {
      running--;
      slots.give();
    }
    // A failure is kept too, so a room that gives no picture is not retried on every request.
    if (!closing.signal.aborted) stills.set(playbackId, { at: Date.now(), msn, jpeg });
    return jpeg;
  }

  return {
    /** A JPEG of the room's newest keyframe, or null when it has none (yet, or no video). */
    get(playbackId: string, ring: LlHlsRing): Promise<Uint8Array | null> {
      const key = ring.newestKeyframe();
      if (!key || closing.signal.aborted) return Promise.resolve(null);
      const still = stills.get(playbackId);
      if (still && (still.msn === key.msn || Date.now() - still.at < ttlMs)) {
        return Promise.resolve(still.jpeg);
      }
      let run = making.get(playbackId);
      if (!run) {
        run = make(playbackId, key.init, key.part, key.msn);
        making.set(playbackId, run);
        run.finally(() => making.delete(playbackId));
      }
      return run;
    },
    /** The room's ring is gone (its grace period ended). */
    forget(playbackId: string): void {
      stills.delete(playbackId);
    },
    /** ffmpeg runs started so far, and the most at once (tests, the bench). */
    get runs(): number {
      return runs;
    },
    get peak(): number {
      return peak;
    },
    /** Kills the runs under way and waits for them. */
    async close(): Promise<void> {
      closing.abort();
      await Promise.allSettled([...making.values()]);
      stills.clear();
    },
  };
}

export type LiveThumbnails = ReturnType<typeof createLiveThumbnails>;
