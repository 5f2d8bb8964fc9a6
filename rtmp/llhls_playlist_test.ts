// Exact text of the LL-HLS playlist writer.
import { assertEquals } from "../tests/_assert.ts";
import { type SegmentInfo, writePlaylist } from "./llhls_playlist.ts";

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const part = (duration: number, independent = false) => ({ duration, independent });
const seg = (msn: number, o: Partial<SegmentInfo> = {}): SegmentInfo => ({
  msn,
  parts: [part(200, true), part(200), part(200), part(200), part(200)],
  duration: 1000,
  init: 0,
  discontinuity: false,
  date: T0 + msn * 1000,
  complete: true,
  ...o,
});

Deno.test("writePlaylist(): parts of the last complete segments and the open one, preload hint", () => {
  const text = writePlaylist({
    segments: [
      seg(4),
      seg(5),
      seg(6),
      seg(7, { parts: [part(200, true), part(167)], duration: 367, complete: false }),
    ],
    discontinuitySequence: 0,
    targetDuration: 1,
    partTarget: 200,
    partSegments: 2,
    ended: false,
  });
  assertEquals(
    text,
    `#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:1
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.600
#EXT-X-PART-INF:PART-TARGET=0.200
#EXT-X-MEDIA-SEQUENCE:4
#EXT-X-MAP:URI="init0.mp4"
#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:04.000Z
#EXTINF:1.000,
s4.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:05.000Z
#EXT-X-PART:DURATION=0.200,URI="p5_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.200,URI="p5_1.m4s"
#EXT-X-PART:DURATION=0.200,URI="p5_2.m4s"
#EXT-X-PART:DURATION=0.200,URI="p5_3.m4s"
#EXT-X-PART:DURATION=0.200,URI="p5_4.m4s"
#EXTINF:1.000,
s5.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:06.000Z
#EXT-X-PART:DURATION=0.200,URI="p6_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.200,URI="p6_1.m4s"
#EXT-X-PART:DURATION=0.200,URI="p6_2.m4s"
#EXT-X-PART:DURATION=0.200,URI="p6_3.m4s"
#EXT-X-PART:DURATION=0.200,URI="p6_4.m4s"
#EXTINF:1.000,
s6.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:07.000Z
#EXT-X-PART:DURATION=0.200,URI="p7_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.167,URI="p7_1.m4s"
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p7_2.m4s"
`,
  );
});

Deno.test("writePlaylist(): a discontinuity with a new map, the discontinuity sequence, the end", () => {
  const text = writePlaylist({
    segments: [
      seg(8, { parts: [] }),
      seg(9, { init: 1, discontinuity: true, parts: [part(1000, true)] }),
    ],
    discontinuitySequence: 2,
    targetDuration: 2,
    partTarget: 250,
    partSegments: 1,
    ended: true,
  });
  assertEquals(
    text,
    `#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:2
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.750
#EXT-X-PART-INF:PART-TARGET=0.250
#EXT-X-MEDIA-SEQUENCE:8
#EXT-X-DISCONTINUITY-SEQUENCE:2
#EXT-X-MAP:URI="init0.mp4"
#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:08.000Z
#EXTINF:1.000,
s8.m4s
#EXT-X-DISCONTINUITY
#EXT-X-MAP:URI="init1.mp4"
#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:09.000Z
#EXT-X-PART:DURATION=1.000,URI="p9_0.m4s",INDEPENDENT=YES
#EXTINF:1.000,
s9.m4s
#EXT-X-ENDLIST
`,
  );
});

Deno.test("writePlaylist(): after a complete last segment the hint names the next segment's first part", () => {
  const text = writePlaylist({
    segments: [seg(0)],
    discontinuitySequence: 0,
    targetDuration: 1,
    partTarget: 200,
    partSegments: 0,
    ended: false,
  });
  assertEquals(
    text.split("\n").slice(-3).join("\n"),
    `s0.m4s\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p1_0.m4s"\n`,
  );
});
