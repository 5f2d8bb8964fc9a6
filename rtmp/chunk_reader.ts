// Incremental, bounded RTMP chunk stream parser: bytes in (any slicing), whole messages out.

/** One reassembled RTMP message. */
export interface RtmpMessage {
  csid: number;
  typeId: number;
  streamId: number;
  /** Absolute timestamp in ms, modulo 2^32. */
  timestamp: number;
  payload: Uint8Array;
}

/** Thrown for malformed or over-limit chunk streams; the connection should close. */
export class ChunkError extends Error {
  override name = "ChunkError";
}

export interface ChunkReaderOptions {
  /** Smallest chunk size a peer may set (the spec's default; SRS's floor); smaller is refused. @default 128 */
  minChunkSize?: number;
  /** Largest chunk size a peer may set; larger is refused. @default 65536 */
  maxChunkSize?: number;
  /** Largest message length accepted; changeable later with `maxMessageLength`. @default 8 MiB */
  maxMessageLength?: number;
  /** Most bytes held in partial message buffers. @default maxMessageLength + 1 MiB (a video and its audio) */
  maxBufferedBytes?: number;
  /** Most distinct chunk stream ids per connection (real clients use a handful). @default 64 */
  maxChunkStreams?: number;
  /** Most chunk streams with a message in progress at once (audio + video + a command). @default 8 */
  maxPartialMessages?: number;
}

export const MSG_SET_CHUNK_SIZE = 1;
export const MSG_ABORT = 2;

interface StreamState {
  csid: number;
  timestamp: number;
  /** The last explicit timestamp field (absolute after type 0, delta after 1/2), extended value if any. */
  tsField: number;
  /** The last type 0/1/2 header used the extended timestamp, so type 3 chunks carry it too. */
  extended: boolean;
  length: number;
  typeId: number;
  streamId: number;
  /** The message being assembled, allocated once at its declared length; null between messages. */
  buf: Uint8Array | null;
  filled: number;
}

const MESSAGE_HEADER_SIZE = [11, 7, 3, 0];

/**
 * Parses chunks as bytes arrive. Set Chunk Size and Abort are applied here, at once, because the
 * very next chunk may depend on them; they are returned as messages too.
 *
 * Each message is copied into one buffer of its declared length, so what a connection holds is
 * the sum of those lengths whatever the chunk size: keeping every chunk as its own array cost
 * ~400 bytes of heap per 1-byte chunk (12 MiB sent at chunk size 1 grew the process by 2.2 GiB).
 */
export class ChunkReader {
  #chunkSize = 128;
  #streams = new Map<number, StreamState>();
  #header = new Uint8Array(18);
  #view = new DataView(this.#header.buffer);
  #headerLen = 0;
  #current: StreamState | null = null; // stream whose chunk payload we are reading
  #chunkLeft = 0;
  #held = 0; // bytes of the buffers of partial messages
  #partials = 0; // chunk streams with a message in progress
  /** Messages longer than this are refused at their first header. */
  maxMessageLength: number;
  readonly #minChunkSize: number;
  readonly #maxChunkSize: number;
  readonly #maxHeld: number;
  readonly #maxStreams: number;
  readonly #maxPartials: number;

  constructor(options: ChunkReaderOptions = {}) {
    this.#minChunkSize = options.minChunkSize ?? 128;
    this.#maxChunkSize = options.maxChunkSize ?? 65536;
    this.maxMessageLength = options.maxMessageLength ?? 8 * 1024 * 1024;
    this.#maxHeld = options.maxBufferedBytes ?? this.maxMessageLength + 1024 * 1024;
    this.#maxStreams = options.maxChunkStreams ?? 64;
    this.#maxPartials = options.maxPartialMessages ?? 8;
  }

  /** The peer's current chunk size. */
  get chunkSize(): number {
    return this.#chunkSize;
  }

  /** Bytes this reader holds for the peer: partial message buffers and an unfinished header. */
  get heldBytes(): number {
    return this.#held + this.#headerLen;
  }

