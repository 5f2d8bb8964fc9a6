import { assert, assertEquals } from "../tests/_assert.ts";
import { signMediaToken, verifyMediaToken } from "./media_tokens.ts";

const SECRET = "an-example-secret-that-is-32-bytes-or-more";
const NOW = 1_700_000_000_000;

Deno.test("signMediaToken() matches Python's hmac hexdigest", () => {
  // python3 -c 'import hmac,hashlib;print(hmac.new(b"key", b"1700000000", hashlib.sha256).hexdigest())'
  assertEquals(
    signMediaToken("key", 1700000000),
    "1700000000.39ed3598c145f88463b7ba0b3161ab6563208d7c9c28d57603f8e1e1a565fb93",
  );
  assertEquals(signMediaToken("key", 1700000000.9), signMediaToken("key", 1700000000));
});

Deno.test("verifyMediaToken() accepts a fresh token and reports when it expires", () => {
  const token = signMediaToken(SECRET, NOW / 1000 - 10);
  const check = verifyMediaToken(token, SECRET, { now: NOW, expirySeconds: 900 });
  assert(check.ok);
  assertEquals(check.expiresAt, NOW - 10_000 + 900_000);
});

Deno.test("verifyMediaToken() gives the seed's message for each bad token", () => {
  const good = signMediaToken(SECRET, NOW / 1000);
  const cases: [string, string][] = [
    ["", "Upload token is required."],
    ["nodot", "Malformed token."],
    ["abc.def", "Malformed token."],
    ["-5.abc", "Malformed token."],
    [".abc", "Malformed token."],
    [signMediaToken(SECRET, NOW / 1000 - 901), "Token has expired."],
    [signMediaToken(SECRET, NOW / 1000 + 61), "Invalid token."],
    [signMediaToken("another-secret-of-at-least-32-bytes!!", NOW / 1000), "Invalid token."],
    [good.slice(0, -1) + (good.endsWith("0") ? "1" : "0"), "Invalid token."],
    [good.toUpperCase(), "Invalid token."],
    [good + "00", "Invalid token."],
    [good.split(".")[0] + ".", "Invalid token."],
  ];
  for (const [token, message] of cases) {
    const check = verifyMediaToken(token, SECRET, { now: NOW });
    assertEquals(check.ok ? "accepted" : check.message, message, `token ${JSON.stringify(token)}`);
  }
});

Deno.test("verifyMediaToken() allows 60 s of clock skew, not more", () => {
  const skewed = signMediaToken(SECRET, NOW / 1000 + 60);
  assert(verifyMediaToken(skewed, SECRET, { now: NOW }).ok);
  const far = signMediaToken(SECRET, NOW / 1000 + 3600 * 24 * 365);
  assertEquals(verifyMediaToken(far, SECRET, { now: NOW }).ok, false);
});

Deno.test("verifyMediaToken() checks the timestamp text as sent, like the seed", () => {
  // Python's int("01700000000") parses, and the seed signs the text it was sent.
  const python = "01700000000.f1b338ffc3f572b16d642885f7e2b6466d57c468d476f5814ac7bc02fe928e1e";
  assert(verifyMediaToken(python, SECRET, { now: NOW }).ok);
  const signed = signMediaToken(SECRET, NOW / 1000);
  assertEquals(verifyMediaToken("0" + signed, SECRET, { now: NOW }).ok, false);
});
