// The Media Server's wire details: FastAPI-shaped 422s, its error messages, and public URLs.
import type { Context } from "hono";
import { errorsOf } from "../../errors.ts";
import { hasControlCharacters, longerThan } from "../../edge/fields.ts";
import { MEDIA_SORTS, MEDIA_TYPES, type MediaSort } from "../../storage/media_store.ts";
import type { MediaProblem } from "./wire.ts";

export const mediaError = errorsOf("detail");

export const MESSAGES = {
  disabled: "Media library is disabled: MEDIA_SERVER_SECRET is not set.",
  notFound: "Image not found.",
  tokenUsed: "Token has already been used.",
  badBody: "There was an error parsing the body",
} as const;

export const ALLOWED_EXTENSIONS = Object.keys(MEDIA_TYPES).map((ext) => `.${ext}`);

type Location = ["query" | "body", string];

/** FastAPI's 422 for missing required parameters (pydantic v1 wording, as the seed ran). */
export function missingFields(c: Context, locations: Location[]): Response {
  const problem: MediaProblem = {
    detail: locations.map((loc) => ({ loc, msg: "field required", type: "value_error.missing" })),
  };
  return c.json(problem, 422);
}

/** FastAPI's 422 for a query integer out of its bounds or not a number. */
export function invalidInteger(
  c: Context,
  name: string,
  problem: "type" | { ge: number } | { le: number },
): Response {
  const detail = problem === "type"
    ? { msg: "value is not a valid integer", type: "type_error.integer" }
    : "ge" in problem
    ? {
      msg: `ensure this value is greater than or equal to ${problem.ge}`,
      type: "value_error.number.not_ge",
      ctx: { limit_value: problem.ge },
    }
    : {
      msg: `ensure this value is less than or equal to ${problem.le}`,
      type: "value_error.number.not_le",
      ctx: { limit_value: problem.le },
    };
  return c.json({ detail: [{ loc: ["query", name], ...detail }] } satisfies MediaProblem, 422);
}

/** Parses an optional integer query parameter within bounds, or answers FastAPI's 422. */
export function queryInteger(
  c: Context,
  name: string,
  min: number,
  max: number,
): number | undefined | Response {
  const raw = c.req.query(name);
  if (raw === undefined) return undefined;
  if (!/^\s*[+-]?\d{1,15}\s*$/.test(raw)) return invalidInteger(c, name, "type");
  const value = Number(raw);
  if (value < min) return invalidInteger(c, name, { ge: min });
  if (value > max) return invalidInteger(c, name, { le: max });
  return value;
}

/** A client's file name without the folders some browsers and scripts send along. */
const baseName = (filename: string) =>
  filename.slice(Math.max(filename.lastIndexOf("/"), filename.lastIndexOf("\\")) + 1);

/** The extension the seed reads from an upload's name: Python's `Path(name).suffix.lower()`. */
export function extensionOf(filename: string): string {
  const base = baseName(filename);
  const dot = base.lastIndexOf(".");
  return dot > 0 && dot < base.length - 1 ? base.slice(dot + 1).toLowerCase() : "";
}

/** Longest original name kept, in code points; longer ones lose the end of their stem. */
export const MAX_ORIGINAL_NAME = 200;
/** Longest search text: longer than any name it could match. */
export const MAX_QUERY = MAX_ORIGINAL_NAME;

/**
 * The name an upload is shown under: the client's file name without its folders, without the
 * characters no name may hold (edge/fields.ts: controls, bidi overrides), at most
 * MAX_ORIGINAL_NAME long with its extension kept. Null when nothing is left. Never a reason to
 * refuse the upload: the seed took any name.
 */
export function originalNameOf(filename: string): string | null {
  const base = baseName(utf8Name(filename));
  let clean = "";
  for (const ch of base.normalize("NFC")) if (!hasControlCharacters(ch)) clean += ch;
  clean = clean.trim();
  if (!longerThan(clean, MAX_ORIGINAL_NAME)) return clean || null;
  const ext = extensionOf(clean);
  const tail = ext && ext.length <= 10 ? `.${ext}` : "";
  // 2 × max UTF-16 units hold at least max code points; the rest is never copied.
  const stem = clean.slice(0, clean.length - tail.length).slice(0, 2 * MAX_ORIGINAL_NAME);
  const keep = [...stem].slice(0, MAX_ORIGINAL_NAME - 1 - tail.length);
  return `${keep.join("").trimEnd()}…${tail}`;
}

/**
 * Busboy reads a quoted `filename="…"` as latin1 (its default); browsers and curl send the name's
 * UTF-8 bytes there. Those bytes, read back, are the name; anything that is not UTF-8 stays as read.
 */
function utf8Name(name: string): string {
  let bytesAboveAscii = false;
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    // Past 0xFF it was not read as latin1 (busboy decoded a `filename*=UTF-8''…` itself).
    if (unit > 0xff) return name;
    if (unit >= 0x80) bytesAboveAscii = true;
  }
  if (!bytesAboveAscii) return name;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(name, (ch) => ch.charCodeAt(0)),
    );
  } catch {
    return name;
  }
}

/** `q` and `sort` of `GET /media`; 400 for a search no name could match or an unknown order. */
export function listFilter(c: Context): { q: string; sort: MediaSort } {
  const q = (c.req.query("q") ?? "").trim();
  if (longerThan(q, MAX_QUERY)) throw mediaError(400, `q must be at most ${MAX_QUERY} characters.`);
  if (hasControlCharacters(q)) throw mediaError(400, "q must not contain control characters.");
  const sort = c.req.query("sort") ?? "newest";
  if (!(MEDIA_SORTS as readonly string[]).includes(sort)) {
    throw mediaError(400, `sort must be one of: ${MEDIA_SORTS.join(", ")}.`);
  }
  return { q, sort: sort as MediaSort };
}

/** "10 MB" for whole mebibytes, else bytes. */
export function sizeText(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MB` : `${bytes} bytes`;
}
