// Plays a live HLS playlist in a <video>: hls.js with low-latency settings, native HLS as fallback.
import Hls from "hls.js";
import { CATCH_UP_RATE, catchUpRate, FORGET_STALL_MS } from "./live_catch_up.ts";

export type PlayerState = "loading" | "playing" | "waiting" | "ended" | "error";

export interface LivePlayer {
  /** Seconds behind real time: from EXT-X-PROGRAM-DATE-TIME when present, else from the live edge. */
  latency(): { seconds: number; from: "clock" | "edge" } | null;
  /** Renditions of an ABR ladder (empty for one rendition or native playback). */
  levels(): Quality[];
  /** Picks a rendition by index; -1 lets the player choose by bandwidth. */
  setLevel(index: number): void;
  destroy(): void;
}

export interface Quality {
  index: number;
  height: number;
  bitrate: number;
}

export interface LivePlayerOptions {
  onState(state: PlayerState, detail?: string): void;
  /** The renditions, once the master playlist is read. */
  onLevels?(levels: Quality[]): void;
}

// With 1-second segments, 2 s behind the newest one keeps about two segments of buffer: low
// latency without stalls on a loaded machine. Past 5 s the player jumps back to the edge; in
// between it plays up to 10 % faster to catch up (live_catch_up.ts, not hls.js's own rate
// control, which needs over a second of buffer and so never acts on a low-latency stream).
// Low-latency mode reads parts and blocks on reloads when the playlist has them (our packager);
// for those the sync target becomes the playlist's PART-HOLD-BACK (see MANIFEST_LOADED below).
const HLS_CONFIG = {
  lowLatencyMode: true,
  liveSyncDuration: 2,
  liveMaxLatencyDuration: 5,
  // 1 turns hls.js's rate control off: it would reset the catch-up rate on every timeupdate.
  maxLiveSyncPlaybackRate: 1,
  liveDurationInfinity: true,
  // Start from a playlist with a single segment: the first frames come a segment sooner.
  initialLiveManifestSize: 1,
  // Live only: keep little behind the playhead, and do not buffer far ahead of a 2 s target.
  backBufferLength: 10,
  maxBufferLength: 6,
  // The playlist 404s for a moment while a publisher starts; retry it quickly.
  manifestLoadPolicy: {
    default: {
      maxTimeToFirstByteMs: 5000,
      maxLoadTimeMs: 10000,
      timeoutRetry: { maxNumRetry: 2, retryDelayMs: 500, maxRetryDelayMs: 1000 },
      errorRetry: { maxNumRetry: 6, retryDelayMs: 500, maxRetryDelayMs: 1000 },
    },
  },
};

