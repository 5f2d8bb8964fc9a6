// The RTMP TCP listener: the only socket code in rtmp/. Accepts publishers and wires them to ingest.
import type { Transcode } from "./ffmpeg_args.ts";
import { ffmpegAvailable, type LogFn } from "./hls.ts";
import { createIngest, type Publish } from "./ingest.ts";
import { RtmpSession } from "./session.ts";

export interface StreamKeys {
  /** Resolve a publish key to its room; null when unknown. Must be constant-time on the key (the caller compares hashes). */
  lookup(key: string): Promise<{ slug: string; playbackId: string } | null>;
}

export interface StreamEvents {
  /** The room's playlist is playable (first segment written), ~1-2 s after Publish.Start. */
  onLive(slug: string, playbackId: string): void;
  /** Publisher gone and playlist ended (#EXT-X-ENDLIST). Only after onLive. */
  onOffline(slug: string, playbackId: string): void;
  /** Each audio (8) / video (9) message of a live publish (stream health); must not block. */
  onMedia?(slug: string, typeId: number, timestamp: number, payload: Uint8Array): void;
  /** The server dropped the room's live publisher, and why. */
  onDrop?(slug: string, reason: string): void;
}

export interface RtmpServerOptions {
  /** @default "0.0.0.0" */
  hostname?: string;
  /** 0 = any free port. */
  port: number;
  /** `<DATA_DIR>/hls`; each room writes `<hlsDir>/<playbackId>/index.m3u8`. */
  hlsDir: string;
  /** @default "ffmpeg" */
  ffmpegPath?: string;
  /** @default "copy" */
  transcode?: Transcode;
  keys: StreamKeys;
  events: StreamEvents;
  log?: LogFn;
  /** Open connections per remote IP. @default 4 */
  maxConnectionsPerIp?: number;
  /** Open connections in all. @default 256 */
  maxConnections?: number;
  /** Time to finish the handshake. @default 5000 */
  handshakeTimeoutMs?: number;
  /** Silence allowed: no bytes before publishing, no media while publishing. @default 10000 */
  idleTimeoutMs?: number;
  /** Segments stay this long after unpublish; a publisher back sooner continues the playlist. @default 30000 */
  graceMs?: number;
  /** Live thumbnail period. @default 20000 */
  thumbnailMs?: number;
  /** Bytes queued for ffmpeg's stdin before the publisher is dropped. @default 8 MiB */
  maxQueueBytes?: number;
  /** Largest RTMP message accepted. @default 8 MiB */
  maxMessageLength?: number;
}

export interface RtmpServer {
  readonly port: number;
  /** False when ffmpeg was not found: every publish is refused with NetStream.Publish.Failed. */
  readonly streaming: boolean;
  /** A publisher holds the room's key (from Publish.Start until it leaves). */
  isLive(slug: string): boolean;
  /** Drop the live publisher of a room (key rotated / room deleted). */
  kick(slug: string): void;
  close(): Promise<void>;
}

interface Conn {
  tcp: Deno.TcpConn;
  ip: string;
  closed: boolean;
  openedAt: number;
  lastData: number;
  lastMedia: number;
  session: RtmpSession;
  publish: Publish | null;
  out: Promise<void>;
  outBytes: number;
  close(reason: string): void;
}

const MAX_OUT_BYTES = 1024 * 1024; // replies are small: a peer that never reads gets closed

