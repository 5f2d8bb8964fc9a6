// Reads and validates Roomcast's settings from the environment, once, at start.
import { edgeSettings } from "./config_edge.ts";
import { ConfigError, envReader, type EnvSource } from "./config_env.ts";
import { type IceServer, iceSettings } from "./config_ice.ts";
import { type S3Settings, storageSettings } from "./config_storage.ts";

export { ConfigError, type EnvSource, type IceServer };

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Transcode = "copy" | "720p30" | "abr";
/** Who may create a workspace account: anyone, holders of a server invite, or no one. */
export type SignupMode = "open" | "invite" | "closed";

export interface Config {
  /** HTTP port; 0 picks a free one. @default 8080 */
  port: number;
  /** @default "0.0.0.0" */
  host: string;
  /** Prefix every route lives under, normalised to start and end with "/". @default "/" */
  basePath: string;
  /** Data directory: htpasswd, rooms, media, HLS, SQLite. @default "var" */
  dataDir: string;
  /** postgres://… puts every store on PostgreSQL; unset, they use SQLite in `dataDir`. */
  databaseUrl?: string;
  /** Images, media and thumbnails in this bucket instead of DATA_DIR (STORAGE_URL, S3_*). */
  storage?: S3Settings;
  /** Largest accepted image upload. @default 10 MiB */
  maxUploadBytes: number;
  /** Images kept per room for the viewer's strip. @default 10 */
  imageHistory: number;
  /** Extra origins allowed to open WebSockets and post with cookies. */
  allowedOrigins: string[];
  logLevel: LogLevel;
  /** Password for the `admin` user written on first start; random when unset. */
  adminPassword?: string;
  /** Honour X-Forwarded-Proto / -Host / -For (from `proxyHops` proxies). @default false */
  trustProxy: boolean;
  /**
   * Proxies in front of the server whose X-Forwarded-* entries count (TRUST_PROXY=true is 1, a
   * number that many); the client's address is the entry the outermost one added. @default 0
   */
  proxyHops: number;
  /** Origins that may use the media token routes from a browser (CORS too); "*" any. @default ["*"] */
  mediaAllowedOrigins: string[];
  /** CSP frame-ancestors sources (besides 'self') that may embed the image viewer. */
  imageViewerFrameAncestors?: string;
  /** Public base URL used to build absolute links (media URLs, RTMP/HLS links). */
  publicUrl?: string;
  /** Workspace session lifetime, sliding. @default 30 */
  sessionTtlDays: number;
  /** Who may sign up for a workspace account. @default "open" (as EchoSphere) */
  signup: SignupMode;
  /** Every new account joins the shared `Lobby` server. @default true (as EchoSphere) */
  sharedLobby: boolean;
  /** Largest file one workspace attachment may be (ATTACHMENT_MAX_BYTES). @default 8 MiB */
  attachmentMaxBytes: number;
  /** Workspace messages one account may post at once (REST and /ws share it). @default 10 */
  workspacePostBurst: number;
  /** Workspace messages per minute one account may post after its burst. @default 60 */
  workspacePostsPerMinute: number;
  /** Largest avatar upload, in bytes. @default 1048576 */
  avatarMaxBytes: number;
  /**
   * Emails (lowercased) of the accounts that are admins; when empty, the first account created on
   * a fresh install is. @default []
   */
  adminEmails: string[];
  /** Threads that run bcrypt off the event loop. @default the number of CPU cores */
  passwordWorkers: number;
  /** Password checks allowed to wait for a thread; past it logins get 503. @default 64 */
  passwordQueue: number;
  /** Media library HMAC secret; the library is off when unset. */
  mediaSecret?: string;
  /** @default 900 */
  tokenExpirySeconds: number;
  /** @default false */
  mediaTokenSingleUse: boolean;
  /** StreamCircle admin token; admin routes are off when unset. */
  serverAdminToken?: string;
  /** Public URL that serves /hls (StreamCircle's STREAM_HOST). */
  streamHost?: string;
  /**
   * How other instances reach this one (with BASE_PATH, ending in "/"): recorded as the origin of
   * the rooms its RTMP listener has live, so they proxy those rooms' /hls/.
   */
  instanceUrl?: string;
  /** @default true */
  rtmpEnabled: boolean;
  /** @default 1935 */
  rtmpPort: number;
  /** RTMP connections one address may hold (several OBS behind one NAT need more). @default 4 */
  rtmpMaxPerIp: number;
  /** @default "copy" */
  streamTranscode: Transcode;
  /** Who packages passthrough streams: "roomcast" (LL-HLS from memory) or "ffmpeg". @default "ffmpeg" */
  streamPackager: "roomcast" | "ffmpeg";
  /** @default "ffmpeg" */
  ffmpegPath: string;
  /** @default 262144 */
  maxSnippetBytes: number;
  /** @default 24 */
  codeSessionTtlHours: number;
  /** STUN/TURN servers handed to voice clients as they are (ICE_SERVERS, JSON). @default [] */
  iceServers: IceServer[];
  /** coturn `use-auth-secret` URLs; each user gets short-lived credentials for them. */
  turnUrls: string[];
  turnSecret?: string;
  /** Code sessions one client address may create per hour, after a burst of 10. @default 30 */
  codeSessionsPerHour: number;
  /** Bytes of live-event history the hub keeps across all topics. @default 64 MiB */
  hubHistoryBytes: number;
  /** Seconds a topic without subscribers is kept (with its history) for clients to resume. @default 300 */
  hubIdleTopicSeconds: number;
  /** Frames one /ws socket may send per second, and the burst, before `rate_limited`. @default 5, 10 */
  wsMessagesPerSecond: number;
  wsMessageBurst: number;
  /** Redis for the hub and presence across instances; unset: in-process (one instance). */
  redisUrl?: string;
  /** A topic's ids and history stay in Redis this long after its last kept event. @default 86400 */
  redisHistoryTtlSeconds: number;
  /** Publishes held while Redis is unreachable; past it they are dropped. @default 10000 */
  redisPublishQueue: number;
  /** Prefix of every Redis key and channel, so deployments can share one Redis. @default "roomcast:" */
  redisPrefix: string;
  /** A dead instance's presence (online, viewers, voice) vanishes within this; heartbeat a third of it. @default 30000 */
  redisPresenceTtlMs: number;
  /** Open descriptors at which idle HTTP connections are dropped (0: never); unset: from the
   * open-file limit, see `defaultMaxConnections` in serve.ts. */
  maxConnections?: number;
  /** Bearer token /metrics asks for; unset: open to anyone who reaches it. */
  metricsToken?: string;
  /** Milliseconds each /readyz dependency check may take before it counts as failed. @default 2000 */
  readyTimeoutMs: number;
  /** Seconds /readyz answers 503 after SIGTERM before connections close, so balancers turn away. @default 0 */
  shutdownDrainSeconds: number;
}

