// Byte-vector tests for the chunk reader, one per known trap.
import { assert, assertEquals, assertThrows } from "../tests/_assert.ts";
import { concat, fromHex, hex } from "./test_util.ts";
import { ChunkError, ChunkReader, type RtmpMessage } from "./chunk_reader.ts";

/** Feed bytes one at a time, which must give the same result as feeding them whole. */
function readBoth(bytes: Uint8Array, reader = () => new ChunkReader()): RtmpMessage[] {
  const whole = reader().push(bytes);
  const r = reader();
  const slow: RtmpMessage[] = [];
  for (let i = 0; i < bytes.length; i++) slow.push(...r.push(bytes.subarray(i, i + 1)));
  assertEquals(slow, whole, "byte-at-a-time result differs");
  return whole;
}

const brief = (m: RtmpMessage) => [m.csid, m.typeId, m.streamId, m.timestamp, hex(m.payload)];

Deno.test("ChunkReader reads a type 0 chunk", () => {
  const bytes = fromHex("03 000010 000003 14 01000000 aabbcc");
  assertEquals(readBoth(bytes).map(brief), [[3, 20, 1, 16, "aa bb cc"]]);
});

Deno.test("ChunkReader reads 2- and 3-byte basic headers", () => {
  const bytes = fromHex(
    "00 00 000001 000001 09 00000000 01" + // csid 64
      "00 ff 000001 000001 09 00000000 02" + // csid 319
      "01 00 01 000001 000001 09 00000000 03" + // csid 320
      "01 ff ff 000001 000001 09 00000000 04", // csid 65599
  );
  assertEquals(readBoth(bytes).map((m) => m.csid), [64, 319, 320, 65599]);
});

Deno.test("ChunkReader joins type 3 continuation chunks at the default size of 128", () => {
  const payload = new Uint8Array(300).map((_, i) => i & 0xff);
  const bytes = concat(
    fromHex("04 000000 00012c 09 01000000"),
    payload.subarray(0, 128),
    fromHex("c4"),
    payload.subarray(128, 256),
    fromHex("c4"),
    payload.subarray(256),
  );
  const [m] = readBoth(bytes);
  assertEquals(hex(m.payload), hex(payload));
});

Deno.test("ChunkReader reads the extended timestamp repeated on type 3 continuation chunks", () => {
  const payload = new Uint8Array(200).fill(7);
  const bytes = concat(
    fromHex("04 ffffff 0000c8 09 01000000 01000000"), // ts 0x01000000, extended
    payload.subarray(0, 128),
    fromHex("c4 01000000"), // continuation repeats it
    payload.subarray(128),
  );
  const [m] = readBoth(bytes);
  assertEquals(m.timestamp, 0x01000000);
  assertEquals(hex(m.payload), hex(payload));
});

Deno.test("ChunkReader reads the extended delta repeated on a type 3 that starts a message", () => {
  const bytes = fromHex(
    "04 000005 000001 08 01000000 aa" + // ts 5
      "84 ffffff 01000000 bb" + // type 2: extended delta 0x01000000
      "c4 01000000 cc", // type 3 new message: same delta, repeated extended field
  );
  assertEquals(readBoth(bytes).map((m) => m.timestamp), [5, 0x01000005, 0x02000005]);
  assertEquals(readBoth(bytes).map((m) => hex(m.payload)), ["aa", "bb", "cc"]);
});

Deno.test("ChunkReader reads 0xfffffe inline and 0xffffff as extended", () => {
  const bytes = fromHex(
    "04 fffffe 000001 08 01000000 aa" +
      "04 ffffff 000001 08 01000000 00ffffff bb",
  );
  assertEquals(readBoth(bytes).map((m) => m.timestamp), [0xfffffe, 0xffffff]);
});

