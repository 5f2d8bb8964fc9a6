// Unit tests for session codes and creator tokens.
import { assert, assertEquals } from "../../tests/_assert.ts";
import {
  CODE_ALPHABET,
  CODE_LENGTH,
  groupSessionCode,
  hashToken,
  newCreatorToken,
  newSessionCode,
  normaliseSessionCode,
  tokenMatches,
  tokensFromHeader,
} from "./code_secrets.ts";

Deno.test("newSessionCode() gives 10 unambiguous symbols, ≥ 40 bits, and no repeats", () => {
  assert(CODE_LENGTH * Math.log2(CODE_ALPHABET.length) >= 40);
  for (const ch of "0O1IL") assert(!CODE_ALPHABET.includes(ch), `${ch} is ambiguous`);
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  for (let i = 0; i < 2000; i++) {
    const code = newSessionCode();
    assertEquals(normaliseSessionCode(code), code);
    seen.add(code);
    for (const ch of code) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  assertEquals(seen.size, 2000);
  assertEquals(counts.size, CODE_ALPHABET.length, "every symbol is used");
  // 20,000 symbols over 31: about 645 each; a biased sampler would skew the first 8 symbols.
  for (const [ch, n] of counts) assert(n > 480 && n < 820, `${ch} appeared ${n} times`);
});

Deno.test("normaliseSessionCode() ignores case, dashes and spaces, and refuses the rest", () => {
  assertEquals(normaliseSessionCode("k7wx-m3pq-rt"), "K7WXM3PQRT");
  assertEquals(normaliseSessionCode(" K7WX M3PQ RT "), "K7WXM3PQRT");
  assertEquals(normaliseSessionCode("K7WXM3PQR"), null, "too short");
  assertEquals(normaliseSessionCode("K7WXM3PQR0"), null, "0 is not in the alphabet");
  assertEquals(normaliseSessionCode("K7WXM3PQRT/.."), null);
  assertEquals(groupSessionCode("K7WXM3PQRT"), "K7WX-M3PQ-RT");
});

Deno.test("tokenMatches() accepts the raw token and Bearer <token>, nothing else", () => {
  const token = newCreatorToken();
  assertEquals(token.length, 64);
  const hash = hashToken(token);
  assert(tokenMatches(tokensFromHeader(token), hash));
  assert(tokenMatches(tokensFromHeader(`Bearer ${token}`), hash));
  assert(tokenMatches(tokensFromHeader(`bearer  ${token}`), hash));
  assert(!tokenMatches(tokensFromHeader(`Basic ${token}`), hash));
  assert(!tokenMatches(tokensFromHeader(token.slice(1)), hash));
  assert(!tokenMatches(tokensFromHeader(undefined), hash));
  assert(!tokenMatches(tokensFromHeader(""), hash));
  // A client's own token that starts with "Bearer " still works raw.
  assert(tokenMatches(tokensFromHeader("Bearer of news"), hashToken("Bearer of news")));
});
