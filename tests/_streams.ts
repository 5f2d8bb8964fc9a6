// Helpers for stream room tests: an SSE client that keeps every event, and the admin API calls.
import { api as request } from "./_api.ts";
import { type FollowedFrame, followSse as follow } from "./_sse.ts";

/** What every stream room SSE frame carries: JSON `{id, type, data}`. */
type EventJson = { id?: number; type: string; data: Record<string, unknown> & { slug?: string } };

export interface SseEvent extends FollowedFrame<EventJson> {
  json: EventJson;
}

/** tests/_sse.ts's `followSse()`, frames as `events`; a frame that is not JSON never matches. */
export async function followSse(url: string, headers: Record<string, string> = {}) {
  const follower = await follow<EventJson>(url, headers);
  return {
    events: follower.frames as SseEvent[],
    waitFor(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent> {
      const matched = (f: FollowedFrame<EventJson>) => f.json !== undefined && match(f as SseEvent);
      return follower.waitFor(matched, timeoutMs) as Promise<SseEvent>;
    },
    close: () => follower.close(),
  };
}

export const ADMIN_TOKEN = "test-admin-token-0123456789";

/**
 * tests/_api.ts's `api()` as a script calls the stream rooms API: no Origin, and `admin` (the
 * test token unless false) as the x-admin-token header.
 */
export async function api(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; admin?: string | false } = {},
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = options.admin === false
    ? {}
    : { "x-admin-token": options.admin ?? ADMIN_TOKEN };
  const target = { url: base, origin: new URL(base).origin };
  const { status, body } = await request(target, method, path, {
    body: options.body,
    headers,
    origin: null,
  });
  return { status, body };
}

/** Posts an nginx-rtmp style form to a hook, e.g. `/hooks/rtmp/publish`. */
export async function hook(base: string, which: "publish" | "done", key: string) {
  const response = await fetch(`${base}hooks/rtmp/${which}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ app: "live", name: key, addr: "127.0.0.1", call: which }),
  });
  return { status: response.status, body: await response.json() };
}

/** ffmpeg publishing a test pattern with a tone over RTMP, as the acceptance describes. */
export function publishRtmp(
  port: number,
  key: string,
  seconds: number,
  options: { videoKbps?: number; audioKbps?: number } = {},
) {
  // A fixed (CBR) rate when asked, so what the server measures can be checked against it.
  const rate = options.videoKbps
    ? [
      ...["-b:v", `${options.videoKbps}k`, "-maxrate", `${options.videoKbps}k`],
      ...["-bufsize", `${options.videoKbps / 2}k`, "-x264-params", "nal-hrd=cbr"],
    ]
    : [];
  const audio = options.audioKbps ? ["-b:a", `${options.audioKbps}k`] : [];
  const child = new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-re"],
      ...["-f", "lavfi", "-i", `testsrc2=size=640x360:rate=30:duration=${seconds}`],
      ...["-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`],
      ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-g", "30", ...rate],
      ...["-c:a", "aac", ...audio, "-f", "flv", `rtmp://127.0.0.1:${port}/live/${key}`],
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const done = (async () => {
    const stderr = new TextDecoder().decode(
      new Uint8Array(await new Response(child.stderr).arrayBuffer()),
    );
    const status = await child.status;
    return { code: status.code, stderr };
  })();
  return {
    done,
    /** Stops it early (SIGKILL: no FCUnpublish, like a crashed OBS) and waits. */
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      return await done;
    },
  };
}

/** ffprobe decoding every frame of a media file: `codec_name,codec_type,frames` per stream. */
export async function probe(
  path: string,
): Promise<{ ok: boolean; streams: string[]; errors: string }> {
  const { success, stdout, stderr } = await new Deno.Command("ffprobe", {
    args: [
      ...["-v", "error", "-count_frames"],
      ...["-show_entries", "stream=codec_name,codec_type,nb_read_frames", "-of", "json", path],
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  // JSON, because MPEG-TS lists its streams twice (under "programs" and under "streams").
  const parsed = JSON.parse(new TextDecoder().decode(stdout) || "{}");
  const streams = (parsed.streams ?? []).map((s: Record<string, string>) =>
    `${s.codec_name},${s.codec_type},${s.nb_read_frames}`
  );
  return { ok: success, streams, errors: new TextDecoder().decode(stderr).trim() };
}

/** The next WebSocket message matching `match`, skipping others (presence, viewers, ...). */
export async function nextMatching(
  client: { next(timeoutMs?: number): Promise<Record<string, unknown>> },
  match: (message: Record<string, unknown>) => boolean,
  timeoutMs = 5000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  const seen: unknown[] = [];
  while (Date.now() < deadline) {
    const message = await client.next(Math.max(1, deadline - Date.now())).catch(() => null);
    if (message === null) break;
    if (match(message)) return message;
    seen.push(message);
  }
  throw new Error(`No matching WebSocket message in ${timeoutMs} ms; saw ${JSON.stringify(seen)}`);
}

/** Joins a room's chat; returns the status and body (`token` on success). */
export async function joinChat(
  base: string,
  slug: string,
  nickname: unknown,
  headers: Record<string, string> = {},
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; body: any; cookie: string | null }> {
  const response = await fetch(`${base}api/rooms/${slug}/join`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ nickname }),
  });
  const cookie = response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") || null;
  return { status: response.status, body: await response.json(), cookie };
}

/** Posts a chat message with `Authorization: Bearer <token>`, as StreamCircle's REST clients do. */
export async function postChat(
  base: string,
  slug: string,
  token: string | null,
  content: unknown,
  headers: Record<string, string> = {},
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}api/rooms/${slug}/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: JSON.stringify({ content }),
  });
  return { status: response.status, body: await response.json() };
}
