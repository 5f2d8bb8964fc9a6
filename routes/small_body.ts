// Reads small request bodies (JSON objects, HTML forms) with a byte limit and clear 4xx errors.
import { HttpError } from "../errors.ts";
import { concatBytes } from "../bytes.ts";

/**
 * The body as text, refusing more than `maxBytes` (declared or actually sent) with a 413; the rest
 * of an oversize body is never read.
 */
export async function readSmallText(
  request: Request,
  maxBytes: number,
  tooLargeMessage = `Request body is larger than ${maxBytes} bytes`,
): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new HttpError(413, tooLargeMessage);
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new HttpError(413, tooLargeMessage);
    chunks.push(chunk);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(concatBytes(chunks));
  } catch {
    throw new HttpError(400, "Request body is not valid UTF-8");
  }
}

/** A JSON object body; an empty body counts as `{}` so a missing field gets its own message. */
export async function readJsonObject(
  request: Request,
  maxBytes = 16 * 1024,
  tooLargeMessage?: string,
): Promise<Record<string, unknown>> {
  const text = await readSmallText(request, maxBytes, tooLargeMessage);
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "Request body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new HttpError(400, "Request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/** Form fields from an urlencoded body, merged over the query string (nginx-rtmp sends both). */
export async function readForm(request: Request, maxBytes = 16 * 1024): Promise<URLSearchParams> {
  const fields = new URLSearchParams(new URL(request.url).search);
  const type = request.headers.get("content-type") ?? "";
  const text = await readSmallText(request, maxBytes);
  if (text && !type.includes("application/x-www-form-urlencoded") && type !== "") {
    throw new HttpError(415, "Expected an application/x-www-form-urlencoded body");
  }
  for (const [name, value] of new URLSearchParams(text)) fields.set(name, value);
  return fields;
}

/** A one-line text field: trimmed, 1..max characters, no control characters. */
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
  if ([...value].length > max) {
    throw new HttpError(400, `"${name}" is longer than ${max} characters`);
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) {
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
