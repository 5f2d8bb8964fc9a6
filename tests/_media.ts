// Helpers for media library tests and benches: seed-made tokens, raw HTTP over TCP, server memory.
import { signMediaToken } from "../storage/media_tokens.ts";

export const SECRET = "test-secret-that-is-long-enough-for-roomcast-0123456789";

// The seed README's Django snippet, verbatim but for `settings` and a clock offset for tests.
const DJANGO_SNIPPET = `
import hmac
import hashlib
import sys
import time

class settings:
    MEDIA_SERVER_SECRET = sys.argv[1]

_real_time = time.time
time.time = lambda: _real_time() + float(sys.argv[2])

def generate_upload_token():
    ts = str(int(time.time()))
    sig = hmac.new(
        settings.MEDIA_SERVER_SECRET.encode(),
        ts.encode(),
        hashlib.sha256,
    ).hexdigest()
    return f"{ts}.{sig}"

print(generate_upload_token())
`;

/**
 * A token made by the seed's own Python code (python3), `offsetSeconds` away from now. Without
 * python3 it is made by `signMediaToken`, which the unit tests compare with Python's output.
 */
export async function djangoToken(secret = SECRET, offsetSeconds = 0): Promise<string> {
  try {
    const { success, stdout } = await new Deno.Command("python3", {
      args: ["-c", DJANGO_SNIPPET, secret, String(offsetSeconds)],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (success) return new TextDecoder().decode(stdout).trim();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return signMediaToken(secret, Date.now() / 1000 + offsetSeconds);
}

/** The head of a multipart body carrying one file in `field`. */
export function multipartHead(boundary: string, filename: string, field = "file"): Uint8Array {
  return new TextEncoder().encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n`,
  );
}

export function multipartTail(boundary: string): Uint8Array {
  return new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
}

export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/** Parses "HTTP/1.1 413 ..." text; status 0 when nothing came back. */
export function parseRaw(text: string): RawResponse {
  const split = text.indexOf("\r\n\r\n");
  const head = split < 0 ? text : text.slice(0, split);
  const status = Number(head.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0);
  return { status, head, body: split < 0 ? "" : text.slice(split + 4) };
}

/**
 * Sends `head` then `chunks()` on a raw TCP connection, reading the answer meanwhile, and stops
 * writing as soon as the server answers or stops reading. Returns whatever came back.
 */
export async function rawExchange(
  port: number,
  head: string,
  chunks: Iterable<Uint8Array>,
  { closeAfterWrite = false }: { closeAfterWrite?: boolean } = {},
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let received = "";
  let answered = false;
  let complete = () => {};
  const completed = new Promise<void>((resolve) => (complete = resolve));
  const reading = (async () => {
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) break;
        received += decoder.decode(buffer.subarray(0, n), { stream: true });
        if (received.includes("\r\n\r\n")) answered = true;
        // A whole response: the server may keep the connection open, so stop here.
        const { head, body } = parseRaw(received);
        const length = head.match(/\r\ncontent-length: (\d+)/i)?.[1];
        if (answered && length !== undefined && body.length >= Number(length)) break;
      }
    } catch { /* reset by the server: what arrived is the answer */ }
    complete();
  })();
  try {
    await writeAll(conn, new TextEncoder().encode(head));
    for (const chunk of chunks) {
      if (answered) break;
      await writeAll(conn, chunk);
    }
  } catch { /* the server stopped reading and closed */ }
  if (closeAfterWrite) {
    conn.close();
    await reading;
    return parseRaw(received);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([completed, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
  clearTimeout(timer);
  try {
    conn.close();
  } catch { /* already closed */ }
  await reading;
  return parseRaw(received);
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/** Resident and peak memory of a process, in kB, from /proc/<pid>/status. */
export async function memoryOf(pid: number): Promise<{ rssKb: number; hwmKb: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const field = (name: string) => Number(status.match(new RegExp(`${name}:\\s+(\\d+) kB`))?.[1]);
  return { rssKb: field("VmRSS"), hwmKb: field("VmHWM") };
}

/** Samples a process's RSS every `everyMs` until `stop()`; returns the highest seen, in kB. */
export function sampleRss(pid: number, everyMs = 10): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, (await memoryOf(pid)).rssKb);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

/** Names of every file in `dir` and its subfolders, relative to it. */
export async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) {
        names.push(...await filesUnder(`${dir}/${entry.name}`, `${prefix}${entry.name}/`));
      } else names.push(prefix + entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

/** POSTs `body` as the multipart `file` field to `/upload?token=` (no `token` when undefined). */
export function uploadMedia(
  server: { url: string; fetch?: (request: Request) => Promise<Response> },
  token: string | undefined,
  body: Uint8Array,
  filename = "photo.png",
  field = "file",
): Promise<Response> {
  const form = new FormData();
  form.append(field, new Blob([body as BlobPart]), filename);
  const query = token === undefined ? "" : `?token=${encodeURIComponent(token)}`;
  const request = new Request(`${server.url}upload${query}`, { method: "POST", body: form });
  return (server.fetch ?? fetch)(request);
}