  /** Feed bytes; returns every message completed by them. Throws ChunkError on bad input. */
  push(bytes: Uint8Array): RtmpMessage[] {
    const out: RtmpMessage[] = [];
    let at = 0;
    while (at < bytes.length) {
      if (this.#current === null) {
        at = this.#readHeader(bytes, at, out);
      } else {
        const n = Math.min(this.#chunkLeft, bytes.length - at);
        const s = this.#current;
        s.buf!.set(bytes.subarray(at, at + n), s.filled);
        s.filled += n;
        at += n;
        this.#chunkLeft -= n;
        if (this.#chunkLeft === 0) {
          this.#current = null;
          if (s.filled === s.length) this.#complete(s, out);
        }
      }
    }
    return out;
  }

  #readHeader(bytes: Uint8Array, at: number, out: RtmpMessage[]): number {
    const h = this.#header;
    for (;;) {
      const need = this.#headerNeeds();
      if (this.#headerLen >= need) break;
      const n = Math.min(need - this.#headerLen, bytes.length - at);
      if (n === 0) return at;
      h.set(bytes.subarray(at, at + n), this.#headerLen);
      this.#headerLen += n;
      at += n;
    }
    this.#applyHeader(out);
    this.#headerLen = 0;
    return at;
  }

  /** Bytes the header needs, given the bytes read so far. */
  #headerNeeds(): number {
    const h = this.#header;
    if (this.#headerLen < 1) return 1;
    const fmt = h[0] >> 6;
    const low = h[0] & 0x3f;
    const basic = low === 0 ? 2 : low === 1 ? 3 : 1;
    const base = basic + MESSAGE_HEADER_SIZE[fmt];
    if (this.#headerLen < base) return base;
    if (fmt === 3) {
      const s = this.#streams.get(this.#csid(basic));
      return s?.extended ? base + 4 : base;
    }
    const field = (h[basic] << 16) | (h[basic + 1] << 8) | h[basic + 2];
    return field === 0xffffff ? base + 4 : base;
  }

  #csid(basic: number): number {
    const h = this.#header;
    if (basic === 1) return h[0] & 0x3f;
    if (basic === 2) return h[1] + 64;
    return h[2] * 256 + h[1] + 64;
  }

  #applyHeader(out: RtmpMessage[]): void {
    const h = this.#header;
    const fmt = h[0] >> 6;
    const low = h[0] & 0x3f;
    const basic = low === 0 ? 2 : low === 1 ? 3 : 1;
    const csid = this.#csid(basic);
    let s = this.#streams.get(csid);
    if (!s) {
      if (fmt !== 0) {
        throw new ChunkError(`Cannot read chunk: type ${fmt} starts chunk stream ${csid}`);
      }
      if (this.#streams.size >= this.#maxStreams) {
        throw new ChunkError("Cannot read chunk: too many chunk streams");
      }
      s = {
        csid,
        timestamp: 0,
        tsField: 0,
        extended: false,
        length: 0,
        typeId: 0,
        streamId: 0,
        buf: null,
        filled: 0,
      };
      this.#streams.set(csid, s);
    }
    const p = basic;
    const view = this.#view;
    const inProgress = s.buf !== null;
    if (fmt < 3) {
      if (inProgress) {
        throw new ChunkError(`Cannot read chunk: new header on chunk stream ${csid} mid-message`);
      }
      let field = (h[p] << 16) | (h[p + 1] << 8) | h[p + 2];
      s.extended = field === 0xffffff;
      if (s.extended) field = view.getUint32(p + MESSAGE_HEADER_SIZE[fmt]);
      if (fmt <= 1) {
        s.length = (h[p + 3] << 16) | (h[p + 4] << 8) | h[p + 5];
        s.typeId = h[p + 6];
      }
      if (fmt === 0) s.streamId = view.getUint32(p + 7, true); // little-endian, per the spec
      s.timestamp = fmt === 0 ? field : (s.timestamp + field) >>> 0;
      s.tsField = field;
    } else if (!inProgress) {
      // a type 3 chunk starting a new message repeats the previous timestamp field as its delta
      s.timestamp = (s.timestamp + s.tsField) >>> 0;
    }
    // on a type 3 continuation the repeated extended timestamp was consumed and is ignored
    if (!inProgress) this.#startMessage(s);
    this.#chunkLeft = Math.min(this.#chunkSize, s.length - s.filled);
    if (this.#chunkLeft === 0) {
      this.#complete(s, out); // zero-length message
    } else {
      this.#current = s;
    }
  }

  /** Checks the limits before the buffer exists: a header alone cannot make us allocate more. */
  #startMessage(s: StreamState): void {
    if (s.length > this.maxMessageLength) {
      throw new ChunkError(`Cannot read chunk: message length ${s.length} exceeds limit`);
    }
    if (this.#partials >= this.#maxPartials) {
      throw new ChunkError("Cannot read chunk: too many chunk streams with partial messages");
    }
    if (this.#held + s.length > this.#maxHeld) {
      throw new ChunkError("Cannot read chunk: too many bytes held in partial messages");
    }
    s.buf = new Uint8Array(s.length);
    s.filled = 0;
    this.#held += s.length;
    this.#partials++;
  }

  #release(s: StreamState): Uint8Array {
    const payload = s.buf!;
    s.buf = null;
    s.filled = 0;
    this.#held -= payload.length;
    this.#partials--;
    return payload;
  }

  #complete(s: StreamState, out: RtmpMessage[]): void {
    const payload = this.#release(s);
    const msg = {
      csid: s.csid,
      typeId: s.typeId,
      streamId: s.streamId,
      timestamp: s.timestamp,
      payload,
    };
    if (s.typeId === MSG_SET_CHUNK_SIZE) this.#setChunkSize(payload);
    if (s.typeId === MSG_ABORT) this.#abort(payload);
    out.push(msg);
  }

  #setChunkSize(payload: Uint8Array): void {
    if (payload.length < 4) throw new ChunkError("Cannot set chunk size: payload too short");
    const size = new DataView(payload.buffer, payload.byteOffset).getUint32(0) & 0x7fffffff;
    if (size < this.#minChunkSize || size > this.#maxChunkSize) {
      throw new ChunkError(`Cannot set chunk size: ${size} is out of range`);
    }
    this.#chunkSize = size;
  }

  #abort(payload: Uint8Array): void {
    if (payload.length < 4) throw new ChunkError("Cannot abort message: payload too short");
    const csid = new DataView(payload.buffer, payload.byteOffset).getUint32(0);
    const s = this.#streams.get(csid);
    if (s?.buf) this.#release(s);
  }
}