Deno.test("ChunkReader wraps timestamps at 32 bits", () => {
  const bytes = fromHex(
    "04 ffffff 000001 08 01000000 fffffff0 aa" + // ts 2^32 - 16
      "84 000020 bb" + // delta 32 wraps to 16
      "c4 cc", // type 3: delta 32 again
  );
  assertEquals(readBoth(bytes).map((m) => m.timestamp), [0xfffffff0, 16, 48]);
});

Deno.test("ChunkReader applies a type 1 header that changes the message length", () => {
  const bytes = fromHex(
    "06 000000 000002 09 01000000 0102" +
      "46 000021 000004 09 03040506" + // type 1: delta 33, length 4
      "c6 0708090a", // type 3 keeps the new length
  );
  const msgs = readBoth(bytes);
  assertEquals(msgs.map(brief), [
    [6, 9, 1, 0, "01 02"],
    [6, 9, 1, 33, "03 04 05 06"],
    [6, 9, 1, 66, "07 08 09 0a"],
  ]);
});

Deno.test("ChunkReader applies Set Chunk Size at once, per reader", () => {
  const payload = new Uint8Array(200).fill(1);
  const bytes = concat(
    fromHex("02 000000 000004 01 00000000 00001000"), // set chunk size 4096
    fromHex("04 000000 0000c8 09 01000000"),
    payload, // one chunk now
  );
  const msgs = readBoth(bytes);
  assertEquals(msgs.length, 2);
  assertEquals(msgs[1].payload.length, 200);
  // another reader (another connection) still uses 128
  const other = new ChunkReader();
  const out = other.push(concat(fromHex("04 000000 0000c8 09 01000000"), payload));
  assertEquals(other.chunkSize, 128);
  assertEquals(out.length, 0);
});

Deno.test("ChunkReader drops a partial message on Abort", () => {
  const bytes = concat(
    fromHex("04 000000 0000c8 09 01000000"),
    new Uint8Array(128),
    fromHex("02 000000 000004 02 00000000 00000004"), // abort csid 4
    fromHex("04 000000 000001 09 01000000 ee"),
  );
  const msgs = readBoth(bytes);
  assertEquals(msgs.map((m) => m.typeId), [2, 9]);
  assertEquals(hex(msgs[1].payload), "ee");
});

Deno.test("ChunkReader refuses a chunk size above 65536 and below 128", () => {
  const setSize = (n: number) =>
    fromHex(`02 000000 000004 01 00000000 ${n.toString(16).padStart(8, "0")}`);
  assertThrows(() => new ChunkReader().push(setSize(65537)), ChunkError, "65537 is out of range");
  assertThrows(() => new ChunkReader().push(setSize(0)), ChunkError, "out of range");
  assertThrows(() => new ChunkReader().push(setSize(1)), ChunkError, "1 is out of range");
  assertThrows(() => new ChunkReader().push(setSize(127)), ChunkError, "127 is out of range");
  for (const size of [128, 4096, 65536]) {
    const r = new ChunkReader();
    r.push(setSize(size));
    assertEquals(r.chunkSize, size);
  }
});

Deno.test("ChunkReader refuses a message length above the limit before reading it", () => {
  const bytes = fromHex("04 000000 ffffff 09 01000000");
  assertThrows(() => new ChunkReader().push(bytes), ChunkError, "exceeds limit");
  const r = new ChunkReader({ maxMessageLength: 100 });
  assertThrows(() => r.push(fromHex("04 000000 000065 09 01000000")), ChunkError);
});

/** A type 0 header on `csid` for a video message of `length` bytes. */
const header = (csid: number, length: number) =>
  fromHex(
    `${csid.toString(16).padStart(2, "0")} 000000 ${
      length.toString(16).padStart(6, "0")
    } 09 01000000`,
  );

