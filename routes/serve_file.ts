// Serves a file from disk with validators (ETag, Last-Modified), 304s and single byte ranges.

export interface ServeFileOptions {
  contentType: string;
  etag: string;
  /** Milliseconds since the epoch. */
  lastModified?: number;
  cacheControl: string;
  /** Extra headers, e.g. a Content-Security-Policy for SVG. */
  headers?: Record<string, string>;
}

/** Answers GET/HEAD for `path`; a missing file is a 404 JSON error. */
export async function serveFile(
  request: Request,
  path: string,
  options: ServeFileOptions,
): Promise<Response> {
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
  if (notModified(request, options)) return new Response(null, { status: 304, headers });

  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return Response.json({ error: "Not found" }, { status: 404 });
    }
    throw error;
  }
  const { size } = await file.stat();
  const range = parseRange(request.headers.get("range"), size);
  if (range === "invalid") {
    file.close();
    headers.set("content-range", `bytes */${size}`);
    return new Response(null, { status: 416, headers });
  }
  if (request.method === "HEAD") {
    file.close();
    headers.set("content-length", String(size));
    return new Response(null, { status: 200, headers });
  }
  if (range) {
    const [start, end] = range;
    await file.seek(start, Deno.SeekMode.Start);
    headers.set("content-range", `bytes ${start}-${end}/${size}`);
    headers.set("content-length", String(end - start + 1));
    return new Response(limitStream(file.readable, end - start + 1), { status: 206, headers });
  }
  headers.set("content-length", String(size));
  return new Response(file.readable, { status: 200, headers });
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

function limitStream(
  source: ReadableStream<Uint8Array>,
  length: number,
): ReadableStream<Uint8Array> {
  let left = length;
  const reader = source.getReader();
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done || left <= 0) {
        controller.close();
        await reader.cancel();
        return;
      }
      const chunk = value.subarray(0, left);
      left -= chunk.length;
      controller.enqueue(chunk);
      if (left <= 0) {
        controller.close();
        await reader.cancel();
      }
    },
    cancel: () => reader.cancel(),
  });
}
