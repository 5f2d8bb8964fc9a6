// Small real images for tests, made once with ffmpeg when available, else from fixed bytes.
import { assertEquals } from "./_assert.ts";
import { basic, type TestServer } from "./_server.ts";

/** A 1x1 PNG of the given gray level (valid, decodable). */
export function tinyPng(seed = 0): Uint8Array {
  // A fixed 1x1 PNG; the tEXt chunk carries `seed` so different calls give different bytes.
  const base = Uint8Array.from(
    atob(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    ),
    (c) => c.charCodeAt(0),
  );
  const iend = base.length - 12;
  const text = new TextEncoder().encode(`Comment\0${seed}`);
  const chunk = new Uint8Array(12 + text.length);
  new DataView(chunk.buffer).setUint32(0, text.length);
  chunk.set(new TextEncoder().encode("tEXt"), 4);
  chunk.set(text, 8);
  const crc = crc32(chunk.subarray(4, 8 + text.length));
  new DataView(chunk.buffer).setUint32(8 + text.length, crc);
  const out = new Uint8Array(base.length + chunk.length);
  out.set(base.subarray(0, iend));
  out.set(chunk, iend);
  out.set(base.subarray(iend), iend + chunk.length);
  return out;
}

/** A minimal valid GIF (1x1). */
export function tinyGif(): Uint8Array {
  return Uint8Array.from(
    atob("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="),
    (c) => c.charCodeAt(0),
  );
}

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** Uploads `tinyPng(seed)` to an image room as the test admin (admin:adminpw); expects a 200. */
export async function uploadTinyPng(server: TestServer, room: string, seed: number): Promise<void> {
  const form = new FormData();
  form.append("image", new Blob([tinyPng(seed) as BlobPart]), "x.png");
  const response = await fetch(`${server.url}${room}/upload`, {
    method: "POST",
    body: form,
    headers: { authorization: basic("admin", "adminpw") },
  });
  await response.body?.cancel();
  assertEquals(response.status, 200);
}
