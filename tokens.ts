// Random secrets and their SHA-256 forms: the one helper for session ids, keys, codes and tokens.
import { createHash, timingSafeEqual } from "node:crypto";

/** SHA-256 of `text` (UTF-8), hex: how tokens and keys are stored and looked up. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** SHA-256 of `text` (UTF-8) as 32 bytes. */
export function sha256(text: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(text, "utf8").digest());
}

/**
 * Whether two secrets are equal, in time that depends on neither: both are hashed first, so the
 * comparison always runs over 32 bytes whatever their lengths.
 */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

/** `bytes` random bytes as base64url without padding (32 bytes: 43 characters). */
export function randomToken(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  let binary = "";
  for (const byte of raw) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `bytes` random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  let hex = "";
  for (const byte of crypto.getRandomValues(new Uint8Array(bytes))) {
    hex += byte.toString(16).padStart(2, "0");
  }
  return hex;
}

/**
 * `length` symbols drawn uniformly from `alphabet` (at most 256 symbols) by rejection sampling:
 * `byte % n` alone would favour the first `256 % n` symbols, so bytes past the last whole multiple
 * of `n` are thrown away and drawn again.
 */
export function randomCode(alphabet: string, length: number): string {
  const n = alphabet.length;
  if (n < 2 || n > 256) throw new RangeError(`Cannot draw from ${n} symbols: use 2 to 256`);
  const limit = Math.floor(256 / n) * n;
  let code = "";
  while (code.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && code.length < length) code += alphabet[byte % n];
    }
  }
  return code;
}
