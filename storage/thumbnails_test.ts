import { assertEquals } from "../tests/_assert.ts";
import { canThumbnail, thumbnailArgs, thumbWidth } from "./thumbnails.ts";

Deno.test("thumbnailArgs() reads with the type's own demuxer and never upscales", () => {
  assertEquals(thumbnailArgs("/m/a.png", "/m/.thumbs/.tmp-1", "png", 320), [
    "-hide_banner",
    "-loglevel",
    "error",
    "-nostdin",
    "-protocol_whitelist",
    "file",
    "-threads",
    "1",
    "-max_pixels",
    "40000000",
    "-f",
    "png_pipe",
    "-i",
    "/m/a.png",
    "-frames:v",
    "1",
    "-vf",
    "scale='min(iw,320)':-2",
    "-c:v",
    "png",
    "-f",
    "image2",
    "-update",
    "1",
    "-y",
    "/m/.thumbs/.tmp-1",
  ]);
  const jpeg = thumbnailArgs("in", "out", "jpeg", 640);
  assertEquals(jpeg.slice(jpeg.indexOf("-f"), jpeg.indexOf("-f") + 2), ["-f", "jpeg_pipe"]);
  assertEquals(jpeg.slice(jpeg.indexOf("-c:v"), jpeg.indexOf("-c:v") + 4), [
    "-c:v",
    "mjpeg",
    "-q:v",
    "4",
  ]);
});

Deno.test("thumbWidth() rounds up to a cached size; SVG is never thumbnailed", () => {
  assertEquals([1, 160, 161, 320, 500, 1280, 9999].map(thumbWidth), [
    160,
    160,
    320,
    320,
    640,
    1280,
    1280,
  ]);
  assertEquals(["jpg", "png", "gif", "webp", "bmp", "svg"].map(canThumbnail), [
    true,
    true,
    true,
    true,
    true,
    false,
  ]);
});
