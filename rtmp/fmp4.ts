// Pure fragmented-MP4 (CMAF) box writer: the init segment and moof+mdat fragments, no I/O.
import { concatBytes } from "../bytes.ts";

const ascii = new TextEncoder();

export function u8(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff);
}

export function u16(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}

export function u24(n: number): Uint8Array {
  return Uint8Array.of((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

export function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0);
  return out;
}

export function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(Math.floor(n)));
  return out;
}

/** A box: 32-bit size, four-character type, body. */
export function box(type: string, ...body: Uint8Array[]): Uint8Array {
  const payload = concatBytes(body);
  const out = new Uint8Array(8 + payload.length);
  new DataView(out.buffer).setUint32(0, out.length);
  out.set(ascii.encode(type), 4);
  out.set(payload, 8);
  return out;
}

/** A full box: a box whose body starts with a version byte and 24 bits of flags. */
export function fullBox(type: string, version: number, flags: number, ...body: Uint8Array[]) {
  return box(type, u8(version), u24(flags), ...body);
}

const zeros = (n: number) => new Uint8Array(n);
// The identity transform of mvhd and tkhd (16.16 and 2.30 fixed point).
const MATRIX = concatBytes([0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000].map(u32));

export interface VideoTrack {
  kind: "video";
  id: number;
  timescale: number;
  width: number;
  height: number;
  /** AVCDecoderConfigurationRecord: the body of the FLV AVC sequence header. */
  avcC: Uint8Array;
}

export interface AudioTrack {
  kind: "audio";
  id: number;
  timescale: number;
  sampleRate: number;
  channels: number;
  /** AudioSpecificConfig: the body of the FLV AAC sequence header. */
  config: Uint8Array;
}

export type Track = VideoTrack | AudioTrack;

export function ftyp(): Uint8Array {
  // iso6 for signed composition offsets in trun v1; cmfc because the output follows CMAF's layout.
  return box("ftyp", ascii.encode("iso6"), u32(0), ascii.encode("iso6cmfcisommp41"));
}

export function mvhd(timescale: number, nextTrackId: number): Uint8Array {
  return fullBox(
    "mvhd",
    0,
    0,
    u32(0), // creation time
    u32(0), // modification time
    u32(timescale),
    u32(0), // duration: unknown, the movie is fragmented
    u32(0x00010000), // rate 1.0
    u16(0x0100), // volume 1.0
    zeros(10), // reserved
    MATRIX,
    zeros(24), // pre_defined
    u32(nextTrackId),
  );
}

export function tkhd(t: Track): Uint8Array {
  const [w, h] = t.kind === "video" ? [t.width, t.height] : [0, 0];
  return fullBox(
    "tkhd",
    0,
    3, // enabled, in movie
    u32(0),
    u32(0),
    u32(t.id),
    u32(0), // reserved
    u32(0), // duration
    zeros(8), // reserved
    u16(0), // layer
    u16(0), // alternate group
    u16(t.kind === "audio" ? 0x0100 : 0), // volume
    u16(0), // reserved
    MATRIX,
    u32(w * 65536),
    u32(h * 65536),
  );
}

export function mdhd(timescale: number): Uint8Array {
  // language "und" packed as three 5-bit letters
  return fullBox("mdhd", 0, 0, u32(0), u32(0), u32(timescale), u32(0), u16(0x55c4), u16(0));
}

export function hdlr(kind: "video" | "audio"): Uint8Array {
  const [type, name] = kind === "video" ? ["vide", "VideoHandler"] : ["soun", "SoundHandler"];
  return fullBox("hdlr", 0, 0, u32(0), ascii.encode(type), zeros(12), ascii.encode(name), u8(0));
}

/** The decoder configuration of a track: avc1 with avcC, or mp4a with esds. */
export function sampleEntry(t: Track): Uint8Array {
  if (t.kind === "video") {
    return box(
      "avc1",
      zeros(6), // reserved
      u16(1), // data reference index
      zeros(16), // pre_defined, reserved
      u16(t.width),
      u16(t.height),
      u32(0x00480000), // 72 dpi
      u32(0x00480000),
      u32(0), // reserved
      u16(1), // frames per sample
      zeros(32), // compressor name
      u16(0x0018), // depth
      u16(0xffff), // pre_defined -1
      box("avcC", t.avcC),
    );
  }
  return box(
    "mp4a",
    zeros(6),
    u16(1),
    zeros(8), // reserved
    u16(t.channels),
    u16(16), // sample size
    zeros(4), // pre_defined, reserved
    u32(t.sampleRate <= 0xffff ? t.sampleRate * 65536 : 0), // 16.16; the ASC has the real rate
    esds(t.config),
  );
}

/** An MPEG-4 descriptor: tag, then its length in the 4-byte form every reader accepts. */
function descriptor(tag: number, ...body: Uint8Array[]): Uint8Array {
  const payload = concatBytes(body);
  const n = payload.length;
  const len = [0x80 | ((n >> 21) & 0x7f), 0x80 | ((n >> 14) & 0x7f), 0x80 | ((n >> 7) & 0x7f)];
  return concatBytes([Uint8Array.of(tag, ...len, n & 0x7f), payload]);
}

