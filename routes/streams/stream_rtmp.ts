// The stream rooms' own RTMP listener: started by the feature's start(), closed by its close().
import type { Config } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { MetricSource } from "../../ops/metrics.ts";
import type { IngestRooms } from "../../rtmp/ingest.ts";
import { type RtmpServer, type RtmpStats, startRtmpServer } from "../../rtmp/listener.ts";
import type { LlHlsRing } from "../../rtmp/llhls.ts";
import type { StreamsStore } from "../../storage/streams_store.ts";
import type { HealthTracker } from "./stream_health.ts";
import type { StreamLive } from "./stream_live.ts";

/** What the rooms ask of the ingest: the port OBS is told, whether a slug is live, dropping one. */
export interface StreamIngest {
  readonly port: number;
  isLive(slug: string): boolean;
  kick(slug: string): void;
}

/** The ingest with its life: listening from start() (unless RTMP_ENABLED=false) to close(). */
export interface RtmpIngest extends StreamIngest {
  /** A packaged room's in-memory LL-HLS output (STREAM_PACKAGER=roomcast), for /hls/. */
  hls(playbackId: string): LlHlsRing | undefined;
  /** A packaged room's still, made on request (undefined: not packaged here, see its folder). */
  thumbnail(playbackId: string): Promise<Uint8Array | null> | undefined;
  /** Nothing open and nobody publishing while the listener is not running. */
  stats(): RtmpStats;
  start(): Promise<void>;
  close(): Promise<void>;
}

export type RtmpConfig = Pick<
  Config,
  | "host"
  | "rtmpEnabled"
  | "rtmpPort"
  | "ffmpegPath"
  | "streamTranscode"
  | "streamPackager"
  | "rtmpMaxPerIp"
>;

/** The rooms as the RTMP ingest sees them, under the callback names of rtmp/ingest.ts. */
export function ingestRooms(
  store: StreamsStore,
  live: StreamLive,
  health: Pick<HealthTracker, "onMedia" | "onDrop">,
  log: Logger,
): IngestRooms & { settled(): Promise<void> } {
  // The ingest's callbacks return nothing: each room's changes run in the order they came (an
  // offline never overtakes its live), and a database error is logged here.
  const pending = new Map<string, Promise<void>>();
  const inOrder = (slug: string, what: string, step: () => Promise<unknown>) => {
    const next = (pending.get(slug) ?? Promise.resolve()).then(step).then(
      () => {},
      (error) => log.error(what, { slug, error: String(error) }),
    );
    pending.set(slug, next);
    next.finally(() => pending.get(slug) === next && pending.delete(slug));
  };
  return {
    async lookup(key) {
      const room = await store.byKey(key.split("?")[0]);
      return room && { slug: room.slug, playbackId: room.playbackId };
    },
    onLive: (slug) => inOrder(slug, "Cannot mark room live", () => live.setLive(slug, "rtmp")),
    onOffline(slug) {
      // A room made live by the hooks is not ours to end; a deleted room has nothing to end.
      inOrder(slug, "Cannot mark room offline", async () => {
        if ((await store.get(slug))?.liveSource === "rtmp") await live.setLive(slug, null);
      });
    },
    /** Resolves once every live/offline change so far is written (before the database closes). */
    settled: async () => void await Promise.all(pending.values()),
    onMedia: (slug, typeId, timestamp, payload) => health.onMedia(slug, typeId, timestamp, payload),
    onDrop: (slug, reason) => health.onDrop(slug, reason),
  };
}

/**
 * OBS/ffmpeg publish here. Until start() listens, and when RTMP is off, the port cannot be taken
 * or ffmpeg is missing, it does nothing: no room is live through it and the port shown is the
 * configured one (nginx-rtmp users keep their own ingest on 1935).
 */
export function createRtmpIngest(
  config: RtmpConfig,
  deps: { hlsDir: string; rooms: IngestRooms; log: Logger },
): RtmpIngest {
  const { log } = deps;
  let server: RtmpServer | null = null;
  return {
    get port() {
      // RTMP_PORT=0 means "any free port" for our listener; others (nginx-rtmp) use 1935.
      return server?.port ?? (config.rtmpPort || 1935);
    },
    isLive: (slug) => server?.isLive(slug) ?? false,
    kick: (slug) => server?.kick(slug),
    hls: (playbackId) => server?.hls(playbackId),
    thumbnail: (playbackId) => server?.thumbnail(playbackId),
    stats: () => server?.stats() ?? { connections: 0, publishers: [] },
    async start() {
      if (!config.rtmpEnabled) {
        log.info("RTMP listener is disabled (RTMP_ENABLED=false)");
        return;
      }
      await Deno.mkdir(deps.hlsDir, { recursive: true });
      try {
        server = await startRtmpServer({
          hostname: config.host,
          port: config.rtmpPort,
          hlsDir: deps.hlsDir,
          ffmpegPath: config.ffmpegPath,
          transcode: config.streamTranscode,
          packager: config.streamPackager,
          maxConnectionsPerIp: config.rtmpMaxPerIp,
          rooms: deps.rooms,
          log: (level, msg, fields) => log[level](msg, fields),
        });
      } catch (error) {
        // The rest of Roomcast still works; nginx-rtmp users do not need our listener.
        log.error("Cannot start the RTMP listener: streaming is off", {
          port: config.rtmpPort,
          error: String(error),
        });
        return;
      }
      log.info("RTMP listening", { port: server.port, streaming: server.streaming });
      if (!server.streaming) {
        log.warn("Live streaming is off: ffmpeg is unavailable, RTMP publishers are refused", {
          ffmpegPath: config.ffmpegPath,
        });
      }
    },
    // Publishers are ended (onOffline fires) while the rooms and the hub are still open.
    close: async () => await server?.close(),
  };
}

/** The ingest's figures for /metrics, read when scraped: connections, publishers, bitrates. */
export function rtmpMetrics(
  ingest: Pick<RtmpIngest, "stats">,
  health: Pick<HealthTracker, "health">,
): MetricSource[] {
  return [{
    // Added to the figure ops/mod.ts makes for the HTTP transports: one series per transport.
    name: "roomcast_open_connections",
    help: "Open connections by transport",
    labelNames: ["transport"],
    read: () => [{ labels: { transport: "rtmp" }, value: ingest.stats().connections }],
  }, {
    name: "roomcast_rtmp_publishers",
    help: "RTMP publishers live now",
    read: () => ingest.stats().publishers.length,
  }, {
    name: "roomcast_rtmp_publisher_bitrate_bits",
    help: "What each live publisher sends, in bits per second over the last 5 s, by room and track",
    labelNames: ["room", "track"],
    read: () =>
      ingest.stats().publishers.flatMap((room) => {
        const figures = health.health(room);
        return [
          { labels: { room, track: "video" }, value: (figures?.videoKbps ?? 0) * 1000 },
          { labels: { room, track: "audio" }, value: (figures?.audioKbps ?? 0) * 1000 },
        ];
      }),
  }];
}
