// The RTMP server: the accept loop, per-address and total caps, deadlines; one connection is conn.ts.
import { type ConnDeps, RtmpConn } from "./conn.ts";
import type { Transcode } from "./ffmpeg_args.ts";
import { ffmpegAvailable } from "../ffmpeg.ts";
import type { LogFn } from "./hls.ts";
import { createIngest, type IngestRooms, type Packager } from "./ingest.ts";
import type { LiveThumbnailOptions } from "./live_thumbnails.ts";
import type { LlHlsRing, RingOptions } from "./llhls.ts";

export type { IngestRooms, Packager };

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
  /** Who packages `copy` publishes: our LL-HLS packager (in memory) or ffmpeg. @default "roomcast" */
  packager?: Packager;
  /** Bounds of each packaged stream's in-memory ring. */
  ring?: RingOptions;
  /** Who a key publishes to, and what to tell when it goes live, offline, sends media, is dropped. */
  rooms: IngestRooms;
  log?: LogFn;
  /** Open connections per remote address (IPv6: per /64). @default 4 */
  maxConnectionsPerIp?: number;
  /** Open connections in all; see `giveWayAfterMs` for when it is full. @default 256 */
  maxConnections?: number;
  /**
   * When the server is full, the oldest connection not yet publishing gives way to a new one once
   * it is open this long: a real publisher reaches Publish.Start well within it. @default 2000
   */
  giveWayAfterMs?: number;
  /** The handshake must be done this long after accept, however the bytes trickle. @default 5000 */
  handshakeTimeoutMs?: number;
  /** The publish must be authorized (Publish.Start) this long after accept. @default 10000 */
  publishTimeoutMs?: number;
  /** Media must follow Publish.Start this soon and never pause longer. @default 10000 */
  idleTimeoutMs?: number;
  /** Segments stay this long after unpublish; a publisher back sooner continues the playlist. @default 30000 */
  graceMs?: number;
  /** Live thumbnail period of an ffmpeg publish (packaged rooms make stills on request). @default 20000 */
  thumbnailMs?: number;
  /** Packaged rooms' stills: kept `ttlMs` (5000), `maxRunning` ffmpeg at once (2), `timeoutMs` (5000). */
  stills?: Pick<LiveThumbnailOptions, "ttlMs" | "maxRunning" | "timeoutMs">;
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
  /** A packaged room's in-memory LL-HLS output (live or in its grace period). */
  hls(playbackId: string): LlHlsRing | undefined;
  /**
   * A packaged room's JPEG still of its newest keyframe, made by ffmpeg on request (null: no
   * picture); undefined when the room is not packaged here.
   */
  thumbnail(playbackId: string): Promise<Uint8Array | null> | undefined;
  /** Open connections (publishing or not yet) and the rooms with a publisher, for /metrics. */
  stats(): RtmpStats;
  close(): Promise<void>;
}

export interface RtmpStats {
  connections: number;
  publishers: string[];
}

/**
 * The key an address is counted under for the per-address cap: an IPv4 address as is (also when
 * IPv4-mapped), an IPv6 address by its /64, the smallest block one subscriber is usually given.
 */
export function addressKey(ip: string): string {
  const addr = ip.replace(/^\[|\]$/g, "").split("%")[0].toLowerCase(); // no brackets, no zone
  if (!addr.includes(":")) return addr;
  const g = ipv6Groups(addr);
  if (!g) return addr; // the kernel's text, but not one we parse: counted under itself
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return [g[6] >> 8, g[6] & 255, g[7] >> 8, g[7] & 255].join("."); // ::ffff:a.b.c.d
  }
  return g.slice(0, 4).map((x) => x.toString(16)).join(":") + "::/64";
}

/** The eight 16-bit groups of an IPv6 address (`::` and a dotted IPv4 tail allowed), or null. */
function ipv6Groups(addr: string): number[] | null {
  const halves = addr.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] === "" ? [] : halves[0].split(":");
  const tail = halves.length === 1 || halves[1] === "" ? [] : halves[1].split(":");
  const last = halves.length === 2 ? tail : head;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(last.at(-1) ?? "");
  if (v4) {
    const b = v4.slice(1).map(Number);
    if (b.some((n) => n > 255)) return null;
    last.splice(-1, 1, ((b[0] << 8) | b[1]).toString(16), ((b[2] << 8) | b[3]).toString(16));
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(missing).fill("0"), ...tail];
  if (!all.every((x) => /^[0-9a-f]{1,4}$/.test(x))) return null;
  return all.map((x) => parseInt(x, 16));
}

/** Open connections, counted per address, with their deadlines checked on one timer. */
class Connections {
  readonly #all = new Set<RtmpConn>();
  readonly #serving = new Set<Promise<void>>();
  readonly #perAddress = new Map<string, number>();
  readonly #watchdog: ReturnType<typeof setInterval>;