Deno.test("ChunkReader counts partial messages by their declared length, before any payload", () => {
  const r = new ChunkReader({ maxMessageLength: 1000 }); // holds at most 1000 + 1 MiB
  r.push(header(4, 1000));
  assertEquals(r.heldBytes, 1000);
  const big = new ChunkReader(); // 8 MiB messages, 9 MiB held
  big.push(concat(header(4, 8 * 1024 * 1024), new Uint8Array(128)));
  assertEquals(big.heldBytes, 8 * 1024 * 1024);
  assertThrows(() => big.push(header(5, 2 * 1024 * 1024)), ChunkError, "too many bytes");
});

Deno.test("ChunkReader limits chunk streams with partial messages", () => {
  const r = new ChunkReader({ maxPartialMessages: 3 });
  for (const csid of [4, 5, 6]) r.push(concat(header(csid, 200), new Uint8Array(128)));
  assertThrows(() => r.push(header(7, 200)), ChunkError, "too many chunk streams with partial");
  // a finished message frees its place
  const ok = new ChunkReader({ maxPartialMessages: 1 });
  for (const csid of [4, 5, 6]) {
    assertEquals(ok.push(concat(header(csid, 3), fromHex("010203"))).length, 1);
  }
  assertEquals(ok.heldBytes, 0);
});

Deno.test("ChunkReader releases what an aborted message held", () => {
  const r = new ChunkReader({ maxPartialMessages: 2 }); // the Abort message takes one while read
  r.push(concat(header(4, 200), new Uint8Array(128)));
  assertEquals(r.heldBytes, 200);
  r.push(fromHex("02 000000 000004 02 00000000 00000004"));
  assertEquals(r.heldBytes, 0);
  // both places are free again: csid 4 would still hold one without the Abort
  for (const csid of [5, 6]) r.push(concat(header(csid, 200), new Uint8Array(128)));
  assertThrows(() => r.push(header(7, 200)), ChunkError, "partial");
});

Deno.test("ChunkReader holds one buffer per message even at chunk size 1", () => {
  // 12 MiB of chunks of 1 byte (each a type 3 header and a byte) into one 8 MiB message: the old
  // reader kept every byte as its own array and grew the process by 2.2 GiB; stop well before.
  const r = new ChunkReader({ minChunkSize: 1 });
  r.push(concat(fromHex("02 000000 000004 01 00000000 00000001"), header(4, 8 * 1024 * 1024)));
  const block = new Uint8Array(1024 * 1024);
  for (let i = 0; i < block.length; i += 2) block[i] = 0xc4;
  const before = Deno.memoryUsage().rss;
  r.push(Uint8Array.of(0)); // the first chunk has the type 0 header above
  for (let mib = 0; mib < 12; mib++) {
    r.push(block);
    const grown = Deno.memoryUsage().rss - before;
    assert(grown < 64 * 1024 * 1024, `grew ${grown >> 20} MiB after ${mib + 1} MiB`);
    assertEquals(r.heldBytes, 8 * 1024 * 1024);
  }
});

Deno.test("ChunkReader refuses a compressed header on an unknown chunk stream", () => {
  assertThrows(() => new ChunkReader().push(fromHex("44 000000 000001 09 00")), ChunkError);
  assertThrows(() => new ChunkReader().push(fromHex("c4")), ChunkError);
});

Deno.test("ChunkReader refuses a new header in the middle of a message", () => {
  const bytes = concat(
    fromHex("04 000000 0000c8 09 01000000"),
    new Uint8Array(128),
    fromHex("04 000000 000001 09 01000000 00"),
  );
  assertThrows(() => new ChunkReader().push(bytes), ChunkError, "mid-message");
});

Deno.test("ChunkReader interleaves messages on different chunk streams", () => {
  const bytes = concat(
    fromHex("04 000000 000082 09 01000000"),
    new Uint8Array(128).fill(1),
    fromHex("06 000000 000001 08 01000000 ee"), // audio between video chunks
    fromHex("c4 0101"),
  );
  const msgs = readBoth(bytes);
  assertEquals(msgs.map((m) => [m.csid, m.payload.length]), [[6, 1], [4, 130]]);
});
