// RTMP H.264/AAC messages to CMAF parts and segments in an LL-HLS ring: no ffmpeg, no disk.
import { parseAudioConfig, spsFromAvcc } from "../routes/streams/stream_sps.ts";
import { fragment, initSegment, type Sample, type Track } from "./fmp4.ts";
import { FLV_AUDIO, FLV_VIDEO } from "./flv.ts";
import type { LlHlsRing } from "./llhls.ts";

const VIDEO_ID = 1;
const AUDIO_ID = 2;

export interface PackagerOptions {
  /** A keyframe at least this long after the segment's start starts a new segment. @default 1000 */
  segmentTargetMs?: number;
  /** With no keyframe, a segment is cut anyway at this length, so the ring stays bounded. @default 6000 */
  maxSegmentMs?: number;
  /** Wall clock, for EXT-X-PROGRAM-DATE-TIME. */
  now?: () => number;
}

interface Pending extends Sample {
  dts: number;
  arrived: number;
}

/** One track's RTMP timestamps (32-bit milliseconds) unwrapped to a growing number. */
class Clock {
  #last: number | null = null;
  #ext = 0;
  unwrap(ts: number): number {
    const t = ts >>> 0;
    this.#ext = this.#last === null ? t : this.#ext + ((t - this.#last) | 0); // signed delta
    this.#last = t;
    return this.#ext;
  }
}

export class CmafPackager {
  #ring: LlHlsRing;
  #o: Required<PackagerOptions>;
  #avcC: Uint8Array | null = null;
  #asc: Uint8Array | null = null;
  #tracks: Track[] = [];
  #needInit = true;
  #clocks: Map<number, Clock> = new Map();
  #held = new Map<number, Pending>(); // the newest sample of each track, waiting for its duration
  #ready = new Map<number, Pending[]>(); // samples with durations, for the next part
  #partStart = -1; // dts of the part's first sample on the track that drives the cuts
  #segmentStart = -1;
  #newSegment = true;
  #partIndependent = false;
  #sequence = 1;
  #lastDur = new Map<number, number>();
  #offset: number | null = null;
  #end = 0; // decode time past the last sample, where a resumed publish continues

