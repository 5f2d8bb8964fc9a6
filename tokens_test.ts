// Unit tests of the random secrets and hashes every store and route shares.
import { assert, assertEquals } from "./tests/_assert.ts";
import { randomCode, randomHex, randomToken, secretsEqual, sha256Hex } from "./tokens.ts";

Deno.test("sha256Hex() and secretsEqual() hash UTF-8 text", () => {
  assertEquals(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert(secretsEqual("s3cret", "s3cret"));
  assert(!secretsEqual("s3cret", "s3creT"));
  assert(!secretsEqual("s3cret", "s3cret-and-longer"));
});

Deno.test("randomToken() and randomHex() give url-safe text of the right length", () => {
  assert(/^[A-Za-z0-9_-]{43}$/.test(randomToken(32)));
  assert(/^[A-Za-z0-9_-]{20}$/.test(randomToken(15)));
  assert(/^[0-9a-f]{64}$/.test(randomHex(32)));
  assert(randomToken(32) !== randomToken(32));
});

Deno.test("randomCode() draws every symbol equally often (no `byte % n` bias)", () => {
  // 57 symbols: `byte % 57` would give the first 28 of them 5/256 each instead of 4/256.
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const counts = new Map<string, number>();
  for (let i = 0; i < 4000; i++) {
    const code = randomCode(alphabet, 10);
    assertEquals(code.length, 10);
    for (const ch of code) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  assertEquals(counts.size, 57);
  const first28 = [...alphabet.slice(0, 28)].reduce((n, ch) => n + counts.get(ch)!, 0);
  // Uniform: 28/57 = 0.491 of 40,000 symbols (σ ≈ 0.0025); biased: 140/256 = 0.547.
  const share = first28 / 40_000;
  assert(share > 0.475 && share < 0.507, `the first 28 symbols got ${share.toFixed(3)}`);
});
