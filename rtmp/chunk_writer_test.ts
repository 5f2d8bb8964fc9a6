// Byte-vector and round-trip tests for the chunk writer.
import { assertEquals } from "../tests/_assert.ts";
import { hex, prng } from "./test_util.ts";
import { ChunkWriter } from "./chunk_writer.ts";
import { ChunkReader, type RtmpMessage } from "./chunk_reader.ts";

const msg = (timestamp: number, payload: number[], typeId = 9, csid = 4): RtmpMessage => ({
  csid,
  typeId,
  streamId: 1,
  timestamp,
  payload: Uint8Array.from(payload),
});

Deno.test("ChunkWriter writes type 0, then 1, 2 and 3 headers as the previous message allows", () => {
  const w = new ChunkWriter();
  assertEquals(hex(w.write(msg(0, [1, 2]))), "04 00 00 00 00 00 02 09 01 00 00 00 01 02");
  assertEquals(hex(w.write(msg(33, [3]))), "44 00 00 21 00 00 01 09 03"); // length changed
  assertEquals(hex(w.write(msg(67, [4]))), "84 00 00 22 04"); // delta changed
  assertEquals(hex(w.write(msg(101, [5]))), "c4 05"); // same delta
  assertEquals(hex(w.write(msg(50, [6]))), "04 00 00 32 00 00 01 09 01 00 00 00 06"); // went back
});

Deno.test("ChunkWriter splits at the chunk size and repeats the extended timestamp", () => {
  const w = new ChunkWriter();
  const payload = new Array(130).fill(0xaa);
  const out = w.write(msg(0x01000000, payload));
  assertEquals(hex(out.subarray(0, 16)), "04 ff ff ff 00 00 82 09 01 00 00 00 01 00 00 00");
  assertEquals(hex(out.subarray(16 + 128, 16 + 128 + 5)), "c4 01 00 00 00");
  assertEquals(out.length, 16 + 130 + 5);
});

Deno.test("ChunkWriter.setChunkSize() writes the message at the old size and applies the new", () => {
  const w = new ChunkWriter();
  assertEquals(hex(w.setChunkSize(4096)), "02 00 00 00 00 00 04 01 00 00 00 00 00 00 10 00");
  assertEquals(w.chunkSize, 4096);
  assertEquals(w.write(msg(0, new Array(300).fill(1))).length, 12 + 300);
});

Deno.test("ChunkWriter writes 2- and 3-byte basic headers", () => {
  const w = new ChunkWriter();
  assertEquals(hex(w.write(msg(0, [], 9, 64)).subarray(0, 2)), "00 00");
  assertEquals(hex(w.write(msg(0, [], 9, 320)).subarray(0, 3)), "01 00 01");
  assertEquals(hex(w.write(msg(0, [], 9, 65599)).subarray(0, 3)), "01 ff ff");
});

Deno.test("ChunkReader reads whatever ChunkWriter writes (seeded random messages)", () => {
  const seed = 20240601;
  const rand = prng(seed);
  const w = new ChunkWriter();
  const r = new ChunkReader({ minChunkSize: 1 }); // tiny chunk sizes are refused by default only
  const sent: RtmpMessage[] = [];
  const wire: Uint8Array[] = [];
  let ts = 0;
  for (let i = 0; i < 400; i++) {
    if (rand() < 0.05) wire.push(w.setChunkSize(1 + Math.floor(rand() * 5000)));
    // steps include deltas near and past 0xffffff, and wrap past 2^32
    const step = rand() < 0.1 ? 0xffffff - 1 + Math.floor(rand() * 3) : Math.floor(rand() * 3) * 33;
    ts = (ts + step) >>> 0;
    const len = rand() < 0.5 ? 33 : Math.floor(rand() * 700);
    const m = msg(
      ts,
      Array.from({ length: len }, () => Math.floor(rand() * 256)),
      8 + (i % 2),
      4 + (i % 3),
    );
    sent.push(m);
    wire.push(w.write(m));
  }
  const bytes = new Uint8Array(wire.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of wire) {
    bytes.set(b, at);
    at += b.length;
  }
  const got: RtmpMessage[] = [];
  for (let i = 0; i < bytes.length;) {
    const n = 1 + Math.floor(rand() * 300);
    got.push(...r.push(bytes.subarray(i, i + n)));
    i += n;
  }
  assertEquals(got.filter((m) => m.typeId !== 1), sent, `seed ${seed}`);
});
