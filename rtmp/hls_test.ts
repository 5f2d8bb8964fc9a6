// Tests for the ffmpeg feed: bounded queue, stall, kill on timeout, stderr tail, availability.
import { assert, assertEquals } from "../tests/_assert.ts";
import { ffmpegAvailable, spawnFfmpegFeed } from "../ffmpeg.ts";
import { grabThumbnail } from "./hls.ts";

// These tests stand in small programs for ffmpeg: the feed treats its command as opaque.

Deno.test("ffmpegAvailable() is true for ffmpeg and false for a missing binary", async () => {
  assertEquals(await ffmpegAvailable("ffmpeg"), true);
  assertEquals(await ffmpegAvailable("/nonexistent/ffmpeg"), false);
});

Deno.test("spawnFfmpegFeed() refuses writes past the bound when the process does not read", async () => {
  const feed = spawnFfmpegFeed("sleep", ["30"], { maxQueueBytes: 1024 * 1024, exitTimeoutMs: 300 });
  const chunk = new Uint8Array(64 * 1024);
  let accepted = 0;
  while (feed.write(chunk)) {
    accepted += chunk.length;
    assert(accepted < 4 * 1024 * 1024, "the queue must be bounded");
    await new Promise((r) => setTimeout(r, 1));
  }
  assert(accepted >= 1024 * 1024 - chunk.length, `accepted ${accepted}`);
  const exit = await feed.finish(); // stdin never drains: killed after exitTimeoutMs
  assertEquals(exit.signal, "SIGKILL");
});

Deno.test("spawnFfmpegFeed() reports a stall when the queue does not move", async () => {
  const feed = spawnFfmpegFeed("sleep", ["30"], { stallMs: 100, exitTimeoutMs: 200 });
  const chunk = new Uint8Array(256 * 1024); // more than a pipe holds
  assert(feed.write(chunk));
  assert(feed.write(chunk));
  await new Promise((r) => setTimeout(r, 250));
  assertEquals(feed.write(new Uint8Array(1)), false);
  await feed.finish();
});

Deno.test("spawnFfmpegFeed() keeps the last 20 stderr lines and the exit code", async () => {
  const script = "cat >/dev/null; for i in $(seq 1 30); do echo line$i >&2; done; exit 3";
  const feed = spawnFfmpegFeed("sh", ["-c", script]);
  assert(feed.write(new TextEncoder().encode("input")));
  const exit = await feed.finish();
  assertEquals(exit.code, 3);
  assertEquals(exit.stderrTail.length, 20);
  assertEquals(exit.stderrTail[0], "line11");
  assertEquals(exit.stderrTail[19], "line30");
  assertEquals(feed.write(new Uint8Array(1)), false); // exited: refuses
});

Deno.test("spawnFfmpegFeed() turns a spawn failure into an exit, not a throw", async () => {
  const feed = spawnFfmpegFeed("/nonexistent/ffmpeg", []);
  assertEquals(feed.write(new Uint8Array(1)), false);
  assertEquals((await feed.exited).code, -1);
});

Deno.test("grabThumbnail() writes a JPEG atomically, and fails cleanly on a bad segment", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const seg = `${dir}/seg.ts`;
    const made = await new Deno.Command("ffmpeg", {
      // deno-fmt-ignore
      args: ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30", "-t", "1",
        "-c:v", "libx264", "-preset", "ultrafast", "-f", "mpegts", seg],
    }).output();
    assert(made.success);
    assertEquals(await grabThumbnail("ffmpeg", seg, `${dir}/thumb.jpg`), true);
    const jpg = await Deno.readFile(`${dir}/thumb.jpg`);
    assertEquals([jpg[0], jpg[1]], [0xff, 0xd8]);
    await Deno.writeTextFile(`${dir}/bad.ts`, "not video");
    assertEquals(await grabThumbnail("ffmpeg", `${dir}/bad.ts`, `${dir}/t2.jpg`), false);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, ["bad.ts", "seg.ts", "thumb.jpg"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
