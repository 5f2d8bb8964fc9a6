// Stream health from what the publisher sends (FLV audio/video tags), and viewers over the stream.
import { parseAudioConfig, spsFromAvcc } from "./stream_sps.ts";
import type { StreamHealth, ViewerPoint } from "./wire.ts";

export type { StreamHealth, ViewerPoint };

export interface HealthOptions {
  /** Span of the rate figures. @default 5000 */
  windowMs?: number;
  /** Points kept per stream; when full, every other one goes and sampling slows by half. @default 720 */
  maxPoints?: number;
  /** First sampling interval of the viewer graph. @default 5000 */
  sampleMs?: number;
  now?: () => number;
}

interface Frame {
  ts: number;
  bytes: number;
}

interface RoomState {
  video: Frame[];
  audio: Frame[];
  videoCodec: string | null;
  size: { width: number; height: number } | null;
  audioCodec: string | null;
  audioConfig: { sampleRate: number; channels: number } | null;
  keyframes: number[];
  stalls: number;
  reconnects: number;
  drops: number;
  lastDropReason: string | null;
  lastArrival: number | null;
  offlineAt: number | null;
  points: ViewerPoint[];
  sampleMs: number;
}

/** Frames kept per window even if a publisher sends thousands of tiny ones. */
export const MAX_FRAMES = 4000;
const STALL_MS = 2000;
const RECONNECT_MS = 60_000;
const VIDEO_CODECS: Record<number, string> = {
  2: "Sorenson H.263",
  4: "VP6",
  7: "H.264",
  12: "HEVC",
};
const FOURCC: Record<string, string> = { avc1: "H.264", hvc1: "HEVC", av01: "AV1", vp09: "VP9" };
const AUDIO_CODECS: Record<number, string> = { 2: "MP3", 10: "AAC", 11: "Speex", 13: "Opus" };

const fresh = (sampleMs: number): RoomState => ({
  video: [],
  audio: [],
  videoCodec: null,
  size: null,
  audioCodec: null,
  audioConfig: null,
  keyframes: [],
  stalls: 0,
  reconnects: 0,
  drops: 0,
  lastDropReason: null,
  lastArrival: null,
  offlineAt: null,
  points: [],
  sampleMs,
});

/** Appends a frame and drops those older than the window (and past MAX_FRAMES). */
function push(frames: Frame[], frame: Frame, windowMs: number): void {
  // A new publish restarts timestamps at 0: old frames would make the span negative.
  if (frames.length && frame.ts < frames[frames.length - 1].ts - 1000) frames.length = 0;
  frames.push(frame);
  while (frames.length > MAX_FRAMES || frames[0].ts <= frame.ts - windowMs) frames.shift();
}

/** Bits per millisecond (= kb/s) over the frames' span. */
function kbps(frames: Frame[]): number | null {
  if (frames.length < 2) return null;
  const span = Math.max(frames[frames.length - 1].ts - frames[0].ts, 1);
  const bytes = frames.slice(1).reduce((sum, f) => sum + f.bytes, 0);
  return Math.round((bytes * 8) / span);
}

/** Reads one FLV video tag body: codec, SPS size, frame and keyframe timestamps. */
function video(state: RoomState, payload: Uint8Array, ts: number, windowMs: number): void {
  const first = payload[0];
  const enhanced = (first & 0x80) !== 0;
  const keyframe = ((first >> 4) & 0x07) === 1;
  let sequenceHeader: boolean;
  // Only coded frames count (not sequence headers or end-of-sequence markers).
  let frame: boolean;
  if (enhanced) {
    const fourcc = String.fromCharCode(...payload.subarray(1, 5));
    state.videoCodec = FOURCC[fourcc] ?? fourcc;
    sequenceHeader = (first & 0x0f) === 0;
    frame = (first & 0x0f) === 1 || (first & 0x0f) === 3;
  } else {
    sequenceHeader = (first & 0x0f) === 7 && payload[1] === 0;
    frame = (first & 0x0f) !== 7 || payload[1] === 1;
    // The sequence header names the profile; plain frames only say which codec.
    if (!sequenceHeader || state.videoCodec === null) {
      state.videoCodec = state.size ? state.videoCodec : VIDEO_CODECS[first & 0x0f] ??
        `codec ${first & 0x0f}`;
    }
    if (sequenceHeader) {
      const sps = spsFromAvcc(payload.subarray(5));
      if (sps) {
        state.size = { width: sps.width, height: sps.height };
        state.videoCodec = `H.264 ${sps.profile} ${sps.level}`;
      }
    }
  }
  if (!frame) return;
  push(state.video, { ts, bytes: payload.length }, windowMs);
  if (keyframe) {
    state.keyframes.push(ts);
    if (state.keyframes.length > 2) state.keyframes.shift();
  }
}

