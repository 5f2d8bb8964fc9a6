// AMF0 encoding and bounded decoding for RTMP command and data messages.
import { concatBytes } from "../bytes.ts";

/** A decoded AMF0 value. ECMA arrays decode to plain objects; object order is kept. */
export type Amf0Value =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Amf0Value[]
  | Amf0Object;

/** An AMF0 anonymous object (or ECMA array). */
export interface Amf0Object {
  [key: string]: Amf0Value;
}

/** Thrown for any malformed or over-limit AMF0 input. */
export class Amf0Error extends Error {
  override name = "Amf0Error";
}

const NUMBER = 0x00;
const BOOLEAN = 0x01;
const STRING = 0x02;
const OBJECT = 0x03;
const NULL = 0x05;
const UNDEFINED = 0x06;
const ECMA_ARRAY = 0x08;
const OBJECT_END = 0x09;
const STRICT_ARRAY = 0x0a;
const DATE = 0x0b;
const LONG_STRING = 0x0c;

/** Nesting deeper than this is refused: real RTMP clients send depth 1 or 2. */
export const AMF0_MAX_DEPTH = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encode values one after another, as a command message carries them. */
export function encodeAmf0(values: readonly Amf0Value[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const v of values) encodeValue(v, parts, 0);
  return concatBytes(parts);
}

function encodeValue(v: Amf0Value, parts: Uint8Array[], depth: number): void {
  if (depth > AMF0_MAX_DEPTH) throw new Amf0Error("Cannot encode AMF0: nesting too deep");
  if (typeof v === "number") {
    const b = new Uint8Array(9);
    b[0] = NUMBER;
    new DataView(b.buffer).setFloat64(1, v);
    parts.push(b);
  } else if (typeof v === "boolean") {
    parts.push(Uint8Array.of(BOOLEAN, v ? 1 : 0));
  } else if (typeof v === "string") {
    const s = encoder.encode(v);
    if (s.length > 0xffff) {
      const h = new Uint8Array(5);
      h[0] = LONG_STRING;
      new DataView(h.buffer).setUint32(1, s.length);
      parts.push(h, s);
    } else {
      parts.push(Uint8Array.of(STRING, s.length >> 8, s.length & 0xff), s);
    }
  } else if (v === null) {
    parts.push(Uint8Array.of(NULL));
  } else if (v === undefined) {
    parts.push(Uint8Array.of(UNDEFINED));
  } else if (v instanceof Date) {
    const b = new Uint8Array(11);
    b[0] = DATE;
    new DataView(b.buffer).setFloat64(1, v.getTime());
    parts.push(b); // time zone bytes stay 0, as the spec recommends
  } else if (Array.isArray(v)) {
    const h = new Uint8Array(5);
    h[0] = STRICT_ARRAY;
    new DataView(h.buffer).setUint32(1, v.length);
    parts.push(h);
    for (const item of v) encodeValue(item, parts, depth + 1);
  } else {
    parts.push(Uint8Array.of(OBJECT));
    encodeProperties(v, parts, depth);
  }
}

function encodeProperties(obj: Amf0Object, parts: Uint8Array[], depth: number): void {
  for (const [k, val] of Object.entries(obj)) {
    const key = encoder.encode(k);
    if (key.length > 0xffff) throw new Amf0Error("Cannot encode AMF0: key too long");
    parts.push(Uint8Array.of(key.length >> 8, key.length & 0xff), key);
    encodeValue(val, parts, depth + 1);
  }
  parts.push(Uint8Array.of(0, 0, OBJECT_END));
}

/** Encode an ECMA array (used by onMetaData), keys in insertion order. */
export function encodeAmf0EcmaArray(obj: Amf0Object): Uint8Array {
  const parts: Uint8Array[] = [];
  const h = new Uint8Array(5);
  h[0] = ECMA_ARRAY;
  new DataView(h.buffer).setUint32(1, Object.keys(obj).length);
  parts.push(h);
  encodeProperties(obj, parts, 0);
  return concatBytes(parts);
}

/** Decode every value in `bytes`. Throws Amf0Error on malformed, truncated or too deep input. */
export function decodeAmf0(bytes: Uint8Array): Amf0Value[] {
  const r = new Reader(bytes);
  const out: Amf0Value[] = [];
  while (r.at < bytes.length) out.push(r.value(0));
  return out;
}

class Reader {
  at = 0;
  private view: DataView;
  constructor(private bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.at + n > this.bytes.length) {
      throw new Amf0Error(`Cannot decode AMF0: truncated at byte ${this.at}`);
    }
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.at++];
  }

  private u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.at);
    this.at += 2;
    return v;
  }

  private u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.at);
    this.at += 4;
    return v;
  }

  private f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.at);
    this.at += 8;
    return v;
  }

  private utf8(len: number): string {
    this.need(len); // checked before slicing, so a forged length never allocates
    const s = decoder.decode(this.bytes.subarray(this.at, this.at + len));
    this.at += len;
    return s;
  }

  value(depth: number): Amf0Value {
    if (depth > AMF0_MAX_DEPTH) throw new Amf0Error("Cannot decode AMF0: nesting too deep");
    const marker = this.u8();
    switch (marker) {
      case NUMBER:
        return this.f64();
      case BOOLEAN:
        return this.u8() !== 0;
      case STRING:
        return this.utf8(this.u16());
      case LONG_STRING:
        return this.utf8(this.u32());
      case NULL:
        return null;
      case UNDEFINED:
        return undefined;
      case OBJECT:
        return this.properties(depth);
      case ECMA_ARRAY:
        this.u32(); // the count is a hint only; the object end marker is authoritative
        return this.properties(depth);
      case STRICT_ARRAY: {
        const n = this.u32();
        // each item takes at least one byte, so a count beyond the input is a lie
        if (n > this.bytes.length - this.at) {
          throw new Amf0Error(`Cannot decode AMF0: array count ${n} exceeds input`);
        }
        const arr: Amf0Value[] = [];
        for (let i = 0; i < n; i++) arr.push(this.value(depth + 1));
        return arr;
      }
      case DATE: {
        const ms = this.f64();
        this.u16(); // time zone, unused
        return new Date(ms);
      }
      default:
        throw new Amf0Error(`Cannot decode AMF0: unsupported marker 0x${marker.toString(16)}`);
    }
  }

  private properties(depth: number): Amf0Object {
    const obj: Amf0Object = {};
    for (;;) {
      const len = this.u16();
      if (len === 0 && this.at < this.bytes.length && this.bytes[this.at] === OBJECT_END) {
        this.at++;
        return obj;
      }
      const key = this.utf8(len);
      const val = this.value(depth + 1);
      // defineProperty so a "__proto__" key stays plain data
      Object.defineProperty(obj, key, {
        value: val,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
}
