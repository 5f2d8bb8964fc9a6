// Byte-vector tests for the AMF0 codec.
import { assertEquals, assertThrows } from "../tests/_assert.ts";
import { hex } from "./test_util.ts";
import { Amf0Error, decodeAmf0, encodeAmf0, encodeAmf0EcmaArray } from "./amf0.ts";

Deno.test("encodeAmf0() writes the connect command as Flash does", () => {
  const bytes = encodeAmf0(["connect", 1, { app: "live" }]);
  assertEquals(
    hex(bytes),
    "02 00 07 63 6f 6e 6e 65 63 74" + // "connect"
      " 00 3f f0 00 00 00 00 00 00" + // 1.0
      " 03 00 03 61 70 70 02 00 04 6c 69 76 65 00 00 09", // {app:"live"}
  );
});

Deno.test("encodeAmf0() writes null, undefined, booleans and strict arrays", () => {
  assertEquals(hex(encodeAmf0([null, undefined, true, false])), "05 06 01 01 01 00");
  assertEquals(hex(encodeAmf0([[1]])), "0a 00 00 00 01 00 3f f0 00 00 00 00 00 00");
});

Deno.test("encodeAmf0() writes a long string past 65535 bytes", () => {
  const bytes = encodeAmf0(["x".repeat(70000)]);
  assertEquals(hex(bytes.subarray(0, 5)), "0c 00 01 11 70");
  assertEquals(decodeAmf0(bytes), ["x".repeat(70000)]);
});

Deno.test("decodeAmf0() reads an ECMA array, a date and a long string", () => {
  const bytes = new Uint8Array([
    ...[0x08, 0, 0, 0, 1, 0, 1, 0x77, 0x00, 0x40, 0x94, 0, 0, 0, 0, 0, 0, 0, 0, 9],
    ...[0x0b, 0x42, 0x6d, 0x1a, 0x94, 0xa2, 0, 0, 0, 0, 0], // 1e12 ms
    ...[0x0c, 0, 0, 0, 2, 0x68, 0x69],
  ]);
  const [arr, date, s] = decodeAmf0(bytes);
  assertEquals(arr, { w: 1280 });
  assertEquals((date as Date).getTime(), 1e12);
  assertEquals(s, "hi");
});

Deno.test("encodeAmf0EcmaArray() round-trips through decodeAmf0()", () => {
  const bytes = encodeAmf0EcmaArray({ width: 640, encoder: "x" });
  assertEquals(bytes[0], 0x08);
  assertEquals(hex(bytes.subarray(1, 5)), "00 00 00 02");
  assertEquals(decodeAmf0(bytes), [{ width: 640, encoder: "x" }]);
});

Deno.test("decodeAmf0() round-trips nested values", () => {
  const values = ["_result", 1, null, { level: "status", nested: { a: [1, "b", false] } }];
  assertEquals(decodeAmf0(encodeAmf0(values)), values);
});

Deno.test("decodeAmf0() keeps a __proto__ key as data", () => {
  const bytes = new Uint8Array([3, 0, 9, ...new TextEncoder().encode("__proto__"), 5, 0, 0, 9]);
  const [obj] = decodeAmf0(bytes) as [Record<string, unknown>];
  assertEquals(Object.keys(obj), ["__proto__"]);
  assertEquals(Object.getPrototypeOf(obj), Object.prototype);
});

Deno.test("decodeAmf0() refuses truncated input", () => {
  const full = encodeAmf0(["connect", 1, { app: "live" }]);
  for (let n = 1; n < full.length; n++) {
    // every proper prefix that cuts a value must throw, never return garbage
    const prefix = full.subarray(0, n);
    if (n === 10 || n === 19) continue; // these cut exactly between values
    assertThrows(() => decodeAmf0(prefix), Amf0Error);
  }
});

Deno.test("decodeAmf0() refuses lengths beyond the input without allocating them", () => {
  assertThrows(() => decodeAmf0(new Uint8Array([0x0c, 0xff, 0xff, 0xff, 0xff])), Amf0Error);
  assertThrows(() => decodeAmf0(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff])), Amf0Error);
  assertThrows(() => decodeAmf0(new Uint8Array([0x02, 0x00, 0x05, 0x61])), Amf0Error);
});

Deno.test("decodeAmf0() refuses nesting past the depth limit", () => {
  const deep = new Uint8Array(1000).fill(0x0a); // arrays inside arrays...
  const bytes = new Uint8Array(5 * 200);
  for (let i = 0; i < 200; i++) bytes.set([0x0a, 0, 0, 0, 1], i * 5);
  assertThrows(() => decodeAmf0(bytes), Amf0Error, "too deep");
  assertThrows(() => decodeAmf0(deep), Amf0Error);
});

Deno.test("decodeAmf0() refuses unknown markers", () => {
  assertThrows(() => decodeAmf0(new Uint8Array([0x11])), Amf0Error, "unsupported marker 0x11");
});
