// Field rules every route and /ws share: what a name may contain, lengths, ids.
import { HttpError } from "../errors.ts";

/**
 * What no one-line name may hold: controls (Cc), invisible format characters (Cf: among them the
 * bidi embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069, the marks U+200E/U+200F
 * and U+061C, which make a name display as something else) and line or paragraph separators.
 */
const NOT_IN_NAMES = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Whether `text` holds a character no name may contain (see NOT_IN_NAMES). */
export function hasControlCharacters(text: string): boolean {
  return NOT_IN_NAMES.test(text);
}

/**
 * Whether `text` has more than `max` code points. Counted in place, stopping at `max + 1`, so a
 * huge string costs no copy (spreading 120 M characters into an array ends the process).
 */
export function longerThan(text: string, max: number): boolean {
  // UTF-16 units are at least as many as code points.
  if (text.length <= max) return false;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    if (++count > max) return true;
  }
  return false;
}

/** A positive integer id from a number or its decimal text, else null. */
export function parseId(value: unknown): number | null {
  const id = typeof value === "number"
    ? value
    : typeof value === "string" && /^[1-9][0-9]{0,15}$/.test(value)
    ? Number(value)
    : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** A one-line text field: trimmed, 1..max characters, nothing a name may not hold. */
export function textField(
  body: Record<string, unknown>,
  name: string,
  max: number,
): string {
  const raw = body[name];
  if (raw === undefined || raw === null) throw new HttpError(400, `Missing "${name}"`);
  if (typeof raw !== "string") throw new HttpError(400, `"${name}" must be a string`);
  const value = raw.trim();
  if (value.length === 0) throw new HttpError(400, `"${name}" must not be empty`);
  if (longerThan(value, max)) {
    throw new HttpError(400, `"${name}" is longer than ${max} characters`);
  }
  if (hasControlCharacters(value)) {
    throw new HttpError(400, `"${name}" must not contain control characters`);
  }
  return value;
}

/** An optional string field: trimmed, `undefined` when absent or blank; 400 when not a string. */
export function optionalString(
  body: Record<string, unknown> | undefined,
  field: string,
  maxLength: number,
): string | undefined {
  const value = body?.[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new HttpError(400, `${field} must be a string`);
  const trimmed = value.trim();
  if (trimmed.length > maxLength) {
    throw new HttpError(400, `${field} must be at most ${maxLength} characters`);
  }
  return trimmed || undefined;
}
