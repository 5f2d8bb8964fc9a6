// Box-by-box tests of the fMP4 writer against byte vectors written from ISO/IEC 14496-12's layouts.
import { assert, assertEquals } from "../tests/_assert.ts";
import { fromHex, hex as spaced } from "./test_util.ts";
import {
  box,
  esds,
  fragment,
  ftyp,
  fullBox,
  hdlr,
  initSegment,
  mdhd,
  mvhd,
  sampleEntry,
  tkhd,
  trex,
  trun,
  u32,
  u64,
} from "./fmp4.ts";

const h = (s: string) => s.replace(/\s+/g, "");
const hex = (b: Uint8Array) => h(spaced(b));
const ID = "000000000000000000000000"; // 12 zero bytes
const MATRIX = "00010000 00000000 00000000 00000000 00010000 00000000 00000000 00000000 40000000";
const VIDEO = { kind: "video" as const, id: 1, timescale: 1000, width: 320, height: 240 };
const AVCC = fromHex("01640015ffe1000467640015" + "01000468ee3cb0");
const AUDIO = {
  kind: "audio" as const,
  id: 2,
  timescale: 1000,
  sampleRate: 48000,
  channels: 2,
  config: fromHex("1190"),
};

/** Child boxes of a box body: [type, body] pairs. */
function children(bytes: Uint8Array): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  for (let at = 0; at < bytes.length;) {
    const size = new DataView(bytes.buffer, bytes.byteOffset + at).getUint32(0);
    assert(size >= 8 && at + size <= bytes.length, `bad box size ${size} at ${at}`);
    out.push([
      new TextDecoder().decode(bytes.subarray(at + 4, at + 8)),
      bytes.subarray(at + 8, at + size),
    ]);
    at += size;
  }
  return out;
}

Deno.test("box() and fullBox() write size, type, version and flags", () => {
  assertEquals(hex(box("free")), "0000000866726565");
  assertEquals(hex(box("abcd", Uint8Array.of(1, 2))), "0000000a616263640102");
  assertEquals(hex(fullBox("url ", 0, 1)), "0000000c75726c2000000001");
  assertEquals(hex(u64(2 ** 32 + 2)), "0000000100000002");
});

Deno.test("ftyp: iso6 with iso6, cmfc, isom and mp41 compatible", () => {
  assertEquals(
    hex(ftyp()),
    h("00000020 66747970 69736f36 00000000 69736f36 636d6663 69736f6d 6d703431"),
  );
});

Deno.test("mvhd: version 0, timescale, rate 1.0, volume 1.0, identity matrix, next track id", () => {
  assertEquals(
    hex(mvhd(1000, 3)),
    h(`0000006c 6d766864 00000000 00000000 00000000 000003e8 00000000 00010000 0100 0000
      0000000000000000 ${MATRIX} ${"00".repeat(24)} 00000003`),
  );
});

Deno.test("tkhd: enabled in movie, track id, volume only for audio, 16.16 size", () => {
  assertEquals(
    hex(tkhd({ ...VIDEO, avcC: AVCC })),
    h(`0000005c 746b6864 00000003 00000000 00000000 00000001 00000000 00000000 0000000000000000
      0000 0000 0000 0000 ${MATRIX} 01400000 00f00000`),
  );
  assert(hex(tkhd(AUDIO)).includes(h(`0000 0000 0100 0000 ${MATRIX} 00000000 00000000`)));
});

Deno.test("mdhd and hdlr: timescale, language und, handler type and name", () => {
  assertEquals(
    hex(mdhd(1000)),
    h("00000020 6d646864 00000000 00000000 00000000 000003e8 00000000 55c4 0000"),
  );
  assertEquals(
    hex(hdlr("video")),
    h(`0000002d 68646c72 00000000 00000000 76696465 ${ID} 566964656f48616e646c6572 00`),
  );
  assertEquals(
    hex(hdlr("audio")),
    h(`0000002d 68646c72 00000000 00000000 736f756e ${ID} 536f756e6448616e646c6572 00`),
  );
});

Deno.test("avc1: visual sample entry with the avcC record as is", () => {
  const entry = sampleEntry({ ...VIDEO, avcC: AVCC });
  assertEquals(
    hex(entry),
    h(`00000071 61766331 000000000000 0001 ${"00".repeat(16)} 0140 00f0 00480000 00480000 00000000
      0001 ${"00".repeat(32)} 0018 ffff 0000001b 61766343 ${hex(AVCC)}`),
  );
});

Deno.test("esds: ES, DecoderConfig (AAC, audio) and DecoderSpecificInfo descriptors with the ASC", () => {
  assertEquals(
    hex(esds(fromHex("1190"))),
    h(`00000033 65736473 00000000
      03 80808022 0000 00
        04 80808014 40 15 000000 00000000 00000000
          05 80808002 1190
        06 80808001 02`),
  );
});