/** Starts playing `src` in `video`; a fatal error is reported once, the caller decides to retry. */
export function playLive(
  video: HTMLVideoElement,
  src: string,
  options: LivePlayerOptions,
): LivePlayer {
  const { onState } = options;
  const onPlaying = () => onState("playing");
  const onWaiting = () => onState("waiting");
  const onEnded = () => onState("ended");
  video.addEventListener("playing", onPlaying);
  video.addEventListener("waiting", onWaiting);
  video.addEventListener("ended", onEnded);
  const unlisten = () => {
    video.removeEventListener("playing", onPlaying);
    video.removeEventListener("waiting", onWaiting);
    video.removeEventListener("ended", onEnded);
  };
  const play = () => video.play().catch(() => {/* autoplay refused: the controls remain */});
  onState("loading");

  if (Hls.isSupported()) {
    const hls = new Hls(HLS_CONFIG);
    let baseTarget = 0; // PART-HOLD-BACK of a low-latency playlist
    let lastStall = 0;
    const levels = () =>
      hls.levels.map((level, index) => ({ index, height: level.height, bitrate: level.bitrate }));
    hls.on(Hls.Events.MANIFEST_LOADED, (_event, data) => {
      // A media playlist with parts: sit PART-HOLD-BACK behind the edge, not the 2 s meant for
      // whole segments. Set before the first level loads, so playback starts there. Past 3
      // hold-backs the player jumps back to that point instead of catching up by rate.
      // Each stall (one comes at the start when the page opens before the first part) raises
      // the target by liveSyncOnStallIncrease: 1 s by default, more than the whole hold-back;
      // one part of cushion per stall is what a low-latency target can afford.
      const details = data.levels[0]?.details;
      const holdBack = details?.partHoldBack;
      baseTarget = holdBack ?? 0;
      if (holdBack) {
        hls.config.liveSyncDuration = holdBack;
        hls.config.liveMaxLatencyDuration = Math.max(1.8, holdBack * 3);
        hls.config.liveSyncOnStallIncrease = details.partTarget || holdBack / 3;
      }
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      options.onLevels?.(levels());
      play();
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (data.details === Hls.ErrorDetails.BUFFER_STALLED_ERROR) lastStall = Date.now();
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
        return;
      }
      onState("error", data.details);
    });
    const catchUp = () => {
      const target = hls.targetLatency;
      if (target === null || video.paused) return;
      // hls.js keeps the cushion its stalls added for good; a stall on a busy moment should not
      // cost every later second, so after a while without one the target is the hold-back again.
      if (baseTarget && target > baseTarget && Date.now() - lastStall > FORGET_STALL_MS) {
        hls.targetLatency = baseTarget;
      }
      const buffered = video.buffered;
      const end = buffered.length ? buffered.end(buffered.length - 1) : 0;
      const rate = catchUpRate({
        latency: hls.latency,
        target,
        ahead: end - video.currentTime,
        minAhead: target / 2,
        maxLatency: hls.maxLatency,
        rate: video.playbackRate,
      });
      if (rate !== video.playbackRate) video.playbackRate = rate;
    };
    video.addEventListener("timeupdate", catchUp);
    hls.loadSource(src);
    hls.attachMedia(video);
    return {
      latency() {
        const date = hls.playingDate;
        if (date) return { seconds: (Date.now() - date.getTime()) / 1000, from: "clock" };
        const edge = hls.latency;
        return Number.isFinite(edge) && edge > 0 ? { seconds: edge, from: "edge" } : null;
      },
      levels,
      setLevel(index) {
        hls.currentLevel = index;
      },
      destroy() {
        unlisten();
        video.removeEventListener("timeupdate", catchUp);
        if (video.playbackRate === CATCH_UP_RATE) video.playbackRate = 1;
        hls.destroy();
      },
    };
  }

  // Safari and iOS play HLS themselves.
  const onError = () => onState("error", "native playback failed");
  video.addEventListener("error", onError);
  video.src = src;
  play();
  return {
    latency() {
      // Safari maps EXT-X-PROGRAM-DATE-TIME (the packager's arrival stamps) onto the timeline:
      // getStartDate() is the wall clock of currentTime 0, so this is the same clock readout.
      const start = (video as HTMLVideoElement & { getStartDate?(): Date }).getStartDate?.();
      const at = start?.getTime();
      if (at !== undefined && Number.isFinite(at) && at > 0) {
        return { seconds: (Date.now() - at) / 1000 - video.currentTime, from: "clock" };
      }
      const seekable = video.seekable;
      if (seekable.length === 0) return null;
      const edge = seekable.end(seekable.length - 1) - video.currentTime;
      return edge > 0 ? { seconds: edge, from: "edge" } : null;
    },
    levels: () => [],
    setLevel() {},
    destroy() {
      unlisten();
      video.removeEventListener("error", onError);
      video.removeAttribute("src");
      video.load();
    },
  };
}

/** Whether this browser can play HLS at all (hls.js over MSE, or natively). */
export function canPlayHls(): boolean {
  return Hls.isSupported() ||
    document.createElement("video").canPlayType("application/vnd.apple.mpegurl") !== "";
}
