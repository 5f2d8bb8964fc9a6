import { assertEquals } from "./tests/_assert.ts";
import { concatBytes } from "./bytes.ts";

Deno.test("concatBytes() joins parts in order, including empty ones and views", () => {
  const view = new Uint8Array([9, 3, 4, 9]).subarray(1, 3);
  assertEquals(
    concatBytes([new Uint8Array([1, 2]), new Uint8Array(0), view]),
    new Uint8Array([1, 2, 3, 4]),
  );
  assertEquals(concatBytes([]), new Uint8Array(0));
});