  constructor(
    private deps: Omit<ConnDeps, "onClose">,
    private caps: { perAddress: number; total: number; giveWayAfterMs: number },
  ) {
    const { handshakeMs, publishMs, idleMs } = deps.limits;
    this.#watchdog = setInterval(() => {
      const now = Date.now();
      for (const c of this.#all) {
        const late = c.overdue(now);
        if (late) c.close(late);
      }
    }, Math.min(250, handshakeMs / 4, publishMs / 4, idleMs / 4));
  }

  get size(): number {
    return this.#all.size;
  }

  /** Admits a new socket, or closes it when its address is at its cap or no slot can be freed. */
  open(tcp: Deno.TcpConn): void {
    const ip = tcp.remoteAddr.hostname;
    const key = addressKey(ip);
    if ((this.#perAddress.get(key) ?? 0) >= this.caps.perAddress || !this.#freeSlot(key)) {
      this.deps.log("warn", "rtmp connection refused: too many connections", { ip });
      try {
        tcp.close();
      } catch { /* already closed */ }
      return;
    }
    // read again: the connection that gave way may have been from this address
    this.#perAddress.set(key, (this.#perAddress.get(key) ?? 0) + 1);
    const c = new RtmpConn(tcp, {
      ...this.deps,
      onClose: () => {
        this.#all.delete(c);
        const n = (this.#perAddress.get(key) ?? 1) - 1;
        if (n <= 0) this.#perAddress.delete(key);
        else this.#perAddress.set(key, n);
      },
    });
    this.#all.add(c);
    const serving = c.serve().finally(() => this.#serving.delete(serving));
    this.#serving.add(serving);
  }

  /**
   * True when there is room, if need be by closing a connection not yet publishing: slots held by
   * slow or idle peers must not keep a real publisher out until their deadlines. First the oldest
   * one open for `giveWayAfterMs` (younger ones do not, or closed peers that reconnect at once would
   * evict each other in a chain until they reached the publisher still in its handshake); else, an
   * address holding several connections, more than the newcomer's, gives up its oldest, so a flood
   * from many addresses at their cap cannot keep out a publisher from a quieter one, nor evict it.
   */
  #freeSlot(key: string): boolean {
    if (this.#all.size < this.caps.total) return true;
    const now = Date.now();
    for (const c of this.#all) { // insertion order: the oldest first
      if (now - c.openedAt < this.caps.giveWayAfterMs) break; // all later ones are younger
      if (c.waiting) {
        c.close("server full: gave way to a newer connection");
        return true;
      }
    }
    // An address with one connection is never the busier one: a young single peer stays.
    let most = Math.max(this.#perAddress.get(key) ?? 0, 1);
    let victim: RtmpConn | null = null;
    for (const c of this.#all) {
      const held = this.#perAddress.get(addressKey(c.ip)) ?? 0;
      if (c.waiting && held > most) [most, victim] = [held, c];
    }
    victim?.close("server full: gave way to a quieter address");
    return victim !== null;
  }

  async close(): Promise<void> {
    clearInterval(this.#watchdog);
    for (const c of this.#all) c.close("server closing");
    await Promise.all([...this.#serving]);
  }
}

export async function startRtmpServer(options: RtmpServerOptions): Promise<RtmpServer> {
  const log = guardedLog(options.log);
  const ffmpegPath = options.ffmpegPath ?? "ffmpeg";
  const streaming = await ffmpegAvailable(ffmpegPath);
  if (!streaming) log("warn", "streaming is off: ffmpeg not found", { ffmpegPath });
  const ingest = createIngest({
    hlsDir: options.hlsDir,
    ffmpegPath,
    ffmpegOk: streaming,
    transcode: options.transcode ?? "copy",
    packager: options.packager,
    ring: options.ring,
    rooms: guardedRooms(options.rooms, log),
    log,
    graceMs: options.graceMs ?? 30_000,
    thumbnailMs: options.thumbnailMs ?? 20_000,
    stills: options.stills,
    maxQueueBytes: options.maxQueueBytes ?? 8 * 1024 * 1024,
  });
  const listener = Deno.listen({ hostname: options.hostname ?? "0.0.0.0", port: options.port });
  const conns = new Connections({
    authorize: (key, drop) => ingest.authorize(key, drop),
    log,
    limits: {
      handshakeMs: options.handshakeTimeoutMs ?? 5000,
      publishMs: options.publishTimeoutMs ?? 10_000,
      idleMs: options.idleTimeoutMs ?? 10_000,
      maxMessageLength: options.maxMessageLength,
    },
  }, {
    perAddress: options.maxConnectionsPerIp ?? 4,
    total: options.maxConnections ?? 256,
    giveWayAfterMs: options.giveWayAfterMs ?? 2000,
  });
  let closing = false;
  const accepting = (async () => {
    while (!closing) {
      try {
        conns.open(await listener.accept());
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
    hls: (playbackId) => ingest.hls(playbackId),
    thumbnail: (playbackId) => ingest.thumbnail(playbackId),
    stats: () => ({ connections: conns.size, publishers: ingest.liveSlugs() }),
    async close() {
      if (closing) return;
      closing = true;
      try {
        listener.close();
      } catch { /* already closed */ }
      await accepting;
      await conns.close();
      await ingest.close();
    },
  };
}

/** A logger that cannot throw: a failing logger must not take the listener down. */
function guardedLog(userLog: LogFn | undefined): LogFn {
  return (level, msg, fields) => {
    try {
      userLog?.(level, msg, fields);
    } catch { /* ignored, see above */ }
  };
}

/** The rooms' callbacks under their own names, each unable to throw into the ingest. */
function guardedRooms(rooms: IngestRooms, log: LogFn): IngestRooms {
  const safely = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      log("error", "rtmp event handler threw", { error: String(e) });
    }
  };
  return {
    lookup: (key) => rooms.lookup(key),
    onLive: (slug, playbackId) => safely(() => rooms.onLive(slug, playbackId)),
    onOffline: (slug, playbackId) => safely(() => rooms.onOffline(slug, playbackId)),
    // Left out when the rooms have none: the ingest then skips the call per media message.
    onMedia: rooms.onMedia &&
      ((slug, typeId, ts, payload) => safely(() => rooms.onMedia!(slug, typeId, ts, payload))),
    onDrop: (slug, reason) => safely(() => rooms.onDrop?.(slug, reason)),
  };
}