const MiB = 1024 * 1024;

/** ADMIN_EMAILS: comma-separated emails, compared as sign-in compares them (trimmed, lowercased). */
function emailList(text: string | undefined, problems: string[]): string[] {
  const emails = (text ?? "").split(",").map((e) => e.trim().toLowerCase()).filter(Boolean);
  const bad = emails.filter((e) => !/^[^\s@]+@[^\s@]+$/.test(e));
  if (bad.length) problems.push(`ADMIN_EMAILS must list emails, got "${bad.join('", "')}"`);
  return emails;
}

/** Reads every setting, failing with one message that lists each bad value. */
export function loadConfig(env: EnvSource): Readonly<Config> {
  const problems: string[] = [];
  const read = envReader(env, problems);
  const { str, int, bool, oneOf, url } = read;
  const edge = edgeSettings(read, problems);
  const mediaSecret = str("MEDIA_SERVER_SECRET");
  if (mediaSecret !== undefined && new TextEncoder().encode(mediaSecret).length < 32) {
    problems.push("MEDIA_SERVER_SECRET must be at least 32 bytes long");
  }
  const ice = iceSettings(str, problems);

  const config: Config = {
    port: int("PORT", 8080, 0, 65535),
    host: str("HOST") ?? "0.0.0.0",
    ...edge,
    dataDir: str("DATA_DIR") ?? str("ROOMS_BASE_DIR") ?? str("ROOM_BASE_DIR") ?? "var",
    databaseUrl: databaseUrl(str("DATABASE_URL"), problems),
    storage: storageSettings(str, problems),
    maxUploadBytes: int("MAX_UPLOAD_BYTES", 10 * MiB, 1024, 1024 * MiB),
    imageHistory: int("IMAGE_HISTORY", 10, 1, 1000),
    logLevel: oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info"),
    adminPassword: str("ADMIN_PASSWORD"),
    publicUrl: url("PUBLIC_URL"),
    sessionTtlDays: int("SESSION_TTL_DAYS", 30, 1, 3650),
    signup: oneOf("SIGNUP", ["open", "invite", "closed"] as const, "open"),
    sharedLobby: bool("SHARED_LOBBY", true),
    attachmentMaxBytes: int("ATTACHMENT_MAX_BYTES", 8 * MiB, 1024, 1024 * MiB),
    workspacePostBurst: int("WORKSPACE_POST_BURST", 10, 1, 10_000),
    workspacePostsPerMinute: int("WORKSPACE_POSTS_PER_MINUTE", 60, 1, 600_000),
    avatarMaxBytes: int("AVATAR_MAX_BYTES", MiB, 1024, 64 * MiB),
    adminEmails: emailList(str("ADMIN_EMAILS"), problems),
    // One core stays free for the event loop, so hashing never starves other requests.
    passwordWorkers: int("PASSWORD_WORKERS", defaultPasswordWorkers(), 1, 64),
    passwordQueue: int("PASSWORD_QUEUE", 64, 1, 100_000),
    mediaSecret,
    tokenExpirySeconds: int("TOKEN_EXPIRY_SECONDS", 900, 1, 7 * 24 * 3600),
    mediaTokenSingleUse: bool("MEDIA_TOKEN_SINGLE_USE", false),
    serverAdminToken: str("SERVER_ADMIN_TOKEN"),
    streamHost: url("STREAM_HOST"),
    instanceUrl: instanceUrl(url("INSTANCE_URL"), problems),
    rtmpEnabled: bool("RTMP_ENABLED", true),
    rtmpPort: int("RTMP_PORT", 1935, 0, 65535),
    rtmpMaxPerIp: int("RTMP_MAX_CONNECTIONS_PER_IP", 4, 1, 1000),
    streamTranscode: oneOf("STREAM_TRANSCODE", ["copy", "720p30", "abr"] as const, "copy"),
    streamPackager: oneOf("STREAM_PACKAGER", ["roomcast", "ffmpeg"] as const, "roomcast"),
    ffmpegPath: str("FFMPEG_PATH") ?? "ffmpeg",
    maxSnippetBytes: int("MAX_SNIPPET_BYTES", 256 * 1024, 1024, 16 * MiB),
    codeSessionTtlHours: int("CODE_SESSION_TTL_HOURS", 24, 1, 24 * 365),
    ...ice,
    codeSessionsPerHour: int("CODE_SESSIONS_PER_HOUR", 30, 1, 100_000),
    hubHistoryBytes: int("HUB_HISTORY_BYTES", 64 * MiB, 0, 64 * 1024 * MiB),
    hubIdleTopicSeconds: int("HUB_IDLE_TOPIC_SECONDS", 300, 1, 7 * 24 * 3600),
    wsMessagesPerSecond: int("WS_MESSAGES_PER_SECOND", 5, 1, 100_000),
    wsMessageBurst: int("WS_MESSAGE_BURST", 10, 1, 100_000),
    redisUrl: redisUrl(str("REDIS_URL"), problems),
    redisHistoryTtlSeconds: int("REDIS_HISTORY_TTL_SECONDS", 86_400, 1, 365 * 24 * 3600),
    redisPublishQueue: int("REDIS_PUBLISH_QUEUE", 10_000, 1, 10_000_000),
    redisPrefix: redisPrefix(str("REDIS_PREFIX"), problems),
    redisPresenceTtlMs: int("REDIS_PRESENCE_TTL_MS", 30_000, 300, 3600_000),
    maxConnections: str("MAX_CONNECTIONS") === undefined
      ? undefined
      : int("MAX_CONNECTIONS", 0, 0, 10_000_000),
    metricsToken: str("METRICS_TOKEN"),
    readyTimeoutMs: int("READY_TIMEOUT_MS", 2000, 10, 60_000),
    shutdownDrainSeconds: int("SHUTDOWN_DRAIN_SECONDS", 0, 0, 300),
  };
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return Object.freeze(config);
}