export async function startRtmpServer(options: RtmpServerOptions): Promise<RtmpServer> {
  const userLog = options.log;
  const log: LogFn = (level, msg, fields) => {
    try {
      userLog?.(level, msg, fields);
    } catch { /* a failing logger must not take the listener down */ }
  };
  const ffmpegPath = options.ffmpegPath ?? "ffmpeg";
  const streaming = await ffmpegAvailable(ffmpegPath);
  if (!streaming) log("warn", "streaming is off: ffmpeg not found", { ffmpegPath });
  const perIpMax = options.maxConnectionsPerIp ?? 4;
  const maxConns = options.maxConnections ?? 256;
  const handshakeMs = options.handshakeTimeoutMs ?? 5000;
  const idleMs = options.idleTimeoutMs ?? 10_000;
  const ingest = createIngest({
    hlsDir: options.hlsDir,
    ffmpegPath,
    ffmpegOk: streaming,
    transcode: options.transcode ?? "copy",
    lookup: (key) => options.keys.lookup(key),
    onLive: (s, p) => safely(() => options.events.onLive(s, p)),
    onOffline: (s, p) => safely(() => options.events.onOffline(s, p)),
    onDrop: (s, reason) => safely(() => options.events.onDrop?.(s, reason)),
    onMedia: options.events.onMedia &&
      ((s, t, ts, p) => safely(() => options.events.onMedia!(s, t, ts, p))),
    log,
    graceMs: options.graceMs ?? 30_000,
    thumbnailMs: options.thumbnailMs ?? 20_000,
    maxQueueBytes: options.maxQueueBytes ?? 8 * 1024 * 1024,
  });
  const listener = Deno.listen({ hostname: options.hostname ?? "0.0.0.0", port: options.port });
  const conns = new Set<Conn>();
  const handlers = new Set<Promise<void>>();
  const perIp = new Map<string, number>();
  let closing = false;

  function safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      log("error", "rtmp event handler threw", { error: String(e) });
    }
  }

  const watchdog = setInterval(() => {
    const now = Date.now();
    for (const c of conns) {
      const st = c.session.state;
      if (st === "handshake" || st === "handshake-c2") {
        if (now - c.openedAt > handshakeMs) c.close("handshake timeout");
      } else if (st === "publishing") {
        if (now - c.lastMedia > idleMs) c.close("no media");
      } else if (now - c.lastData > idleMs) { // includes a key lookup that never answers
        c.close("idle");
      }
    }
  }, Math.min(250, handshakeMs / 4, idleMs / 4));

  function open(tcp: Deno.TcpConn): void {
    const ip = tcp.remoteAddr.hostname;
    const count = perIp.get(ip) ?? 0;
    if (count >= perIpMax || conns.size >= maxConns) {
      log("warn", "rtmp connection refused: too many connections", { ip });
      try {
        tcp.close();
      } catch { /* already closed */ }
      return;
    }
    perIp.set(ip, count + 1);
    const now = Date.now();
    const c: Conn = {
      tcp,
      ip,
      closed: false,
      openedAt: now,
      lastData: now,
      lastMedia: now,
      publish: null,
      out: Promise.resolve(),
      outBytes: 0,
      session: null as unknown as RtmpSession,
      close(reason) {
        if (c.closed) return;
        c.closed = true;
        log("debug", "rtmp connection closed", { ip, reason });
        try {
          tcp.close();
        } catch { /* already closed */ }
      },
    };
    c.session = new RtmpSession({
      send(bytes) {
        if (c.closed) return;
        c.outBytes += bytes.length;
        if (c.outBytes > MAX_OUT_BYTES) return c.close("peer does not read");
        c.out = c.out.then(() => writeAll(c, bytes)).catch(() => c.close("write failed"));
      },
      close(reason) {
        // let the refusal reach the peer first (bounded by the watchdog-free short timeout)
        const t = setTimeout(() => c.close(reason), 1000);
        c.out.finally(() => {
          clearTimeout(t);
          c.close(reason);
        });
      },
      async authorize(key) {
        const r = await ingest.begin(key, (reason) => c.close(reason));
        c.publish = r.publish ?? null;
        c.lastMedia = Date.now();
        return r.decision;
      },
      onMedia(msg) {
        c.lastMedia = Date.now();
        c.publish?.media(msg.typeId, msg.timestamp, msg.payload);
      },
      onMetadata: (payload, ts) => c.publish?.metadata(payload, ts),
      onUnpublish() {
        c.publish?.end();
        c.publish = null;
      },
    }, { maxMessageLength: options.maxMessageLength });
    conns.add(c);
    const h = serve(c).finally(() => {
      conns.delete(c);
      handlers.delete(h);
      const n = (perIp.get(ip) ?? 1) - 1;
      if (n <= 0) perIp.delete(ip);
      else perIp.set(ip, n);
    });
    handlers.add(h);
  }

  async function serve(c: Conn): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    try {
      while (!c.closed) {
        const n = await c.tcp.read(buf);
        if (n === null) break;
        c.lastData = Date.now();
        c.session.feed(buf.subarray(0, n));
      }
    } catch (e) {
      if (!c.closed) log("debug", "rtmp connection error", { ip: c.ip, error: String(e) });
    } finally {
      c.close("ended");
      c.session.end();
      await c.out;
    }
  }

  async function writeAll(c: Conn, bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length && !c.closed) at += await c.tcp.write(bytes.subarray(at));
    c.outBytes -= bytes.length;
  }

  const accepting = (async () => {
    while (!closing) {
      try {
        open(await listener.accept());
      } catch (e) {
        if (closing) break;
        log("error", "rtmp accept failed", { error: String(e) });
        await new Promise((r) => setTimeout(r, 100)); // e.g. out of file descriptors: retry soon
      }
    }
  })();

  const port = (listener.addr as Deno.NetAddr).port;
  log("debug", "RTMP socket open", { port, streaming });
  return {
    port,
    streaming,
    isLive: (slug) => ingest.isLive(slug),
    kick: (slug) => ingest.kick(slug),
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(watchdog);
      try {
        listener.close();
      } catch { /* already closed */ }
      await accepting;
      for (const c of conns) c.close("server closing");
      await Promise.all([...handlers]);
      await ingest.close();
    },
  };
}
