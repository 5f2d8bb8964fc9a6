// Integration tests of the packager path: real ffmpeg publishers, the output checked by ffprobe.
import { assert, assertEquals } from "../tests/_assert.ts";
import { finished, gstPublish, startTestServer, type TestServer } from "./test_server.ts";
import { waitFor } from "../tests/_wait.ts";
import type { LlHlsRing } from "./llhls.ts";
import { concatBytes } from "../bytes.ts";

/** ffmpeg -re publishing testsrc2/sine with the given encoder options. */
function publish(url: string, o: { seconds: number; size?: string; bf?: number; av?: string }) {
  const video = [
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-g",
    "30",
    "-pix_fmt",
    "yuv420p",
    ...(o.bf ? ["-bf", String(o.bf)] : ["-tune", "zerolatency"]),
  ];
  // deno-fmt-ignore
  const args = [
    "-hide_banner", "-loglevel", "error", "-re",
    "-f", "lavfi", "-i", `testsrc2=size=${o.size ?? "320x240"}:rate=30`,
    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
    ...(o.av === "audio" ? ["-vn"] : video),
    ...(o.av === "video" ? ["-an"] : ["-c:a", "aac"]),
    "-t", String(o.seconds), "-f", "flv", url,
  ];
  return new Deno.Command("ffmpeg", { args, stdin: "null", stdout: "null", stderr: "piped" })
    .spawn();
}

const packaged = (extra = {}) => startTestServer({ packager: "roomcast", graceMs: 5000, ...extra });

/** The init segments and all segments of the playlist, joined per init, as files. */
async function dumpSegments(ring: LlHlsRing, dir: string): Promise<string[]> {
  const lines = ring.playlist().split("\n");
  const files: string[] = [];
  let init: Uint8Array | undefined;
  let chunks: Uint8Array[] = [];
  const flush = async () => {
    if (!init || chunks.length === 0) return;
    const path = `${dir}/out${files.length}.mp4`;
    await Deno.writeFile(path, concatBytes([init, ...chunks]));
    files.push(path);
    chunks = [];
  };
  for (const line of lines) {
    const map = /^#EXT-X-MAP:URI="init(\d+)\.mp4"/.exec(line);
    if (map) {
      await flush();
      init = ring.init(Number(map[1]));
    }
    const seg = /^s(\d+)\.m4s$/.exec(line);
    if (seg) chunks.push(ring.segment(Number(seg[1]))!);
  }
  await flush();
  return files;
}

