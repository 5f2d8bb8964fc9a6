// FLV header and tag writing, and the remuxer that turns RTMP media into an FLV byte stream.
import { concatBytes } from "../bytes.ts";

export const FLV_AUDIO = 8;
export const FLV_VIDEO = 9;
export const FLV_SCRIPT = 18;

/** "FLV", version 1, audio+video flags, header size 9, then PreviousTagSize0 = 0. */
export function flvHeader(): Uint8Array {
  return Uint8Array.of(0x46, 0x4c, 0x56, 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0);
}

/** One tag plus its trailing PreviousTagSize. Timestamps keep all 32 bits (24 + extension byte). */
export function flvTag(type: number, timestamp: number, data: Uint8Array): Uint8Array {
  if (data.length > 0xffffff) throw new RangeError("Cannot write FLV tag: data too long");
  const out = new Uint8Array(11 + data.length + 4);
  const view = new DataView(out.buffer);
  const ts = timestamp >>> 0;
  out[0] = type;
  out.set([data.length >> 16, (data.length >> 8) & 0xff, data.length & 0xff], 1);
  out.set([(ts >> 16) & 0xff, (ts >> 8) & 0xff, ts & 0xff, ts >>> 24], 4);
  // stream id (3 bytes) stays 0
  out.set(data, 11);
  view.setUint32(11 + data.length, 11 + data.length);
  return out;
}

function isAvc(p: Uint8Array): boolean {
  return p.length >= 2 && (p[0] & 0x0f) === 7;
}

function isAac(p: Uint8Array): boolean {
  return p.length >= 2 && p[0] >> 4 === 10;
}

/**
 * Turns RTMP audio/video/metadata into FLV tags for ffmpeg. It keeps the last metadata and AVC/AAC
 * sequence headers so a new ffmpeg gets them first (`preamble()`), drops AVC/AAC frames that come
 * before their sequence header (ffmpeg cannot decode them) and video until the first keyframe.
 */
export class FlvRemuxer {
  #metadata: Uint8Array | null = null;
  #avcHeader: Uint8Array | null = null;
  #aacHeader: Uint8Array | null = null;
  #keyframeSeen = false;

  /** FLV header, then the kept metadata and sequence headers: what a freshly started ffmpeg needs. */
  preamble(): Uint8Array {
    this.#keyframeSeen = false; // a new reader must start on a keyframe
    const parts = [flvHeader(), this.#metadata, this.#avcHeader, this.#aacHeader]
      .filter((p): p is Uint8Array => p !== null);
    return concatBytes(parts);
  }

  /** `payload` is AMF0 script data starting with the string "onMetaData". */
  metadata(payload: Uint8Array, timestamp: number): Uint8Array {
    this.#metadata = flvTag(FLV_SCRIPT, timestamp, payload);
    return this.#metadata;
  }

  /** Returns the tag to write, or null when the frame must be dropped. */
  media(typeId: number, timestamp: number, payload: Uint8Array): Uint8Array | null {
    if (payload.length === 0) return null;
    if (typeId === FLV_VIDEO) {
      if (isAvc(payload)) {
        if (payload[1] === 0) {
          this.#avcHeader = flvTag(FLV_VIDEO, timestamp, payload);
          return this.#avcHeader;
        }
        if (!this.#avcHeader) return null;
      }
      if (!this.#keyframeSeen) {
        if (payload[0] >> 4 !== 1) return null;
        this.#keyframeSeen = true;
      }
      return flvTag(FLV_VIDEO, timestamp, payload);
    }
    if (typeId === FLV_AUDIO) {
      if (isAac(payload)) {
        if (payload[1] === 0) {
          this.#aacHeader = flvTag(FLV_AUDIO, timestamp, payload);
          return this.#aacHeader;
        }
        if (!this.#aacHeader) return null;
      }
      return flvTag(FLV_AUDIO, timestamp, payload);
    }
    return null;
  }
}
