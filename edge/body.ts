// The one request-body reader (JSON objects, forms, text) with a byte limit, and the root backstop.
import type { MiddlewareHandler } from "hono";
import { HttpError } from "../errors.ts";
import { concatBytes } from "../bytes.ts";

export interface BodyOptions {
  /** Bytes accepted, declared or actually sent. @default 16384 */
  maxBytes?: number;
  /** The 413's message. @default "Request body is larger than <maxBytes> bytes" */
  tooLargeMessage?: string;
}

const DEFAULT_MAX = 16 * 1024;

const tooLarge = (message: string) => new HttpError(413, message, { code: "too_large" });
const badRequest = (message: string) => new HttpError(400, message, { code: "bad_request" });

/** The declared length when it already passes `maxBytes`, so nothing is read at all. */
function refuseDeclared(request: Request, maxBytes: number, message: string): void {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(message);
}

/**
 * The raw body, refusing more than `maxBytes` (declared or sent) with a 413; bytes are counted as
 * they arrive and the rest of an oversize body is never read.
 */
export async function readBytes(request: Request, options: BodyOptions = {}): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX;
  const message = options.tooLargeMessage ?? `Request body is larger than ${maxBytes} bytes`;
  refuseDeclared(request, maxBytes, message);
  if (!request.body) return new Uint8Array(0);
  // A declared length within the limit is all the server reads (Deno holds the body to it), so
  // the body is taken in one piece; counting chunks is for bodies sent without one.
  if (request.headers.has("content-length")) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    // Only a Request made in-process can carry more than it declares; it is refused all the same.
    if (bytes.byteLength > maxBytes) throw tooLarge(message);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the stream: Deno stops reading the connection.
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(message);
    chunks.push(chunk);
  }
  return concatBytes(chunks);
}

/** The body as UTF-8 text (400 when it is not UTF-8). */
export async function readText(request: Request, options: BodyOptions = {}): Promise<string> {
  const bytes = await readBytes(request, options);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw badRequest("Request body is not valid UTF-8");
  }
}

/** A JSON object body; an empty body counts as `{}` so a missing field gets its own message. */
export async function readJsonObject(
  request: Request,
  options: BodyOptions = {},
): Promise<Record<string, unknown>> {
  const text = await readText(request, options);
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest("Request body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badRequest("Request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/** Form fields from an urlencoded body, merged over the query string (nginx-rtmp sends both). */
export async function readForm(
  request: Request,
  options: BodyOptions = {},
): Promise<URLSearchParams> {
  const fields = new URLSearchParams(new URL(request.url).search);
  const type = request.headers.get("content-type") ?? "";
  const text = await readText(request, options);
  if (text && !type.includes("application/x-www-form-urlencoded") && type !== "") {
    throw new HttpError(415, "Expected an application/x-www-form-urlencoded body", {
      code: "unsupported_media_type",
    });
  }
  for (const [name, value] of new URLSearchParams(text)) fields.set(name, value);
  return fields;
}

/**
 * The text fields of an HTML form, urlencoded or multipart (files are ignored). Another content
 * type gives no fields, as a browser form never sends one; a malformed body is a 400.
 */
export async function readFormFields(
  request: Request,
  options: BodyOptions = {},
): Promise<Record<string, string>> {
  const type = request.headers.get("content-type") ?? "";
  const multipart = /^multipart\/form-data\b/i.test(type);
  if (!multipart && !/^application\/x-www-form-urlencoded\b/i.test(type)) return {};
  const bytes = await readBytes(request, options);
  const fields: Record<string, string> = {};
  if (!multipart) {
    const text = new TextDecoder().decode(bytes);
    for (const [name, value] of new URLSearchParams(text)) fields[name] = value;
    return fields;
  }
  let form: FormData;
  try {
    // Parsed only once the bounded read is done: the platform parser never sees more than maxBytes.
    form = await new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: { "content-type": type },
    }).formData();
  } catch {
    throw badRequest("Malformed multipart body");
  }
  for (const [name, value] of form) if (typeof value === "string") fields[name] = value;
  return fields;
}

/**
 * Root middleware, a backstop behind each route's own, tighter limit: a body that is read past
 * `maxBytes` fails with a 413. The body is counted as it streams (uploads stay streamed), and
 * nothing is refused up front, so a route still answers an oversize declared length itself, in
 * its seed's shape. A body declared within the limit is left alone: Deno enforces that length.
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  const message = `Request body is larger than ${maxBytes} bytes`;
  return async (c, next) => {
    const request = c.req.raw;
    const declared = request.headers.get("content-length");
    if (!request.body || (declared !== null && Number(declared) <= maxBytes)) return await next();
    let size = 0;
    const counted = request.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          size += chunk.byteLength;
          if (size > maxBytes) controller.error(tooLarge(message));
          else controller.enqueue(chunk);
        },
      }),
    );
    c.req.raw = new Request(request, { body: counted });
    await next();
  };
}
