// Streams one file field out of a multipart/form-data request without buffering it (busboy).
// @ts-types="@types/busboy"
import busboy from "busboy";
import { Readable } from "node:stream";
import { TooLargeError } from "./files.ts";

/** Why a multipart body was refused; routes map these to their seed's status and message. */
export class MultipartError extends Error {
  constructor(readonly reason: "not-multipart" | "malformed" | "too-many-parts", message: string) {
    super(message);
    this.name = "MultipartError";
  }
}

export interface FilePart {
  field: string;
  filename: string;
  mimeType: string;
  stream: ReadableStream<Uint8Array>;
}

export interface ReceiveOptions<T> {
  /** The field holding the file; other file fields are skipped. */
  field: string;
  /** Bytes of file content to let through; more is cut, so `onFile`'s own count must refuse it. */
  maxBytes: number;
  /** Consumes the file's stream (e.g. writes it to disk); its result is returned. */
  onFile(part: FilePart): Promise<T>;
}

export interface Received<T> {
  /** `onFile`'s result; undefined when the field was absent. */
  file?: T;
  fields: Record<string, string>;
}

/**
 * Parses `request` as multipart/form-data, handing the first `field` file part to `onFile` as a
 * stream. Stops reading the body as soon as `onFile` fails, so an oversize upload is not drained.
 */
export function receiveMultipartFile<T>(
  request: Request,
  options: ReceiveOptions<T>,
): Promise<Received<T>> {
  let parser: busboy.Busboy;
  try {
    parser = createParser(request, options.maxBytes);
  } catch (error) {
    return Promise.reject(error);
  }
  const source = Readable.fromWeb(request.body as import("node:stream/web").ReadableStream);
  const fields: Record<string, string> = {};

  return new Promise<Received<T>>((resolve, reject) => {
    let settled = false;
    let pending: Promise<T> | undefined;
    let fileStream: import("node:stream").Readable | undefined;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      source.unpipe(parser);
      source.destroy();
      // Ends the file stream too, so `onFile` (e.g. a temp file being written) fails and cleans up
      // instead of waiting forever for bytes from a client that is gone. Not the parser: busboy
      // may be inside its own write, and destroying it there throws.
      fileStream?.destroy(error instanceof Error ? error : new Error(String(error)));
      reject(error);
    };
    parser.on("file", (name, stream, info) => {
      if (name !== options.field || pending) {
        stream.resume();
        return;
      }
      fileStream = stream;
      // Its errors reach `onFile` through `fileBytes`, or were caused by `fail` itself; once
      // `onFile` has stopped reading, an unheard 'error' event would crash the process.
      stream.on("error", () => {});
      // busboy cuts the file at maxBytes + 1: that alone proves it too large.
      stream.on("limit", () => fail(new TooLargeError(options.maxBytes)));
      pending = options.onFile({
        field: name,
        filename: info.filename ?? "",
        mimeType: info.mimeType,
        stream: fileBytes(stream),
      });
      pending.catch(fail);
    });
    parser.on("field", (name, value) => void (fields[name] = value));
    parser.on("partsLimit", () => fail(new MultipartError("too-many-parts", "Too many parts")));
    parser.on("filesLimit", () => fail(new MultipartError("too-many-parts", "Too many files")));
    parser.on("error", (error) => {
      const malformed = new MultipartError(
        "malformed",
        `Malformed multipart body: ${(error as Error).message}`,
      );
      // A file being written may have failed for a better reason (too large, not an image): prefer it.
      if (pending) pending.then(() => fail(malformed), fail);
      else fail(malformed);
    });
    parser.on("close", async () => {
      try {
        const file = pending ? await pending : undefined;
        if (!settled) {
          settled = true;
          resolve({ file, fields });
        }
      } catch (error) {
        fail(error);
      }
    });
    source.on("error", (error) => fail(new MultipartError("malformed", String(error.message))));
    source.pipe(parser);
  });
}

/** A busboy parser for the request's boundary; a MultipartError when there is none to parse. */
function createParser(request: Request, maxBytes: number): busboy.Busboy {
  const type = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type) || !request.body) {
    throw new MultipartError("not-multipart", "Request body must be multipart/form-data");
  }
  try {
    return busboy({
      headers: { "content-type": type },
      limits: { fileSize: maxBytes + 1, files: 4, fields: 32, parts: 40, fieldSize: 65536 },
    });
  } catch {
    throw new MultipartError("malformed", "Malformed multipart boundary");
  }
}

/**
 * The file's bytes as a web stream, chunk for chunk: no copy (Readable.toWeb copies every chunk,
 * doubling the garbage per upload). A cut or broken body surfaces as a MultipartError.
 */
function fileBytes(stream: Readable): ReadableStream<Uint8Array> {
  return ReadableStream.from((async function* () {
    try {
      for await (const chunk of stream) yield chunk as Uint8Array;
    } catch (error) {
      const message = `Malformed multipart body: ${(error as Error)?.message ?? error}`;
      throw new MultipartError("malformed", message);
    }
  })());
}
