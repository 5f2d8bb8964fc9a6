// Reads an image's width and height from its header (PNG, JPEG, GIF, WebP, BMP, SVG), never decoding it.
import type { BlobStore } from "./blobs.ts";

export interface Dimensions {
  width: number;
  height: number;
}

/** Bytes read from the start of a file: every header but JPEG's (and SVG's root tag) fits. */
const HEAD_BYTES = 64 * 1024;
// A JPEG's SOF comes after its APPn/DQT/DHT segments; real files have a few dozen at most.
const MAX_JPEG_SEGMENTS = 1000;
// Larger than any real image; a header claiming more is not believed.
const MAX_SIDE = 1_000_000;

const u16be = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u16le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const u24le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
const u32be = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at);
const i32le = (b: Uint8Array, at: number) =>
  new DataView(b.buffer, b.byteOffset).getInt32(at, true);
const ascii = (b: Uint8Array, at: number, text: string) =>
  [...text].every((ch, i) => b[at + i] === ch.charCodeAt(0));

function sized(width: number, height: number): Dimensions | null {
  const ok = (n: number) => Number.isFinite(n) && n > 0 && n <= MAX_SIDE;
  return ok(width) && ok(height) ? { width, height } : null;
}

/** The dimensions in a raster header of the given extension, or null when it holds none. */
export function rasterDimensions(head: Uint8Array, ext: string): Dimensions | null {
  if (head.length < 30) return null;
  switch (ext) {
    case "png":
      return ascii(head, 12, "IHDR") ? sized(u32be(head, 16), u32be(head, 20)) : null;
    case "gif":
      return sized(u16le(head, 6), u16le(head, 8));
    case "bmp": {
      // BITMAPCOREHEADER (OS/2, 12 bytes) has 16-bit sides; the later headers signed 32-bit ones,
      // the height negative for top-down rows.
      if (u16le(head, 14) === 12) return sized(u16le(head, 18), u16le(head, 20));
      return sized(Math.abs(i32le(head, 18)), Math.abs(i32le(head, 22)));
    }
    case "webp":
      return webpDimensions(head);
  }
  return null;
}

