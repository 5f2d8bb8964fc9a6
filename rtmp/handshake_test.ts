// Byte-vector tests for the server side of the simple handshake.
import { assertEquals, assertThrows } from "../tests/_assert.ts";
import { hex } from "./test_util.ts";
import { C0C1_SIZE, HandshakeError, serverHandshake } from "./handshake.ts";

function c0c1(version = 3): Uint8Array {
  const b = new Uint8Array(C0C1_SIZE);
  b[0] = version;
  b.set([0, 0, 0x12, 0x34], 1); // client time
  for (let i = 9; i < b.length; i++) b[i] = i & 0xff;
  return b;
}

Deno.test("serverHandshake() answers S0, S1 and an S2 that echoes C1", () => {
  const random = new Uint8Array(1528).fill(0xab);
  const out = serverHandshake(c0c1(), { time: 0x01020304, random });
  assertEquals(out.length, 1 + 1536 * 2);
  assertEquals(out[0], 3);
  assertEquals(hex(out.subarray(1, 9)), "01 02 03 04 00 00 00 00");
  assertEquals(out.subarray(9, 1537).every((b) => b === 0xab), true);
  // S2: C1 time, our time, C1 random
  assertEquals(hex(out.subarray(1537, 1545)), "00 00 12 34 01 02 03 04");
  assertEquals(hex(out.subarray(1545, 1550)), hex(c0c1().subarray(9, 14)));
  assertEquals(hex(out.subarray(1537 + 1535)), hex(c0c1().subarray(1536)));
});

Deno.test("serverHandshake() uses fresh random bytes by default", () => {
  const a = serverHandshake(c0c1());
  const b = serverHandshake(c0c1());
  assertEquals(hex(a.subarray(9, 41)) === hex(b.subarray(9, 41)), false);
});

Deno.test("serverHandshake() refuses versions other than 3 and short input", () => {
  assertThrows(() => serverHandshake(c0c1(6)), HandshakeError, "version 6");
  assertThrows(() => serverHandshake(new Uint8Array(10)), HandshakeError, "10 bytes");
});