/** REDIS_URL: `redis://` or `rediss://` (TLS), with an optional user, password and db number. */
function redisUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if ((url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname) return raw;
  } catch { /* reported below */ }
  problems.push(
    `REDIS_URL must be a URL like redis://host:6379, got "${raw.replace(/:[^:@/]*@/, ":***@")}"`,
  );
  return undefined;
}

/** bcrypt threads: one fewer than the cores (at least one), at most 64. */
export function defaultPasswordWorkers(cores = navigator.hardwareConcurrency || 1): number {
  return Math.max(1, Math.min(cores - 1, 64));
}

/** INSTANCE_URL: a base URL other instances fetch /hls/ under, so no query or fragment. */
function instanceUrl(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  const parsed = new URL(value);
  if (parsed.search || parsed.hash || parsed.username || parsed.password) {
    problems.push("INSTANCE_URL must be a plain http(s) base URL, without query, fragment or user");
    return undefined;
  }
  return `${value}/`;
}

/** DATABASE_URL: PostgreSQL only (the embedded SQLite needs no setting). */
function databaseUrl(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (!/^postgres(ql)?:\/\/\S+$/.test(value)) {
    problems.push("DATABASE_URL must be a postgres:// or postgresql:// URL");
    return undefined;
  }
  return value;
}

/** REDIS_PREFIX: key characters only, so it cannot collide with our own separators' meaning. */
function redisPrefix(value: string | undefined, problems: string[]): string {
  if (value === undefined) return "roomcast:";
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(value)) {
    problems.push("REDIS_PREFIX must be 1 to 64 of A-Z a-z 0-9 _ . : -");
  }
  return value;
}
