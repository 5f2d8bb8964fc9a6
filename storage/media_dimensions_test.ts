// readDimensions() on images ffmpeg makes, and on headers that lie.
import { join } from "node:path";
import { assertEquals } from "../tests/_assert.ts";
import { rasterDimensions, readDimensions, svgDimensions } from "./media_dimensions.ts";

async function ffmpegImage(dir: string, name: string, args: string[] = []): Promise<string> {
  const path = join(dir, name);
  const { success } = await new Deno.Command("ffmpeg", {
    args: [
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc=size=37x23",
      "-frames:v",
      "1",
      ...args,
      path,
    ],
    stdout: "null",
    stderr: "inherit",
  }).output();
  if (!success) throw new Error(`Cannot make ${name} with ffmpeg`);
  return path;
}

Deno.test("readDimensions() reads PNG, JPEG, GIF, lossy and lossless WebP and BMP headers", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string, string, string[]][] = [
      ["a.png", "png", []],
      ["a.jpg", "jpg", []],
      ["a.jpeg", "jpeg", ["-f", "mjpeg"]],
      ["a.gif", "gif", []],
      ["lossy.webp", "webp", ["-c:v", "libwebp", "-lossless", "0"]],
      ["lossless.webp", "webp", ["-c:v", "libwebp", "-lossless", "1"]],
      ["a.bmp", "bmp", []],
    ];
    for (const [name, ext, args] of cases) {
      const path = await ffmpegImage(dir, name, args);
      assertEquals(await readDimensions(path, ext), { width: 37, height: 23 }, name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readDimensions() walks past a large EXIF segment to a JPEG's frame", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const plain = await Deno.readFile(await ffmpegImage(dir, "p.jpg"));
    // SOI, then a 60 KB APP1 segment, then the rest of the file as ffmpeg wrote it.
    const app1 = new Uint8Array(4 + 60_000);
    app1.set([0xff, 0xe1, (60_002 >> 8) & 0xff, 60_002 & 0xff]);
    const big = new Uint8Array(2 + app1.length + plain.length - 2);
    big.set(plain.subarray(0, 2));
    big.set(app1, 2);
    big.set(plain.subarray(2), 2 + app1.length);
    await Deno.writeFile(join(dir, "big.jpg"), big);
    assertEquals(await readDimensions(join(dir, "big.jpg"), "jpg"), { width: 37, height: 23 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readDimensions() answers null for a truncated or lying header and a missing file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(join(dir, "cut.jpg"), new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]));
    assertEquals(await readDimensions(join(dir, "cut.jpg"), "jpg"), null);
    assertEquals(await readDimensions(join(dir, "none.png"), "png"), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // A PNG claiming 0 × 4 billion pixels.
  const png = new Uint8Array(32);
  png.set(new TextEncoder().encode("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
  new DataView(png.buffer).setUint32(20, 0xffffffff);
  assertEquals(rasterDimensions(png, "png"), null);
});

Deno.test("svgDimensions() prefers the viewBox, then plain width and height", () => {
  const svg = (attrs: string) => `<?xml version="1.0"?><!-- logo --><svg ${attrs}></svg>`;
  assertEquals(svgDimensions(svg(`viewBox="0 0 24 12" width="2em"`)), { width: 24, height: 12 });
  assertEquals(svgDimensions(svg(`viewBox='0,0,0.5,0.25'`)), { width: 0.5, height: 0.25 });
  assertEquals(svgDimensions(svg(`width="300px" height="150"`)), { width: 300, height: 150 });
  assertEquals(svgDimensions(svg(`width="100%" height="50%"`)), null);
  assertEquals(svgDimensions(svg(`viewBox="0 0 -1 5" width="8" height="9"`)), {
    width: 8,
    height: 9,
  });
  assertEquals(svgDimensions("<html></html>"), null);
});
