// Serves a file or a blob with validators (ETag, Last-Modified), 304s and single byte ranges.
import type { BlobRange, BlobStore } from "../storage/blobs.ts";
import { limitStream } from "../storage/blobs_files.ts";

export interface ServeFileOptions {
  contentType: string;
  etag: string;
  /** Milliseconds since the epoch. */
  lastModified?: number;
  cacheControl: string;
  /** Extra headers, e.g. a Content-Security-Policy for SVG. */
  headers?: Record<string, string>;
}

/** What is served: its size, and its bytes (all, or one range) once asked for. */
interface Source {
  size: number;
  open(range?: BlobRange): Promise<ReadableStream<Uint8Array> | null>;
  /** Releases the source when its bytes are not wanted (HEAD, 416). */
  close(): void;
}

function baseHeaders(options: ServeFileOptions): Headers {
  const headers = new Headers({
    "content-type": options.contentType,
    "etag": options.etag,
    "cache-control": options.cacheControl,
    "accept-ranges": "bytes",
    "x-content-type-options": "nosniff",
    ...options.headers,
  });
  if (options.lastModified !== undefined) {
    headers.set("last-modified", new Date(options.lastModified).toUTCString());
  }
  return headers;
}

const notFound = () => Response.json({ error: "Not found" }, { status: 404 });

/** Answers GET/HEAD for `path`; a missing file is a 404 JSON error. */
export async function serveFile(
  request: Request,
  path: string,
  options: ServeFileOptions,
): Promise<Response> {
  const headers = baseHeaders(options);
  if (notModified(request, options)) return new Response(null, { status: 304, headers });
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return notFound();
    throw error;
  }
  const { size } = await file.stat();
  return await respond(request, headers, {
    size,
    async open(range) {
      if (!range) return file.readable;
      await file.seek(range.start, Deno.SeekMode.Start);
      return limitStream(file.readable, range.end - range.start + 1);
    },
    close: () => file.close(),
  });
}

/**
 * Answers GET/HEAD for the blob `key` with the same validators, 304s and ranges as `serveFile`,
 * streaming from the store; a store with public links (S3_PUBLIC_URL) gets a redirect to one
 * instead. Whoever calls this has checked access already.
 */
export async function serveBlob(
  request: Request,
  blobs: Pick<BlobStore, "stat" | "open" | "link">,
  key: string,
  options: ServeFileOptions & {
    /** Never redirect (an SVG needs the CSP header only this server adds). @default false */
    direct?: boolean;
  },
): Promise<Response> {
  const headers = baseHeaders(options);
  if (notModified(request, options)) return new Response(null, { status: 304, headers });
  const link = options.direct ? null : await blobs.link(key, options);
  if (link) {
    // The URL expires: the redirect itself is never cached, the image behind it is.
    return new Response(null, {
      status: 302,
      headers: { "location": link, "cache-control": "no-store" },
    });
  }
  const info = await blobs.stat(key);
  if (!info) return notFound();
  return await respond(request, headers, {
    size: info.size,
    open: (range) => blobs.open(key, range),
    close: () => {},
  });
}

async function respond(request: Request, headers: Headers, source: Source): Promise<Response> {
  const { size } = source;
  const range = parseRange(request.headers.get("range"), size);
  if (range === "invalid") {
    source.close();
    headers.set("content-range", `bytes */${size}`);
    return new Response(null, { status: 416, headers });
  }
  if (request.method === "HEAD") {
    source.close();
    headers.set("content-length", String(size));
    return new Response(null, { status: 200, headers });
  }
  const part = range ? { start: range[0], end: range[1] } : undefined;
  // Gone between the size and the bytes (deleted meanwhile): as if it never was.
  const body = await source.open(part);
  if (!body) return notFound();
  if (part) {
    headers.set("content-range", `bytes ${part.start}-${part.end}/${size}`);
    headers.set("content-length", String(part.end - part.start + 1));
    return new Response(body, { status: 206, headers });
  }
  headers.set("content-length", String(size));
  return new Response(body, { status: 200, headers });
}

function notModified(request: Request, options: ServeFileOptions): boolean {
  const ifNoneMatch = request.headers.get("if-none-match");
  if (ifNoneMatch !== null) {
    return ifNoneMatch.split(",").some((tag) => {
      const t = tag.trim().replace(/^W\//, "");
      return t === "*" || t === options.etag;
    });
  }
  const since = Date.parse(request.headers.get("if-modified-since") ?? "");
  return options.lastModified !== undefined && !Number.isNaN(since) &&
    Math.floor(options.lastModified / 1000) <= Math.floor(since / 1000);
}

/** One `bytes=a-b` range (the only kind browsers and players send); null means the whole file. */
export function parseRange(
  header: string | null,
  size: number,
): [number, number] | null | "invalid" {
  if (!header) return null;
  const match = header.match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === "" && match[2] === "")) return null;
  let start: number, end: number;
  if (match[1] === "") {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size) return "invalid";
  return [start, end];
}