function webpDimensions(b: Uint8Array): Dimensions | null {
  if (ascii(b, 12, "VP8 ") && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
    // Lossy: a 14-bit width and height after the key frame's start code; the top bits are scale.
    return sized(u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff);
  }
  if (ascii(b, 12, "VP8L") && b[20] === 0x2f) {
    // Lossless: 14 bits of width - 1, then 14 bits of height - 1, little-endian bit order.
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return sized((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (ascii(b, 12, "VP8X")) return sized(u24le(b, 24) + 1, u24le(b, 27) + 1);
  return null;
}

/** Start-of-frame markers: C0–CF but DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (m: number) =>
  m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 &&
  m !== 0xcc;

/** Reads bytes at an offset into `into`, filling it unless the end comes first; how many it put. */
type ReadAt = (at: number, into: Uint8Array) => Promise<number>;

/** Walks a JPEG's segments to its start of frame, reading only each segment's header. */
async function jpegDimensions(read: ReadAt): Promise<Dimensions | null> {
  const header = new Uint8Array(9);
  let at = 2;
  for (let i = 0; i < MAX_JPEG_SEGMENTS; i++) {
    if ((await read(at, header)) < header.length) return null;
    if (header[0] !== 0xff) return null;
    const marker = header[1];
    // Fill bytes before a marker.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    // Markers without a length: TEM, RSTn, and SOI/EOI (an EOI before any frame means none).
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    if (isStartOfFrame(marker)) return sized(u16be(header, 7), u16be(header, 5));
    const length = u16be(header, 2);
    if (length < 2) return null;
    at += 2 + length;
  }
  return null;
}

/** `ReadAt` over an open file. */
function fileReader(file: Deno.FsFile): ReadAt {
  return async (at, into) => {
    await file.seek(at, Deno.SeekMode.Start);
    let filled = 0;
    for (let n; filled < into.length && (n = await file.read(into.subarray(filled))) !== null;) {
      filled += n;
    }
    return filled;
  };
}

/**
 * `ReadAt` over a blob of `size` bytes, fetched in windows of HEAD_BYTES, so walking a JPEG's
 * segments costs one request per window (S3), not one per segment.
 */
function blobReader(blobs: Pick<BlobStore, "open">, key: string, size: number): ReadAt {
  const windows = new Map<number, Uint8Array>();
  const window = async (index: number) => {
    let bytes = windows.get(index);
    if (!bytes) {
      const start = index * HEAD_BYTES;
      const end = Math.min(size, start + HEAD_BYTES) - 1;
      const body = start <= end ? await blobs.open(key, { start, end }) : null;
      bytes = body ? new Uint8Array(await new Response(body).arrayBuffer()) : new Uint8Array(0);
      windows.set(index, bytes);
    }
    return bytes;
  };
  return async (at, into) => {
    let filled = 0;
    while (filled < into.length && at + filled < size) {
      const index = Math.floor((at + filled) / HEAD_BYTES);
      const bytes = await window(index);
      const from = at + filled - index * HEAD_BYTES;
      if (from >= bytes.length) break;
      const part = bytes.subarray(from, from + into.length - filled);
      into.set(part, filled);
      filled += part.length;
    }
    return filled;
  };
}

/** Reads the dimensions through `read`: JPEG by its segments, the rest from the first bytes. */
async function dimensionsOf(read: ReadAt, ext: string): Promise<Dimensions | null> {
  if (ext === "jpg" || ext === "jpeg") return await jpegDimensions(read);
  const head = new Uint8Array(HEAD_BYTES);
  const bytes = head.subarray(0, await read(0, head));
  if (ext === "svg") return svgDimensions(new TextDecoder().decode(bytes));
  return rasterDimensions(bytes, ext);
}

/** The dimensions of the blob `key` (extension `ext`), or null when it is gone or states none. */
export async function readBlobDimensions(
  blobs: Pick<BlobStore, "open" | "stat">,
  key: string,
  ext: string,
): Promise<Dimensions | null> {
  const info = await blobs.stat(key);
  return info ? await dimensionsOf(blobReader(blobs, key, info.size), ext) : null;
}

const SVG_ROOT = /<svg(?::svg)?\b((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/;
const SVG_ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
// A length in user units or px; em, %, cm, … have no size without a page around them.
const SVG_LENGTH = /^\s*(\d+(?:\.\d+)?|\.\d+)(?:px)?\s*$/;

/** An SVG's size: its root's viewBox, else its width and height when they are plain lengths. */
export function svgDimensions(text: string): Dimensions | null {
  const root = SVG_ROOT.exec(text);
  if (!root) return null;
  const attributes = new Map<string, string>();
  for (const [, name, double, single] of root[1].matchAll(SVG_ATTRIBUTE)) {
    attributes.set(name, double ?? single);
  }
  const box = attributes.get("viewBox")?.trim().split(/[\s,]+/).map(Number);
  if (box?.length === 4 && box.every(Number.isFinite)) {
    const dims = sized(round(box[2]), round(box[3]));
    if (dims) return dims;
  }
  const width = SVG_LENGTH.exec(attributes.get("width") ?? "")?.[1];
  const height = SVG_LENGTH.exec(attributes.get("height") ?? "")?.[1];
  return width && height ? sized(round(Number(width)), round(Number(height))) : null;
}

// Two decimals are plenty for a "24 × 24" label, and keep the aspect of tiny viewBoxes.
const round = (n: number) => Math.round(n * 100) / 100;

/** The dimensions of the stored file at `path` (extension `ext`), or null when unreadable. */
export async function readDimensions(path: string, ext: string): Promise<Dimensions | null> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  try {
    return await dimensionsOf(fileReader(file), ext);
  } finally {
    file.close();
  }
}
