// Stream health figures from real ffmpeg output: an FLV file's tags fed to the tracker as RTMP would.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { createHealthTracker, MAX_FRAMES } from "./stream_health.ts";

/** ffmpeg's FLV of a known stream: 640×360 at 30 fps, 600 kb/s CBR video, 96 kb/s AAC, GOP 1 s. */
async function flvOf(seconds: number): Promise<Uint8Array> {
  const file = await Deno.makeTempFile({ suffix: ".flv" });
  const { success, stderr } = await new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-y"],
      ...["-f", "lavfi", "-i", `testsrc2=size=640x360:rate=30:duration=${seconds}`],
      ...["-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}:sample_rate=48000`],
      ...["-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-b:v", "600k"],
      ...["-maxrate", "600k", "-bufsize", "300k", "-x264-params", "nal-hrd=cbr"],
      ...["-c:a", "aac", "-b:a", "96k", "-ac", "2", "-f", "flv", file],
    ],
    stderr: "piped",
  }).output();
  assert(success, new TextDecoder().decode(stderr));
  const bytes = await Deno.readFile(file);
  await Deno.remove(file);
  return bytes;
}

/** FLV tags as RTMP messages: type, timestamp, payload. */
function* tags(flv: Uint8Array): Generator<[number, number, Uint8Array]> {
  let at = 9 + 4;
  while (at + 11 <= flv.length) {
    const type = flv[at];
    const size = (flv[at + 1] << 16) | (flv[at + 2] << 8) | flv[at + 3];
    const ts = ((flv[at + 7] << 24) | (flv[at + 4] << 16) | (flv[at + 5] << 8) | flv[at + 6]) >>> 0;
    yield [type, ts, flv.subarray(at + 11, at + 11 + size)];
    at += 11 + size + 4;
  }
}

Deno.test("createHealthTracker() reads size, frame rate, bitrates and GOP from what ffmpeg sends", async () => {
  let clock = 0;
  const health = createHealthTracker({ now: () => clock });
  health.live("room");
  for (const [type, ts, payload] of tags(await flvOf(8))) {
    clock = ts; // the file is fed in real time, as a -re publisher would send it
    health.onMedia("room", type, ts, payload);
  }
  const h = health.health("room")!;
  assertEquals([h.width, h.height], [640, 360], "the SPS crop is applied (368 → 360)");
  assertEquals(h.videoCodec, "H.264 High 3");
  assertEquals(Math.round(h.fps!), 30);
  assert(Math.abs(h.fps! - 30) < 0.05, `fps ${h.fps}`);
  assertEquals(h.keyframeSeconds, 1);
  assert(Math.abs(h.videoKbps! - 600) / 600 < 0.2, `video ${h.videoKbps} kb/s`);
  assert(Math.abs(h.audioKbps! - 96) / 96 < 0.2, `audio ${h.audioKbps} kb/s`);
  assertEquals([h.audioCodec, h.sampleRate, h.channels], ["AAC", 48000, 2]);
  assertEquals([h.stalls, h.reconnects], [0, 0]);
});

Deno.test("createHealthTracker() counts stalls and reconnects, and keeps the viewer graph bounded", () => {
  let clock = 0;
  const health = createHealthTracker({ now: () => clock, maxPoints: 8, sampleMs: 1000 });
  health.live("r");
  const frame = Uint8Array.of(0x27, 1, 0, 0, 0, 9);
  health.onMedia("r", 9, 0, frame);
  clock = 2500;
  health.onMedia("r", 9, 33, frame);
  assertEquals(health.health("r")!.stalls, 1, "2.5 s without media");
  health.onDrop("r", "ffmpeg stalled");
  assertEquals([health.health("r")!.drops, health.health("r")!.lastDropReason], [
    1,
    "ffmpeg stalled",
  ]);
  health.offline("r");
  clock = 10_000;
  health.live("r");
  assertEquals(health.health("r")!.reconnects, 1, "back within a minute");
  for (let i = 0; i < 100; i++) {
    clock += 1000;
    health.sample("r", i);
  }
  const graph = health.graph("r");
  assert(graph.length < 8, `bounded: ${graph.length} points`);
  assert(
    graph[0].at <= 11_000 && graph[graph.length - 1].viewers >= 90,
    "it still spans the stream",
  );
  health.offline("r");
  clock += 120_000;
  health.live("r");
  assertEquals(health.health("r")!.reconnects, 0, "a new stream after a long break");
});

Deno.test("createHealthTracker() keeps at most MAX_FRAMES frames however many a publisher sends", () => {
  const health = createHealthTracker({ now: () => 0 });
  health.live("flood");
  const tiny = Uint8Array.of(0x27, 1, 0, 0, 0, 0, 0, 0, 0, 0); // 10 bytes, one timestamp
  for (let i = 0; i < MAX_FRAMES * 5; i++) health.onMedia("flood", 9, 1000, tiny);
  // Over a 0 ms span the rate is counted per 1 ms: all kept frames but the first, 80 bits each.
  assertEquals(health.health("flood")!.videoKbps, (MAX_FRAMES - 1) * 80);
});
