// Media Server upload tokens: "<unix ts>.<hex HMAC-SHA256(secret, ts)>", made and checked (pure).
import { createHmac, timingSafeEqual } from "node:crypto";

/** The seed's four 401 messages, word for word. */
export const TOKEN_MESSAGES = {
  required: "Upload token is required.",
  malformed: "Malformed token.",
  expired: "Token has expired.",
  invalid: "Invalid token.",
} as const;

export type TokenProblem = keyof typeof TOKEN_MESSAGES;

export type TokenCheck =
  | { ok: true; ts: number; signature: string; expiresAt: number }
  | { ok: false; problem: TokenProblem; message: string };

export interface VerifyTokenOptions {
  /** How long a token is valid after its timestamp, in seconds. @default 900 */
  expirySeconds?: number;
  /** Timestamps further than this in the future are refused, in seconds. @default 60 */
  maxFutureSeconds?: number;
  /** Milliseconds since the epoch. @default Date.now() */
  now?: number;
}

// Generous bounds on the parts: 12 digits of seconds reach year 33658; a hexdigest is 64 chars.
const TOKEN = /^(\d{1,12})\.(.*)$/s;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Signs `ts` the way the seed's Django snippet does. */
export function signMediaToken(secret: string, ts: number): string {
  const text = String(Math.floor(ts));
  const signature = createHmac("sha256", secret).update(text).digest("hex");
  return `${text}.${signature}`;
}

/**
 * Checks a token as the seed does (shape, then age, then signature) with two fixes: timestamps
 * far in the future are refused, and the signature is compared in constant time.
 */
export function verifyMediaToken(
  token: string,
  secret: string,
  options: VerifyTokenOptions = {},
): TokenCheck {
  const { expirySeconds = 900, maxFutureSeconds = 60, now = Date.now() } = options;
  const fail = (problem: TokenProblem): TokenCheck => ({
    ok: false,
    problem,
    message: TOKEN_MESSAGES[problem],
  });
  if (token === "") return fail("required");
  const match = token.match(TOKEN);
  if (!match) return fail("malformed");
  const ts = Number(match[1]);
  const age = now / 1000 - ts;
  if (age > expirySeconds) return fail("expired");
  // The seed never refused these, so a token stamped next year stayed valid for a year.
  if (-age > maxFutureSeconds) return fail("invalid");
  const given = match[2];
  const expected = createHmac("sha256", secret).update(match[1]).digest("hex");
  if (!HEX_SHA256.test(given)) return fail("invalid");
  if (!timingSafeEqual(new TextEncoder().encode(given), new TextEncoder().encode(expected))) {
    return fail("invalid");
  }
  return { ok: true, ts, signature: given, expiresAt: (ts + expirySeconds) * 1000 };
}
