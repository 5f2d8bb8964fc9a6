// Session codes (short, read-aloud friendly) and creator tokens (hashed, compared in constant time).
import { timingSafeEqual } from "node:crypto";
import { randomCode, randomHex, sha256, sha256Hex } from "../../tokens.ts";

/** Digits and capitals without the ones people confuse: 0/O, 1/I/L. 31 symbols. */
export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/** 10 symbols of 31: about 49.5 bits, well past the 40 the issue asks for. */
export const CODE_LENGTH = 10;

const CODE_PATTERN = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** A new session code from the crypto RNG, uniform over the alphabet (rejection sampling). */
export function newSessionCode(): string {
  return randomCode(CODE_ALPHABET, CODE_LENGTH);
}

/**
 * The canonical form of a code someone typed: case-insensitive, dashes and spaces ignored.
 * Null when it cannot be a session code at all.
 */
export function normaliseSessionCode(raw: string): string | null {
  const code = raw.replace(/[\s-]/g, "").toUpperCase();
  return CODE_PATTERN.test(code) ? code : null;
}

/** The code grouped for reading aloud: `K7WXM3PQRT` → `K7WX-M3PQ-RT`. */
export function groupSessionCode(code: string): string {
  return code.match(/.{1,4}/g)?.join("-") ?? code;
}

/** A new 256-bit creator token, as 64 hex characters. */
export function newCreatorToken(): string {
  return randomHex(32);
}

/** The SHA-256 of a token, hex; only this is stored. */
export const hashToken: (token: string) => string = sha256Hex;

/** The token candidates in an `Authorization` header: the raw value, and without `Bearer `. */
export function tokensFromHeader(header: string | undefined): string[] {
  const raw = header?.trim() ?? "";
  if (!raw) return [];
  const match = /^bearer\s+(.+)$/i.exec(raw);
  // A raw token may itself start with "Bearer ", so both readings are tried.
  return match ? [raw, match[1].trim()] : [raw];
}

/** Whether any candidate hashes to `storedHash`; every candidate is compared, in constant time. */
export function tokenMatches(candidates: string[], storedHash: string): boolean {
  const stored = new Uint8Array(
    (storedHash.match(/[0-9a-f]{2}/g) ?? []).map((pair) => parseInt(pair, 16)),
  );
  let ok = false;
  for (const candidate of candidates) {
    const given = sha256(candidate);
    if (given.length === stored.length && timingSafeEqual(given, stored)) ok = true;
  }
  return ok;
}
