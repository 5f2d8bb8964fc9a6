// Unit tests for what the media page shows and copies.
import { assertEquals } from "../../../tests/_assert.ts";
import { altText, dimensionsText, sizeText, snippet } from "./media_format.ts";
import type { MediaItem } from "../../../routes/media/wire.ts";

const item = (patch: Partial<MediaItem> = {}): MediaItem => ({
  filename: "0123456789abcdef0123456789abcdef.png",
  url: "https://media.example/media/0123456789abcdef0123456789abcdef.png",
  original_name: "summer_trip-2.png",
  size: 2048,
  content_type: "image/png",
  width: 640,
  height: 480,
  created_at: "2026-12-01T10:00:00.000Z",
  ...patch,
});

Deno.test("snippet() makes the URL, Markdown and HTML of a file", () => {
  assertEquals(snippet(item(), "url"), item().url);
  assertEquals(snippet(item(), "markdown"), `![summer trip 2](${item().url})`);
  assertEquals(
    snippet(item(), "html"),
    `<img src="${item().url}" alt="summer trip 2" width="640" height="480">`,
  );
});

Deno.test("snippet() escapes names that would break out of Markdown or HTML", () => {
  const odd = item({ original_name: `a "b" <i>[x]</i>.png`, width: 0.5, height: 0.5 });
  assertEquals(snippet(odd, "markdown"), `![a "b" <i>\\[x\\]<\/i>](${odd.url})`);
  assertEquals(
    snippet(odd, "html"),
    `<img src="${odd.url}" alt="a &quot;b&quot; &lt;i&gt;[x]&lt;/i&gt;">`,
  );
  const spaced = item({ url: "https://m.example/a b(1).png", original_name: null });
  assertEquals(snippet(spaced, "markdown"), "![](https://m.example/a%20b%281%29.png)");
});

Deno.test("sizeText(), dimensionsText() and altText() for the card and the detail view", () => {
  assertEquals([sizeText(900), sizeText(2048), sizeText(3 * 1024 * 1024)], [
    "900 B",
    "2.0 kB",
    "3.0 MB",
  ]);
  assertEquals(dimensionsText(item()), "640 × 480");
  assertEquals(dimensionsText(item({ width: null, height: null })), "");
  assertEquals(altText(item({ original_name: null })), "");
});