export function esds(config: Uint8Array): Uint8Array {
  return fullBox(
    "esds",
    0,
    0,
    descriptor(
      3, // ES_Descriptor
      u16(0), // ES_ID
      u8(0), // no stream dependence, URL or OCR
      descriptor(
        4, // DecoderConfigDescriptor
        u8(0x40), // object type: MPEG-4 Audio (AAC)
        u8(0x15), // stream type audio (5) << 2 | reserved 1
        u24(0), // buffer size
        u32(0), // max bitrate
        u32(0), // average bitrate
        descriptor(5, config), // DecoderSpecificInfo: the AudioSpecificConfig
      ),
      descriptor(6, u8(2)), // SLConfigDescriptor: predefined MP4
    ),
  );
}

/** Empty sample tables: in a fragmented file every sample is in a moof. */
function stbl(t: Track): Uint8Array {
  return box(
    "stbl",
    fullBox("stsd", 0, 0, u32(1), sampleEntry(t)),
    fullBox("stts", 0, 0, u32(0)),
    fullBox("stsc", 0, 0, u32(0)),
    fullBox("stsz", 0, 0, u32(0), u32(0)),
    fullBox("stco", 0, 0, u32(0)),
  );
}

function trak(t: Track): Uint8Array {
  const header = t.kind === "video"
    ? fullBox("vmhd", 0, 1, u16(0), zeros(6))
    : fullBox("smhd", 0, 0, u16(0), u16(0));
  const dinf = box("dinf", fullBox("dref", 0, 0, u32(1), fullBox("url ", 0, 1)));
  return box(
    "trak",
    tkhd(t),
    box("mdia", mdhd(t.timescale), hdlr(t.kind), box("minf", header, dinf, stbl(t))),
  );
}

export function trex(trackId: number): Uint8Array {
  // sample description 1; duration, size and flags are given per sample in every trun
  return fullBox("trex", 0, 0, u32(trackId), u32(1), u32(0), u32(0), u32(0));
}

/** ftyp + moov: what a player needs before any fragment. */
export function initSegment(tracks: Track[]): Uint8Array {
  const next = Math.max(0, ...tracks.map((t) => t.id)) + 1;
  const moov = box(
    "moov",
    mvhd(1000, next),
    ...tracks.map(trak),
    box("mvex", ...tracks.map((t) => trex(t.id))),
  );
  return concatBytes([ftyp(), moov]);
}

export interface Sample {
  /** In the track's timescale. */
  duration: number;
  /** Presentation minus decode time, in the track's timescale; negative is allowed (trun v1). */
  compositionOffset: number;
  /** A sync sample: an IDR frame, or any audio frame. */
  key: boolean;
  data: Uint8Array;
}

export interface TrackRun {
  trackId: number;
  /** Decode time of the first sample, in the track's timescale. */
  baseDecodeTime: number;
  samples: Sample[];
}

// sample_depends_on = 2 (independent) / 1 (depends) with sample_is_non_sync_sample
export const KEY_FLAGS = 0x02000000;
export const DELTA_FLAGS = 0x01010000;
// data offset, then duration, size, flags and composition offset for every sample
const TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400 | 0x000800;
const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;

export function trun(samples: Sample[], dataOffset: number): Uint8Array {
  const entries = new Uint8Array(samples.length * 16);
  const view = new DataView(entries.buffer);
  samples.forEach((s, i) => {
    view.setUint32(i * 16, s.duration >>> 0);
    view.setUint32(i * 16 + 4, s.data.length);
    view.setUint32(i * 16 + 8, s.key ? KEY_FLAGS : DELTA_FLAGS);
    view.setInt32(i * 16 + 12, s.compositionOffset);
  });
  return fullBox("trun", 1, TRUN_FLAGS, u32(samples.length), u32(dataOffset), entries);
}

function traf(run: TrackRun, dataOffset: number): Uint8Array {
  return box(
    "traf",
    fullBox("tfhd", 0, TFHD_DEFAULT_BASE_IS_MOOF, u32(run.trackId)),
    fullBox("tfdt", 1, 0, u64(run.baseDecodeTime)),
    trun(run.samples, dataOffset),
  );
}

/**
 * One fragment: moof (one traf per track with samples) and the mdat holding them in that order.
 * Data offsets count from the moof's first byte (default-base-is-moof).
 */
export function fragment(sequence: number, runs: TrackRun[]): Uint8Array {
  const used = runs.filter((r) => r.samples.length > 0);
  // The moof's size does not depend on the offsets' values: build once with zeros to measure it.
  const measure = (offsets: number[]) =>
    box("moof", fullBox("mfhd", 0, 0, u32(sequence)), ...used.map((r, i) => traf(r, offsets[i])));
  const moofSize = measure(used.map(() => 0)).length;
  const offsets: number[] = [];
  let at = moofSize + 8; // past the mdat header
  for (const r of used) {
    offsets.push(at);
    for (const s of r.samples) at += s.data.length;
  }
  const data = used.flatMap((r) => r.samples.map((s) => s.data));
  return concatBytes([measure(offsets), box("mdat", ...data)]);
}
