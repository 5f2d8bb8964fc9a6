// The Media Server's wire details: FastAPI-shaped 422s, its error messages, and public URLs.
import type { Context } from "hono";
import { errorsOf } from "../../errors.ts";
import { MEDIA_TYPES } from "../../storage/media_store.ts";
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

/** The extension the seed reads from an upload's name: Python's `Path(name).suffix.lower()`. */
export function extensionOf(filename: string): string {
  const base = filename.slice(Math.max(filename.lastIndexOf("/"), filename.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 && dot < base.length - 1 ? base.slice(dot + 1).toLowerCase() : "";
}

/** "10 MB" for whole mebibytes, else bytes. */
export function sizeText(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MB` : `${bytes} bytes`;
}