/** Reads one FLV audio tag body: codec, AAC config, frame sizes. */
function audio(state: RoomState, payload: Uint8Array, ts: number, windowMs: number): void {
  const format = payload[0] >> 4;
  state.audioCodec = AUDIO_CODECS[format] ?? `codec ${format}`;
  if (format === 10 && payload[1] === 0) {
    state.audioConfig = parseAudioConfig(payload.subarray(2)) ?? state.audioConfig;
    return;
  }
  push(state.audio, { ts, bytes: payload.length }, windowMs);
}

/** The figures of one room, from the frames of the last window. */
function healthOf(state: RoomState): StreamHealth {
  const v = state.video;
  const span = v.length > 1 ? v[v.length - 1].ts - v[0].ts : 0;
  const [k0, k1] = state.keyframes;
  return {
    videoCodec: state.videoCodec,
    width: state.size?.width ?? null,
    height: state.size?.height ?? null,
    fps: span > 0 ? Math.round(((v.length - 1) * 1000 / span) * 100) / 100 : null,
    videoKbps: kbps(state.video),
    audioCodec: state.audioCodec,
    sampleRate: state.audioConfig?.sampleRate ?? null,
    channels: state.audioConfig?.channels ?? null,
    audioKbps: kbps(state.audio),
    keyframeSeconds: k1 !== undefined ? Math.round(k1 - k0) / 1000 : null,
    stalls: state.stalls,
    reconnects: state.reconnects,
    drops: state.drops,
    lastDropReason: state.lastDropReason,
    lastMediaAt: state.lastArrival === null ? null : new Date(state.lastArrival).toISOString(),
  };
}

export function createHealthTracker(options: HealthOptions = {}) {
  const windowMs = options.windowMs ?? 5000;
  const maxPoints = options.maxPoints ?? 720;
  const sampleMs = options.sampleMs ?? 5000;
  const now = options.now ?? Date.now;
  const rooms = new Map<string, RoomState>();

  return {
    /** One RTMP audio (8) or video (9) message of a live publish (rtmp/ingest.ts IngestRooms). */
    onMedia(slug: string, typeId: number, ts: number, payload: Uint8Array): void {
      if (payload.length < 2) return;
      let state = rooms.get(slug);
      if (!state) rooms.set(slug, state = fresh(sampleMs));
      const at = now();
      if (
        state.lastArrival !== null && state.offlineAt === null && at - state.lastArrival > STALL_MS
      ) {
        state.stalls++;
      }
      state.lastArrival = at;
      if (typeId === 9) video(state, payload, ts, windowMs);
      else if (typeId === 8) audio(state, payload, ts, windowMs);
    },

    /** The room went live: a publisher back within a minute continues the same stream. */
    live(slug: string): void {
      const state = rooms.get(slug);
      const at = now();
      if (state?.offlineAt != null && at - state.offlineAt < RECONNECT_MS) {
        state.reconnects++;
        state.offlineAt = null;
        return;
      }
      const next = fresh(sampleMs);
      // Media may arrive before the playlist is ready (and so before `live`): keep what it said.
      if (state && state.offlineAt === null) Object.assign(next, state, { points: [] });
      rooms.set(slug, next);
    },

    /** The server dropped the room's publisher. */
    onDrop(slug: string, reason: string): void {
      const state = rooms.get(slug);
      if (!state) return;
      state.drops++;
      state.lastDropReason = reason;
    },

    offline(slug: string): void {
      const state = rooms.get(slug);
      if (state) {
        state.offlineAt = now();
        state.video.length = 0;
        state.audio.length = 0;
      }
    },

    /** Adds a point to the room's viewer graph if its sampling interval has passed. */
    sample(slug: string, viewers: number): void {
      const state = rooms.get(slug);
      if (!state || state.offlineAt !== null) return;
      const at = now();
      const last = state.points[state.points.length - 1];
      if (last && at - last.at < state.sampleMs) return;
      state.points.push({ at, viewers });
      if (state.points.length >= maxPoints) {
        state.points = state.points.filter((_, i) => i % 2 === 0);
        state.sampleMs *= 2;
      }
    },

    health(slug: string): StreamHealth | null {
      const state = rooms.get(slug);
      return state ? healthOf(state) : null;
    },

    graph: (slug: string): ViewerPoint[] => [...(rooms.get(slug)?.points ?? [])],
    forget: (slug: string) => void rooms.delete(slug),
  };
}

export type HealthTracker = ReturnType<typeof createHealthTracker>;
