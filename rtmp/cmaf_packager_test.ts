// The packager's timing: parts, segments at keyframes, timestamp wrap, a new init mid-stream.
import { assert, assertEquals } from "../tests/_assert.ts";
import { CmafPackager } from "./cmaf_packager.ts";
import { LlHlsRing } from "./llhls.ts";

/** The AVC and AAC sequence-header tag bodies ffmpeg writes for a stream of `size`. */
async function headers(size: string): Promise<{ avc: Uint8Array; aac: Uint8Array }> {
  // deno-fmt-ignore
  const out = await new Deno.Command("ffmpeg", { args: [
    "-v", "error", "-f", "lavfi", "-i", `testsrc2=size=${size}:rate=30`, "-f", "lavfi", "-i", "sine",
    "-frames:v", "1", "-c:v", "libx264", "-c:a", "aac", "-f", "flv", "-",
  ] }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  const flv = out.stdout;
  const found: Record<number, Uint8Array> = {};
  for (let at = 13; at + 11 <= flv.length;) {
    const size = (flv[at + 1] << 16) | (flv[at + 2] << 8) | flv[at + 3];
    const body = flv.subarray(at + 11, at + 11 + size);
    if ((flv[at] === 8 || flv[at] === 9) && body[1] === 0) found[flv[at]] ??= body;
    at += 11 + size + 4;
  }
  return { avc: found[9], aac: found[8] };
}

const frame = (key: boolean, cto = 0) =>
  Uint8Array.of(
    key ? 0x17 : 0x27,
    1,
    (cto >> 16) & 0xff,
    (cto >> 8) & 0xff,
    cto & 0xff,
    0,
    0,
    0,
    1,
    0x65,
  );
const aacFrame = Uint8Array.of(0xaf, 1, 0x21, 0x10);

/** 30 fps video (a keyframe every `gop` frames) and 48 kHz AAC from `start` ms for `ms`. */
function feed(p: CmafPackager, start: number, ms: number, gop = 30): void {
  const events: [number, number, Uint8Array][] = [];
  for (let i = 0; i * 1000 / 30 < ms; i++) {
    events.push([9, start + Math.round(i * 1000 / 30), frame(i % gop === 0)]);
  }
  for (let i = 0; i * 1024000 / 48000 < ms; i++) {
    events.push([8, start + Math.round(i * 1024000 / 48000), aacFrame]);
  }
  events.sort((a, b) => a[1] - b[1]);
  for (const [type, ts, payload] of events) p.media(type, ts >>> 0, payload);
}

const parts = (
  text: string,
) => [...text.matchAll(/#EXT-X-PART:DURATION=([\d.]+),URI="[^"]+"(,INDEPENDENT=YES)?/g)];

Deno.test("CmafPackager: 200 ms parts, the keyframe ones independent, 1 s segments at keyframes", async () => {
  const { avc, aac } = await headers("320x240");
  const ring = new LlHlsRing({ maxSegments: 100 });
  const p = new CmafPackager(ring, { now: () => 0 });
  p.media(9, 0, avc);
  p.media(8, 0, aac);
  feed(p, 0, 5000);
  p.end();
  const text = ring.playlist();
  const durations = [...text.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
  assertEquals(durations.slice(0, 4), [1, 1, 1, 1], text);
  const listed = parts(text);
  assert(listed.length >= 10, text);
  for (const [, d] of listed) assert(Number(d) <= 0.2, `a part of ${d} s: over PART-TARGET`);
  // every segment starts with an independent part, and only keyframe parts are independent
  const firsts = text.split("#EXT-X-PROGRAM-DATE-TIME").slice(1).map((s) => s.split("\n")[1]);
  for (const line of firsts.filter((l) => l.startsWith("#EXT-X-PART"))) {
    assert(line.endsWith(",INDEPENDENT=YES"), line);
  }
  assertEquals(
    listed.filter((m) => m[2]).length,
    firsts.filter((l) => l.startsWith("#EXT-X-PART")).length,
  );
});

Deno.test("CmafPackager: RTMP's 32-bit timestamp wrap keeps decode times growing", async () => {
  const { avc, aac } = await headers("320x240");
  const ring = new LlHlsRing({ maxSegments: 100 });
  const p = new CmafPackager(ring);
  p.media(9, 0xffff_fc18, avc); // 1 s before the wrap
  p.media(8, 0xffff_fc18, aac);
  feed(p, 0xffff_fc18, 3000);
  p.end();
  const text = ring.playlist();
  const durations = [...text.matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
  assertEquals(durations.slice(0, 2), [1, 1], text);
  // the third segment's video starts 2000 ms after the first: tfdt did not jump back at the wrap
  const tfdt = (bytes: Uint8Array) => {
    const at = bytes.findIndex((_, i) =>
      String.fromCharCode(...bytes.subarray(i, i + 4)) === "tfdt"
    );
    return Number(new DataView(bytes.buffer, bytes.byteOffset + at + 8).getBigUint64(0));
  };
  assertEquals(tfdt(ring.segment(2)!) - tfdt(ring.segment(0)!), 2000);
});

Deno.test("CmafPackager: a new AVC sequence header mid-stream starts a new init at the next keyframe", async () => {
  const small = await headers("320x240");
  const big = await headers("640x360");
  const ring = new LlHlsRing({ maxSegments: 100 });
  const p = new CmafPackager(ring);
  p.media(9, 0, small.avc);
  p.media(8, 0, small.aac);
  feed(p, 0, 2000);
  p.media(9, 2000, big.avc);
  p.media(9, 2010, frame(false)); // dropped: the new init must start on a keyframe
  feed(p, 2033, 2000);
  p.end();
  const text = ring.playlist();
  assertEquals(text.match(/#EXT-X-MAP:URI="init\d\.mp4"/g), [
    '#EXT-X-MAP:URI="init0.mp4"',
    '#EXT-X-MAP:URI="init1.mp4"',
  ]);
  assertEquals(text.match(/#EXT-X-DISCONTINUITY\n/g)?.length, 1, text);
  const init1 = ring.init(1)!;
  const avc1 = init1.findIndex((_, i) =>
    String.fromCharCode(...init1.subarray(i, i + 4)) === "avc1"
  );
  const view = new DataView(init1.buffer, init1.byteOffset + avc1 + 4 + 24);
  assertEquals([view.getUint16(0), view.getUint16(2)], [640, 360]);
});

Deno.test("CmafPackager: without keyframes a segment is still cut at maxSegmentMs, so the ring stays bounded", async () => {
  const { avc, aac } = await headers("320x240");
  const ring = new LlHlsRing({ maxSegments: 100 });
  const p = new CmafPackager(ring, { maxSegmentMs: 2000 });
  p.media(9, 0, avc);
  p.media(8, 0, aac);
  feed(p, 0, 7000, 100_000); // one keyframe, then none
  p.end();
  const durations = [...ring.playlist().matchAll(/#EXTINF:([\d.]+),/g)].map((m) => Number(m[1]));
  assert(durations.every((d) => d <= 2.0), `${durations}`);
});

Deno.test("CmafPackager: PROGRAM-DATE-TIME is when a segment's first frame arrived, not its RTMP time", async () => {
  const { avc, aac } = await headers("320x240");
  const ring = new LlHlsRing({ maxSegments: 100 });
  // The publisher's clock starts at 90 s; each second's frames reach us late by its own delay.
  const t0 = Date.UTC(2026, 11, 1, 10, 0, 0);
  const delays = [500, 900, 600];
  let ts = 90_000;
  const arrival = () => t0 + (ts - 90_000) + delays[Math.min(2, Math.floor((ts - 90_000) / 1000))];
  const p = new CmafPackager(ring, { now: arrival });
  const tracked = {
    media(type: number, at: number, payload: Uint8Array) {
      ts = at;
      p.media(type, at, payload);
    },
  } as CmafPackager;
  tracked.media(9, 90_000, avc);
  tracked.media(8, 90_000, aac);
  feed(tracked, 90_000, 3000);
  p.end();
  const dates = [...ring.playlist().matchAll(/#EXT-X-PROGRAM-DATE-TIME:(\S+)/g)].map((m) => m[1]);
  // A segment's first frame: segment 1's is the AAC frame at 90.981 s (a frame waits for the next
  // of its track, so it goes out with the keyframe), which came with second 0's delay.
  assertEquals(dates, [
    "2026-12-01T10:00:00.500Z",
    "2026-12-01T10:00:01.481Z",
    "2026-12-01T10:00:02.600Z",
  ]);
});
