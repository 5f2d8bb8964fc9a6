// Byte-vector tests for FLV tags and the remuxer's ordering rules.
import { assertEquals } from "../tests/_assert.ts";
import { concat, hex } from "./test_util.ts";
import { FLV_AUDIO, FLV_VIDEO, flvHeader, FlvRemuxer, flvTag } from "./flv.ts";
import { encodeAmf0 } from "./amf0.ts";

Deno.test("flvHeader() declares audio and video and ends with PreviousTagSize0", () => {
  assertEquals(hex(flvHeader()), "46 4c 56 01 05 00 00 00 09 00 00 00 00");
});

Deno.test("flvTag() writes size, 32-bit timestamp split 24+8 and previous tag size", () => {
  assertEquals(
    hex(flvTag(9, 0x12345678, Uint8Array.of(0x17, 0x01))),
    "09 00 00 02 34 56 78 12 00 00 00 17 01 00 00 00 0d",
  );
});

const avcHeader = Uint8Array.of(0x17, 0, 0, 0, 0, 1, 0x64);
const keyframe = Uint8Array.of(0x17, 1, 0, 0, 0, 0xaa);
const interframe = Uint8Array.of(0x27, 1, 0, 0, 0, 0xbb);
const aacHeader = Uint8Array.of(0xaf, 0, 0x12, 0x10);
const aacFrame = Uint8Array.of(0xaf, 1, 0xcc);

Deno.test("FlvRemuxer drops frames before their sequence header and video before a keyframe", () => {
  const r = new FlvRemuxer();
  assertEquals(r.media(FLV_VIDEO, 0, keyframe), null);
  assertEquals(r.media(FLV_AUDIO, 0, aacFrame), null);
  assertEquals(hex(r.media(FLV_VIDEO, 0, avcHeader)!), hex(flvTag(9, 0, avcHeader)));
  assertEquals(r.media(FLV_VIDEO, 33, interframe), null);
  assertEquals(hex(r.media(FLV_VIDEO, 66, keyframe)!), hex(flvTag(9, 66, keyframe)));
  assertEquals(hex(r.media(FLV_VIDEO, 99, interframe)!), hex(flvTag(9, 99, interframe)));
  assertEquals(r.media(FLV_AUDIO, 0, aacHeader) !== null, true);
  assertEquals(hex(r.media(FLV_AUDIO, 23, aacFrame)!), hex(flvTag(8, 23, aacFrame)));
  assertEquals(r.media(FLV_VIDEO, 1, new Uint8Array()), null);
});

Deno.test("FlvRemuxer.preamble() re-sends metadata and the last sequence headers", () => {
  const r = new FlvRemuxer();
  assertEquals(hex(r.preamble()), hex(flvHeader()));
  const meta = encodeAmf0(["onMetaData", { width: 640 }]);
  r.metadata(meta, 0);
  r.media(FLV_VIDEO, 0, avcHeader);
  r.media(FLV_AUDIO, 0, aacHeader);
  const newer = Uint8Array.of(0x17, 0, 0, 0, 0, 1, 0x4d);
  r.media(FLV_VIDEO, 500, newer);
  r.media(FLV_VIDEO, 533, keyframe);
  assertEquals(
    hex(r.preamble()),
    hex(concat(flvHeader(), flvTag(18, 0, meta), flvTag(9, 500, newer), flvTag(8, 0, aacHeader))),
  );
  // the new reader waits for a keyframe again
  assertEquals(r.media(FLV_VIDEO, 566, interframe), null);
});

Deno.test("FlvRemuxer passes through codecs other than AVC/AAC", () => {
  const r = new FlvRemuxer();
  const mp3 = Uint8Array.of(0x2f, 0xff);
  assertEquals(hex(r.media(FLV_AUDIO, 0, mp3)!), hex(flvTag(8, 0, mp3)));
  assertEquals(r.media(7, 0, mp3), null);
});