async function ffprobe(args: string[]): Promise<string> {
  const out = await new Deno.Command("ffprobe", { args: ["-v", "error", ...args] }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert(out.success && err === "", `ffprobe: ${err}`);
  return new TextDecoder().decode(out.stdout).trim();
}

/** Codec names, and every frame decoded without a decoder error. */
async function decodes(path: string): Promise<string[]> {
  const out = await new Deno.Command("ffmpeg", {
    // The demuxer's time base: a live source's frames can come 1 ms apart on a loaded machine
    // (GStreamer stamps capture time), which the null muxer's default 1/fps would merge.
    args: ["-v", "error", "-i", path, "-enc_time_base:v", "-1", "-f", "null", "-"],
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert(out.success && err === "", `decode of ${path}: ${err}`);
  const names = await ffprobe(["-show_entries", "stream=codec_name", "-of", "csv=p=0", path]);
  return names.split("\n").sort();
}

async function livePublish(t: TestServer, o: Parameters<typeof publish>[1]) {
  const pub = publish(t.url("key-a"), o);
  await waitFor(() => t.events.includes("live room-a pb-a"), { what: "onLive", timeoutMs: 15_000 });
  return pub;
}

Deno.test("packager: an ffmpeg publish becomes LL-HLS in memory that ffprobe decodes", async () => {
  const t = await packaged();
  try {
    const started = Date.now();
    const pub = await livePublish(t, { seconds: 4 });
    console.log(`publish start → first playable playlist: ${Date.now() - started} ms`);
    const ring = t.server.hls("pb-a")!;
    const live = ring.playlist();
    assert(live.includes("#EXT-X-PART-INF:PART-TARGET=0.200"), live);
    assert(live.includes(",INDEPENDENT=YES"), live);
    assert(/#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p\d+_\d+\.m4s"/.test(live), live);
    assertEquals((await finished(pub)).code, 0);
    await waitFor(() => t.events.includes("offline room-a pb-a"), { what: "onOffline" });
    const text = ring.playlist();
    assert(text.endsWith("#EXT-X-ENDLIST\n"), text);
    const durations = [...text.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
    assert(durations.length >= 3 && durations.slice(0, -1).every((d) => d > 0.9 && d < 1.1), text);
    const [file] = await dumpSegments(ring, t.hlsDir);
    assertEquals(await decodes(file), ["aac", "h264"]);
    const frames = await ffprobe([
      "-select_streams",
      "v",
      "-count_frames",
      "-show_entries",
      "stream=nb_read_frames,width",
      "-of",
      "csv=p=0",
      file,
    ]);
    const [width, count] = frames.split(",").map(Number);
    assertEquals(width, 320);
    assert(count >= 90, `frames: ${frames}`);
  } finally {
    await t.close();
  }
});

Deno.test("packager: B-frames keep their composition offsets (pts ≠ dts) and decode", async () => {
  const t = await packaged();
  try {
    const pub = await livePublish(t, { seconds: 3, bf: 2 });
    await finished(pub);
    await waitFor(() => t.events.includes("offline room-a pb-a"), { what: "onOffline" });
    const [file] = await dumpSegments(t.server.hls("pb-a")!, t.hlsDir);
    assertEquals(await decodes(file), ["aac", "h264"]);
    const packets = await ffprobe([
      "-select_streams",
      "v",
      "-show_entries",
      "packet=pts,dts",
      "-of",
      "csv=p=0",
      file,
    ]);
    const reordered = packets.split("\n").filter((l) => {
      const [pts, dts] = l.split(",").map(Number);
      return pts !== dts;
    });
    assert(reordered.length > 10, `pts=dts everywhere:\n${packets.slice(0, 300)}`);
  } finally {
    await t.close();
  }
});

for (const av of ["audio", "video"] as const) {
  Deno.test(`packager: a ${av}-only publish plays`, async () => {
    const t = await packaged();
    try {
      const pub = await livePublish(t, { seconds: 3, av });
      await finished(pub);
      await waitFor(() => t.events.includes("offline room-a pb-a"), { what: "onOffline" });
      const [file] = await dumpSegments(t.server.hls("pb-a")!, t.hlsDir);
      assertEquals(await decodes(file), [av === "audio" ? "aac" : "h264"]);
    } finally {
      await t.close();
    }
  });
}

Deno.test("packager, the default for copy: a GStreamer rtmp2sink publish decodes", async () => {
  const t = await startTestServer(); // no packager option: the default
  try {
    const pub = gstPublish(t.url("key-a"));
    await waitFor(() => t.events.includes("live room-a pb-a"), { what: "onLive" });
    const ring = t.server.hls("pb-a");
    assert(ring, "served from memory, not ffmpeg's files");
    assertEquals((await finished(pub)).code, 0);
    await waitFor(() => t.events.includes("offline room-a pb-a"), { what: "onOffline" });
    const [file] = await dumpSegments(ring, t.hlsDir);
    assertEquals(await decodes(file), ["aac", "h264"]);
  } finally {
    await t.close();
  }
});

Deno.test("packager: a reconnect in grace at a new size continues after a discontinuity and a new init", async () => {
  const t = await packaged();
  try {
    await finished(await livePublish(t, { seconds: 3 }));
    await waitFor(() => t.events.includes("offline room-a pb-a"), { what: "onOffline" });
    const pub = publish(t.url("key-a"), { seconds: 3, size: "480x270" });
    await waitFor(() => t.events.filter((e) => e.startsWith("live")).length === 2, {
      what: "second onLive",
    });
    await finished(pub);
    await waitFor(() => t.events.length === 4, { what: "second onOffline" });
    const ring = t.server.hls("pb-a")!;
    const text = ring.playlist();
    assertEquals(text.match(/#EXT-X-DISCONTINUITY\n/g)?.length, 1, text);
    assertEquals(text.match(/#EXT-X-MAP:/g)?.length, 2, text);
    const files = await dumpSegments(ring, t.hlsDir);
    assertEquals(files.length, 2);
    for (const f of files) assertEquals(await decodes(f), ["aac", "h264"]);
    const width = await ffprobe([
      "-select_streams",
      "v",
      "-show_entries",
      "stream=width",
      "-of",
      "csv=p=0",
      files[1],
    ]);
    assertEquals(width, "480");
  } finally {
    await t.close();
  }
});
