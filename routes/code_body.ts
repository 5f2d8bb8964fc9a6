// Reads a small JSON request body with a byte limit, without trusting Content-Length.
import { HttpError } from "../errors.ts";

/**
 * The parsed JSON object of `request`, or `undefined` for an empty body. Throws 413 once more
 * than `maxBytes` arrived (the rest is never read) and 400 for anything but a JSON object.
 */
export async function readJsonObject(
  request: Request,
  maxBytes: number,
  tooLargeMessage = `Request body is larger than ${maxBytes} bytes`,
): Promise<Record<string, unknown> | undefined> {
  const tooLarge = () => new HttpError(413, tooLargeMessage);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return undefined;

  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw tooLarge();
      chunks.push(value);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "Request body is not valid UTF-8");
  }
  if (text.trim() === "") return undefined;
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