  constructor(ring: LlHlsRing, options: PackagerOptions = {}) {
    this.#ring = ring;
    this.#o = {
      segmentTargetMs: options.segmentTargetMs ?? 1000,
      maxSegmentMs: options.maxSegmentMs ?? 6000,
      now: options.now ?? Date.now,
    };
  }

  /** A new publish into the same ring (back within grace): fresh clocks after the old end. */
  restart(): void {
    this.flush();
    this.#clocks.clear();
    this.#offset = null;
    this.#avcC = this.#asc = null; // the new publish sends its own sequence headers
    this.#needInit = true;
    this.#ring.resume();
  }

  media(typeId: number, timestamp: number, payload: Uint8Array): void {
    if (typeId === FLV_VIDEO) this.#video(timestamp, payload);
    else if (typeId === FLV_AUDIO) this.#audio(timestamp, payload);
  }

  #video(ts: number, p: Uint8Array): void {
    if (p.length < 5 || (p[0] & 0x0f) !== 7) return; // H.264 only
    if (p[1] === 0) {
      const changed = !same(this.#avcC, p.subarray(5));
      this.#avcC = p.slice(5);
      if (changed) this.#needInit = true; // a new init at the next keyframe
      return;
    }
    if (p[1] !== 1 || !this.#avcC) return;
    const key = p[0] >> 4 === 1;
    if (this.#needInit && !key) return; // a new init must start on a keyframe
    const cto = ((p[2] << 16) | (p[3] << 8) | p[4]) << 8 >> 8; // SI24 composition time
    this.#push(VIDEO_ID, ts, { duration: 0, compositionOffset: cto, key, data: p.slice(5) });
  }

  #audio(ts: number, p: Uint8Array): void {
    if (p.length < 3 || p[0] >> 4 !== 10) return; // AAC only
    if (p[1] === 0) {
      const changed = !same(this.#asc, p.subarray(2));
      this.#asc = p.slice(2);
      if (changed && this.#tracks.some((t) => t.kind === "audio")) this.#needInit = true;
      return;
    }
    if (!this.#asc) return;
    // A new init (start, resolution change) begins at a video keyframe: audio waits for it.
    if (this.#needInit && this.#avcC) return;
    this.#push(AUDIO_ID, ts, { duration: 0, compositionOffset: 0, key: true, data: p.slice(2) });
  }

  #push(id: number, ts: number, s: Sample): void {
    if (this.#needInit) this.#startInit();
    if (!this.#tracks.some((t) => t.id === id)) return; // its header came after the init
    let clock = this.#clocks.get(id);
    if (!clock) this.#clocks.set(id, clock = new Clock());
    const t = clock.unwrap(ts);
    // One offset for all tracks of a publish: a resumed publish continues after the last one.
    this.#offset ??= this.#end - t;
    // Strictly increasing per track: a publisher running late (GStreamer's flvmux under load) can
    // stamp two frames with one millisecond, and a fragment's base time must pass the last one's.
    const previous = this.#held.get(id)?.dts;
    const dts = Math.max(0, t + this.#offset, previous === undefined ? 0 : previous + 1);
    const sample: Pending = { ...s, dts, arrived: this.#o.now() };
    const driver = this.#tracks[0].id === id; // video when there is video, else audio
    const held = this.#held.get(id);
    if (held) {
      held.duration = Math.max(1, dts - held.dts);
      this.#lastDur.set(id, held.duration);
      this.#ready.get(id)!.push(held);
      this.#end = Math.max(this.#end, dts);
    }
    if (driver) this.#maybeCut(sample);
    this.#held.set(id, sample);
  }

  /**
   * Before a driver sample (video, or audio when there is no video): closes the part when the next
   * sample would take it past the part target or is a keyframe, and starts a segment on a keyframe
   * past the segment target (or at the hard bound, keyframe or not).
   */
  #maybeCut(next: Pending): void {
    if (this.#partStart < 0) {
      this.#partStart = this.#segmentStart = next.dts;
      this.#partIndependent = next.key;
      return;
    }
    const partMs = next.dts - this.#partStart;
    if (partMs <= 0) return;
    const video = this.#tracks[0].kind === "video";
    const segmentMs = next.dts - this.#segmentStart;
    const segmentDue = (next.key && segmentMs >= this.#o.segmentTargetMs) ||
      segmentMs >= this.#o.maxSegmentMs;
    const estimate = this.#lastDur.get(this.#tracks[0].id) ?? 0;
    // A part never exceeds PART-TARGET (RFC 8216bis 4.4.4.9): cut if the next sample would.
    const partDue = segmentDue || (video && next.key) ||
      partMs + estimate > this.#ring.partTargetMs;
    if (!partDue) return;
    this.#writePart();
    this.#partStart = next.dts;
    this.#partIndependent = next.key;
    if (segmentDue) {
      this.#newSegment = true;
      this.#segmentStart = next.dts;
    }
  }

  #writePart(): void {
    const runs = this.#tracks.map((t) => {
      const samples = this.#ready.get(t.id)!;
      this.#ready.set(t.id, []);
      return { trackId: t.id, baseDecodeTime: samples[0]?.dts ?? 0, samples };
    });
    const driver = runs[0].samples;
    if (runs.every((r) => r.samples.length === 0)) return;
    const all = runs.flatMap((r) => r.samples);
    const duration = driver.length
      ? driver.reduce((n, s) => n + s.duration, 0)
      : all.reduce((n, s) => n + s.duration, 0);
    const arrived = Math.min(...all.map((s) => s.arrived));
    const bytes = fragment(this.#sequence++, runs);
    this.#ring.addPart(
      bytes,
      { duration, independent: this.#partIndependent },
      this.#newSegment,
      arrived,
    );
    this.#newSegment = false;
  }

  #startInit(): void {
    this.flush();
    const tracks: Track[] = [];
    const sps = this.#avcC && spsFromAvcc(this.#avcC);
    if (this.#avcC && sps) {
      tracks.push({
        kind: "video",
        id: VIDEO_ID,
        timescale: 1000,
        width: sps.width,
        height: sps.height,
        avcC: this.#avcC,
      });
    }
    const audio = this.#asc && parseAudioConfig(this.#asc);
    if (this.#asc && audio) {
      tracks.push({ kind: "audio", id: AUDIO_ID, timescale: 1000, ...audio, config: this.#asc });
    }
    this.#tracks = tracks;
    this.#ready = new Map(tracks.map((t) => [t.id, []]));
    this.#needInit = false;
    this.#partStart = -1;
    this.#newSegment = true;
    if (tracks.length) this.#ring.addInit(initSegment(tracks));
  }

  /** Writes what is held (the last samples get their track's last duration). */
  flush(): void {
    if (!this.#tracks.length) return;
    for (const [id, held] of this.#held) {
      held.duration = this.#lastDur.get(id) ?? 33;
      this.#ready.get(id)?.push(held);
      this.#end = Math.max(this.#end, held.dts + held.duration);
    }
    this.#held.clear();
    this.#writePart();
    this.#partStart = -1;
    this.#newSegment = true;
  }

  /** The publish ended: write what is held and end the playlist. */
  end(): void {
    this.flush();
    this.#ring.end();
  }
}

function same(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && a.length === b.length && a.every((x, i) => x === b[i]);
}
