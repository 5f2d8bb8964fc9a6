// Unit tests of the sealed stream keys the studio reveals.
import { assert, assertEquals } from "../../tests/_assert.ts";
import { keySeal } from "./key_seal.ts";

Deno.test("keySeal() opens what it sealed, and nothing sealed under another admin token", () => {
  const seal = keySeal("admin-token-1");
  const sealed = seal.seal("the-stream-key");
  assert(!sealed.includes("the-stream-key"), "not readable as is");
  assert(seal.seal("the-stream-key") !== sealed, "a fresh IV each time");
  assertEquals(seal.open(sealed), "the-stream-key");
  assertEquals(keySeal("admin-token-2").open(sealed), null, "another token cannot open it");
  const bytes = atob(sealed);
  const flipped = btoa(
    bytes.slice(0, -1) + String.fromCharCode(bytes.charCodeAt(bytes.length - 1) ^ 1),
  );
  assertEquals(seal.open(flipped), null, "a tampered copy is refused");
  assertEquals(seal.open("not base64!"), null);
});