Deno.test("mp4a: audio sample entry with channels, 16-bit samples, 16.16 rate and esds", () => {
  assertEquals(
    hex(sampleEntry(AUDIO)),
    h(`00000057 6d703461 000000000000 0001 0000000000000000 0002 0010 00000000 bb800000
      ${hex(esds(fromHex("1190")))}`),
  );
});

Deno.test("trex: defaults of sample description 1, everything else per sample", () => {
  assertEquals(
    hex(trex(2)),
    h("00000020 74726578 00000000 00000002 00000001 00000000 00000000 00000000"),
  );
});

Deno.test("trun: version 1, data offset, duration/size/flags/signed composition offset per sample", () => {
  const samples = [
    { duration: 33, compositionOffset: 66, key: true, data: new Uint8Array(5) },
    { duration: 34, compositionOffset: -10, key: false, data: new Uint8Array(2) },
  ];
  assertEquals(
    hex(trun(samples, 100)),
    h(`00000034 7472756e 01000f01 00000002 00000064
      00000021 00000005 02000000 00000042
      00000022 00000002 01010000 fffffff6`),
  );
});

Deno.test("initSegment(): ftyp + moov with mvhd, a trak per track and mvex/trex", () => {
  const init = initSegment([{ ...VIDEO, avcC: AVCC }, AUDIO]);
  const top = children(init);
  assertEquals(top.map(([t]) => t), ["ftyp", "moov"]);
  const moov = children(top[1][1]);
  assertEquals(moov.map(([t]) => t), ["mvhd", "trak", "trak", "mvex"]);
  assertEquals(children(moov[3][1]).map(([t]) => t), ["trex", "trex"]);
  const [, trak] = moov[1];
  assertEquals(children(trak).map(([t]) => t), ["tkhd", "mdia"]);
  const mdia = children(children(trak)[1][1]);
  assertEquals(mdia.map(([t]) => t), ["mdhd", "hdlr", "minf"]);
  const minf = children(mdia[2][1]);
  assertEquals(minf.map(([t]) => t), ["vmhd", "dinf", "stbl"]);
  assertEquals(children(minf[2][1]).map(([t]) => t), ["stsd", "stts", "stsc", "stsz", "stco"]);
  assertEquals(hex(minf[0][1]), "000000010000000000000000"); // vmhd flags 1, graphics mode copy
  const audioMinf = children(children(children(moov[2][1])[1][1])[2][1]);
  assertEquals(audioMinf.map(([t]) => t), ["smhd", "dinf", "stbl"]);
  assertEquals(hex(moov[0][1]).slice(-8), "00000003"); // next track id
});

Deno.test("fragment(): moof (mfhd, traf per track: tfhd, tfdt v1, trun) + mdat; offsets point at each track's data", () => {
  const v = [
    { duration: 33, compositionOffset: 0, key: true, data: fromHex("aaaaaa") },
    { duration: 33, compositionOffset: 0, key: false, data: fromHex("bb") },
  ];
  const a = [{ duration: 21, compositionOffset: 0, key: true, data: fromHex("cccc") }];
  const bytes = fragment(9, [
    { trackId: 1, baseDecodeTime: 2 ** 32 + 5, samples: v },
    { trackId: 2, baseDecodeTime: 7, samples: a },
    { trackId: 3, baseDecodeTime: 0, samples: [] },
  ]);
  const [[moofType, moof], [mdatType, mdat]] = children(bytes);
  assertEquals([moofType, mdatType], ["moof", "mdat"]);
  assertEquals(hex(mdat), "aaaaaabbcccc");
  const parts = children(moof);
  assertEquals(parts.map(([t]) => t), ["mfhd", "traf", "traf"]); // no traf for an empty track
  assertEquals(hex(parts[0][1]), "0000000000000009");
  const traf = children(parts[1][1]);
  assertEquals(traf.map(([t]) => t), ["tfhd", "tfdt", "trun"]);
  assertEquals(hex(traf[0][1]), "0002000000000001"); // default-base-is-moof, track 1
  assertEquals(hex(traf[1][1]), "010000000000000100000005");
  const moofSize = 8 + moof.length;
  const offset = (run: Uint8Array) => new DataView(run.buffer, run.byteOffset).getUint32(8);
  assertEquals(offset(traf[2][1]), moofSize + 8);
  assertEquals(offset(children(parts[2][1])[2][1]), moofSize + 8 + 4);
  assertEquals(hex(bytes.subarray(moofSize + 8 + 4, moofSize + 8 + 6)), "cccc");
  assertEquals(hex(u32(moofSize)), hex(bytes.subarray(0, 4)));
});
