// Stills of packaged streams on request: none while nobody asks, one ffmpeg per room, cached.
import { assert, assertEquals } from "../tests/_assert.ts";
import { waitFor } from "../tests/_wait.ts";
import { createLiveThumbnails } from "./live_thumbnails.ts";
import { ffmpegPublish, finished, startTestServer, type TestServer } from "./test_server.ts";

/** ffprobe's width and codec of a JPEG. */
async function probeJpeg(jpeg: Uint8Array): Promise<string> {
  const file = await Deno.makeTempFile({ suffix: ".jpg" });
  try {
    await Deno.writeFile(file, jpeg);
    const out = await new Deno.Command("ffprobe", {
      args: ["-v", "error", "-show_entries", "stream=codec_name,width", "-of", "csv=p=0", file],
    }).output();
    return new TextDecoder().decode(out.stdout).trim();
  } finally {
    await Deno.remove(file);
  }
}

const live = (t: TestServer) =>
  waitFor(() => t.events.includes("live room-a pb-a"), { what: "onLive", timeoutMs: 15_000 });

Deno.test("packager stills: none made while nobody asks; one ffmpeg for many requests; cached", async () => {
  const t = await startTestServer({ graceMs: 300, stills: { ttlMs: 60_000 } });
  try {
    const pub = ffmpegPublish(t.url("key-a"), 4);
    await live(t);
    await new Promise((r) => setTimeout(r, 1500)); // a publish that nobody looks at for a while
    assertEquals([...Deno.readDirSync(`${t.hlsDir}/pb-a`)].map((e) => e.name), []);
    assert(!t.logs.some((l) => l.includes("still")), t.logs.join("\n"));

    const asking = performance.now();
    const asked = await Promise.all(Array.from({ length: 8 }, () => t.server.thumbnail("pb-a")!));
    const made = performance.now() - asking;
    const [jpeg] = asked;
    assert(jpeg, "a still of a live stream with video");
    assert(asked.every((j) => j === jpeg), "the requests shared one run");
    assertEquals(jpeg.subarray(0, 3), new Uint8Array([0xff, 0xd8, 0xff]));
    assertEquals(jpeg.subarray(-2), new Uint8Array([0xff, 0xd9]));
    assertEquals(await probeJpeg(jpeg), "mjpeg,320");
    const again = performance.now();
    assert(await t.server.thumbnail("pb-a") === jpeg, "served from the cache within ttlMs");
    console.log(
      `a still: ${made.toFixed(0)} ms (one ffmpeg for 8 requests), ${jpeg.length} bytes; ` +
        `cached: ${(performance.now() - again).toFixed(2)} ms`,
    );

    await finished(pub);
    await waitFor(() => t.server.hls("pb-a") === undefined, { what: "the ring is gone" });
    assertEquals(t.server.thumbnail("pb-a"), undefined);
  } finally {
    await t.close();
  }
});

Deno.test("packager stills: past ttlMs a newer keyframe gives a new still", async () => {
  const t = await startTestServer({ stills: { ttlMs: 200 } });
  try {
    const pub = ffmpegPublish(t.url("key-a"), 4);
    await live(t);
    const first = await t.server.thumbnail("pb-a");
    assert(first);
    await new Promise((r) => setTimeout(r, 1200)); // past the ttl and a segment (1 s GOP) later
    const second = await t.server.thumbnail("pb-a");
    assert(second && second !== first, "made again from the newer keyframe");
    await finished(pub);
  } finally {
    await t.close();
  }
});

Deno.test("packager stills: an audio-only stream has none, and is not retried within ttlMs", async () => {
  const t = await startTestServer({ stills: { ttlMs: 60_000 } });
  try {
    // deno-fmt-ignore
    const args = [
      "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "sine=frequency=440",
      "-c:a", "aac", "-t", "3", "-f", "flv", t.url("key-a"),
    ];
    const pub = new Deno.Command("ffmpeg", { args, stdin: "null", stdout: "null", stderr: "null" })
      .spawn();
    await live(t);
    assertEquals(await t.server.thumbnail("pb-a"), null);
    const runs = t.logs.filter((l) => l.includes("live still not made")).length;
    assertEquals(await t.server.thumbnail("pb-a"), null);
    assertEquals(t.logs.filter((l) => l.includes("live still not made")).length, runs);
    await pub.status;
  } finally {
    await t.close();
  }
});

Deno.test("packager stills: at most maxRunning ffmpeg at once over rooms; a run past timeoutMs gives none", async () => {
  const t = await startTestServer();
  try {
    const pub = ffmpegPublish(t.url("key-a"), 3);
    await live(t);
    const ring = t.server.hls("pb-a")!;
    const log = () => {};
    for (const maxRunning of [1, 2]) {
      const stills = createLiveThumbnails({ ffmpegPath: "ffmpeg", log, maxRunning });
      // five rooms asking at once (one ring stands in for five: each id is its own run)
      const rooms = ["r1", "r2", "r3", "r4", "r5"];
      const got = await Promise.all(rooms.map((id) => stills.get(id, ring)));
      assert(got.every((j) => j !== null));
      assertEquals([stills.runs, stills.peak], [5, maxRunning]);
      await stills.close();
    }
    const slow = createLiveThumbnails({ ffmpegPath: "ffmpeg", log, timeoutMs: 1 });
    assertEquals(await slow.get("r1", ring), null, "killed at its deadline");
    await slow.close();
    await finished(pub);
  } finally {
    await t.close();
  }
});
