// RTMP chunk stream writer: messages out as chunks, with header compression per chunk stream.
import type { RtmpMessage } from "./chunk_reader.ts";

interface Previous {
  timestamp: number;
  tsField: number;
  length: number;
  typeId: number;
  streamId: number;
}

/** Encodes messages into chunks. State (chunk size, previous headers) is per instance. */
export class ChunkWriter {
  #chunkSize = 128;
  #prev = new Map<number, Previous>();

  get chunkSize(): number {
    return this.#chunkSize;
  }

  /**
   * Encode a Set Chunk Size message at the current size, then use the new size for what follows,
   * which is the order the peer will read them in.
   */
  setChunkSize(size: number): Uint8Array {
    if (!Number.isInteger(size) || size < 1 || size > 0x7fffffff) {
      throw new RangeError(`Cannot set chunk size: ${size} is out of range`);
    }
    const payload = new Uint8Array(4);
    new DataView(payload.buffer).setUint32(0, size);
    const bytes = this.write({ csid: 2, typeId: 1, streamId: 0, timestamp: 0, payload });
    this.#chunkSize = size;
    return bytes;
  }

  /** Encode one message. Uses type 1/2/3 headers when the previous message on its csid allows. */
  write(msg: RtmpMessage): Uint8Array {
    const { csid, typeId, streamId, payload } = msg;
    if (csid < 2 || csid > 65599) throw new RangeError(`Cannot write chunk: csid ${csid}`);
    if (payload.length > 0xffffff) throw new RangeError("Cannot write chunk: message too long");
    const timestamp = msg.timestamp >>> 0;
    const prev = this.#prev.get(csid);
    let fmt = 0;
    let field = timestamp;
    if (prev && prev.streamId === streamId && timestamp >= prev.timestamp) {
      field = timestamp - prev.timestamp;
      if (prev.length !== payload.length || prev.typeId !== typeId) fmt = 1;
      else if (prev.tsField !== field) fmt = 2;
      else fmt = 3;
    }
    this.#prev.set(csid, { timestamp, tsField: field, length: payload.length, typeId, streamId });
    const extended = field >= 0xffffff;
    const basic = basicHeader(csid, fmt);
    const size = this.#chunkSize;
    const chunks = Math.max(1, Math.ceil(payload.length / size));
    const extLen = extended ? 4 : 0;
    const contHeader = basicHeader(csid, 3).length + extLen;
    const headerLen = basic.length + [11, 7, 3, 0][fmt] + extLen;
    const out = new Uint8Array(headerLen + payload.length + (chunks - 1) * contHeader);
    const view = new DataView(out.buffer);
    out.set(basic, 0);
    let at = basic.length;
    if (fmt < 3) {
      const f = extended ? 0xffffff : field;
      out.set([f >> 16, (f >> 8) & 0xff, f & 0xff], at);
      at += 3;
      if (fmt < 2) {
        out.set([payload.length >> 16, (payload.length >> 8) & 0xff, payload.length & 0xff], at);
        out[at + 3] = typeId;
        at += 4;
      }
      if (fmt === 0) {
        view.setUint32(at, streamId, true);
        at += 4;
      }
    }
    if (extended) {
      view.setUint32(at, field);
      at += 4;
    }
    for (let off = 0; off < payload.length; off += size) {
      if (off > 0) {
        // continuation chunks repeat the extended timestamp, as the spec says and readers expect
        out.set(basicHeader(csid, 3), at);
        at += basicHeader(csid, 3).length;
        if (extended) {
          view.setUint32(at, field);
          at += 4;
        }
      }
      const part = payload.subarray(off, off + size);
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

function basicHeader(csid: number, fmt: number): Uint8Array {
  if (csid < 64) return Uint8Array.of((fmt << 6) | csid);
  if (csid < 320) return Uint8Array.of(fmt << 6, csid - 64);
  const v = csid - 64;
  return Uint8Array.of((fmt << 6) | 1, v & 0xff, v >> 8);
}
