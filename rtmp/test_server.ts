// Test helpers: a real RTMP server on port 0 with in-memory keys, and real publishers.
import { connect, type Socket } from "node:net";
import { type RtmpServer, type RtmpServerOptions, startRtmpServer } from "./listener.ts";

export interface TestServer {
  server: RtmpServer;
  hlsDir: string;
  events: string[];
  logs: string[];
  url(key: string): string;
  close(): Promise<void>;
}

export const ROOMS: Record<string, { slug: string; playbackId: string }> = {
  "key-a": { slug: "room-a", playbackId: "pb-a" },
  "key-b": { slug: "room-b", playbackId: "pb-b" },
  "key-c": { slug: "room-c", playbackId: "pb-c" },
};

export async function startTestServer(
  extra: Partial<RtmpServerOptions> = {},
): Promise<TestServer> {
  const hlsDir = await Deno.makeTempDir({ prefix: "rtmp_test_" });
  const events: string[] = [];
  const logs: string[] = [];
  const server = await startRtmpServer({
    hostname: "127.0.0.1",
    port: 0,
    hlsDir,
    rooms: {
      lookup: (key) => Promise.resolve(ROOMS[key] ?? null),
      onLive: (slug, pb) => events.push(`live ${slug} ${pb}`),
      onOffline: (slug, pb) => events.push(`offline ${slug} ${pb}`),
    },
    log: (level, msg, fields) => logs.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`),
    ...extra,
  });
  return {
    server,
    hlsDir,
    events,
    logs,
    url: (key) => `rtmp://127.0.0.1:${server.port}/live/${key}`,
    async close() {
      await server.close();
      await Deno.remove(hlsDir, { recursive: true });
    },
  };
}

/** `ffmpeg -re` publishing testsrc2 + sine as H.264/AAC for `seconds`. */
export function ffmpegPublish(url: string, seconds: number): Deno.ChildProcess {
  // deno-fmt-ignore
  const args = [
    "-hide_banner", "-loglevel", "error", "-re",
    "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
    "-f", "lavfi", "-i", "sine=frequency=440",
    "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30",
    "-c:a", "aac", "-t", String(seconds), "-f", "flv", url,
  ];
  return new Deno.Command("ffmpeg", { args, stdin: "null", stdout: "null", stderr: "piped" })
    .spawn();
}

/** GStreamer's rtmp2sink publishing 180 frames (6 s) of video with AAC audio. */
export function gstPublish(url: string): Deno.ChildProcess {
  const pipeline = "videotestsrc is-live=true num-buffers=180 ! video/x-raw,framerate=30/1 ! " +
    "x264enc tune=zerolatency key-int-max=30 ! h264parse ! flvmux name=m streamable=true ! " +
    `rtmp2sink location=${url} ` +
    "audiotestsrc is-live=true num-buffers=260 ! audioconvert ! voaacenc ! aacparse ! m.";
  return new Deno.Command("gst-launch-1.0", {
    args: ["-q", ...pipeline.split(" ")],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

export async function finished(child: Deno.ChildProcess): Promise<{ code: number; err: string }> {
  const [status, err] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  return { code: status.code, err };
}

export async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

/** Codec names in a file, after ffprobe decoded every frame (-count_frames) without an error. */
export async function probe(path: string): Promise<string[]> {
  const out = await new Deno.Command("ffprobe", {
    // deno-fmt-ignore
    args: [
      "-v", "error", "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames",
      "-of", "csv=p=0", path,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  if (!out.success || err.trim() !== "") throw new Error(`Cannot decode ${path}: ${err}`);
  const rows = new TextDecoder().decode(out.stdout).split("\n").filter(Boolean);
  const names = new Set<string>();
  for (const row of rows) {
    const [name, frames] = row.split(",");
    if (!name) continue;
    if (!(Number(frames) > 0)) throw new Error(`No frames decoded in ${path}: ${row}`);
    names.add(name);
  }
  return [...names].sort();
}

/** A hand-driven RTMP client over TCP, for timeouts and limits that real publishers cannot show. */
export async function rawPublisher(port: number, key: string) {
  const { ChunkWriter } = await import("./chunk_writer.ts");
  const { ChunkReader } = await import("./chunk_reader.ts");
  const { encodeAmf0, decodeAmf0 } = await import("./amf0.ts");
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const w = new ChunkWriter();
  const r = new ChunkReader();
  const statuses: string[] = [];
  let handshakeLeft = 1 + 1536 * 2;
  const reading = (async () => {
    const buf = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) return;
        let bytes = buf.subarray(0, n);
        const skip = Math.min(handshakeLeft, bytes.length);
        handshakeLeft -= skip;
        bytes = bytes.subarray(skip);
        for (const msg of r.push(bytes)) {
          if (msg.typeId !== 20) continue;
          const [name, , , info] = decodeAmf0(msg.payload);
          const code = (info as { code?: string } | null)?.code;
          statuses.push(code ? `${name} ${code}` : String(name));
        }
      }
    } catch { /* closed */ }
  })();
  const cmd = (values: Parameters<typeof encodeAmf0>[0], streamId = 0) =>
    conn.write(
      w.write({ csid: 3, typeId: 20, streamId, timestamp: 0, payload: encodeAmf0(values) }),
    );
  const c0c1 = new Uint8Array(1537);
  c0c1[0] = 3;
  await conn.write(c0c1);
  await conn.write(new Uint8Array(1536));
  await cmd(["connect", 1, { app: "live" }]);
  await cmd(["createStream", 2, null]);
  await cmd(["publish", 3, null, key, "live"], 1);
  return {
    statuses,
    /** Raw bytes after the publish (chunks of the test's own making). */
    send: (bytes: Uint8Array) => conn.write(bytes),
    /** Resolves when the server closes the connection. */
    closed: reading,
    close: async () => {
      try {
        conn.close();
      } catch { /* already closed */ }
      await reading;
    },
  };
}

/** The handshake, then the type 0 header of a 4096-byte command whose payload then trickles. */
export const PAST_HANDSHAKE = Uint8Array.of(
  3,
  ...new Uint8Array(1536 * 2),
  ...[0x03, 0, 0, 0, 0, 0x10, 0, 20, 0, 0, 0, 0],
);

export interface Trickler {
  /** Connections made so far (reconnects included). */
  readonly connects: number;
  /** For each connection the server ended: ms from connect to close, and bytes it had sent. */
  readonly closes: { ms: number; sent: number }[];
  /** The server has answered the handshake on the current connection. */
  readonly answered: boolean;
  stop(): Promise<void>;
}

/**
 * A slow client from `localAddress` (any of 127/8 is loopback, so each is its own address for the
 * per-address cap; node:net can bind it, Deno.connect cannot): sends `head`, then one zero byte
 * every `everyMs`, and reconnects as soon as the server closes it, as an attacker would.
 */
export function trickle(
  port: number,
  options: { localAddress?: string; head?: Uint8Array; everyMs?: number; reconnect?: boolean },
): Trickler {
  const { localAddress = "127.0.0.1", head = Uint8Array.of(3), everyMs = 100 } = options;
  const state = { connects: 0, closes: [] as { ms: number; sent: number }[], answered: false };
  let stopped = false;
  let socket: Socket | null = null;
  let ended = Promise.resolve();
  let redial: ReturnType<typeof setTimeout> | undefined;
  const dial = () => {
    state.connects++;
    state.answered = false;
    let sent = 0;
    let received = 0;
    let timer: ReturnType<typeof setInterval> | undefined;
    const started = Date.now();
    const s = socket = connect({ host: "127.0.0.1", port, localAddress });
    ended = new Promise((resolve) => {
      s.on("close", () => {
        clearInterval(timer);
        if (!stopped) state.closes.push({ ms: Date.now() - started, sent });
        if (!stopped && options.reconnect) redial = setTimeout(dial, 10);
        resolve();
      });
    });
    s.on("error", () => {});
    s.on("data", (d: Uint8Array) => {
      received += d.length;
      state.answered ||= received >= 3073;
    });
    s.on("connect", () => {
      s.write(head);
      sent = head.length;
      timer = setInterval(() => {
        s.write(Uint8Array.of(0));
        sent++;
      }, everyMs);
    });
  };
  dial();
  return {
    get connects() {
      return state.connects;
    },
    closes: state.closes,
    get answered() {
      return state.answered;
    },
    async stop() {
      stopped = true;
      clearTimeout(redial);
      socket?.destroy();
      await ended;
    },
  };
}
