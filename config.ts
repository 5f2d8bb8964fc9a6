// Reads and validates Roomcast's settings from the environment, once, at start.
import { type S3Settings, storageSettings } from "./config_storage.ts";

/** Where settings come from; `Deno.env` fits, and tests pass a plain map. */
export interface EnvSource {
  get(name: string): string | undefined;
}

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Transcode = "copy" | "720p30" | "abr";
/** Who may create a workspace account: anyone, holders of a server invite, or no one. */
export type SignupMode = "open" | "invite" | "closed";

/** One entry of RTCConfiguration.iceServers, as the browser takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

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

/** Typed readers over `env`; each bad value adds a line to `problems` and yields the fallback. */
function envReader(env: EnvSource, problems: string[]) {
  const str = (name: string): string | undefined => {
    const value = env.get(name)?.trim();
    return value ? value : undefined;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (["1", "true", "yes", "on"].includes(raw)) return true;
    if (["0", "false", "no", "off"].includes(raw)) return false;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(", ")}, got "${raw}"`);
    return fallback;
  };
  const url = (name: string): string | undefined => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error();
      return raw.replace(/\/+$/, "");
    } catch {
      problems.push(`${name} must be an http(s) URL, got "${raw}"`);
      return undefined;
    }
  };
  return { str, int, bool, oneOf, url };
}

type EnvReader = ReturnType<typeof envReader>;

/** How the server is reached: its path prefix, the origins it trusts, and the proxies before it. */
function edgeSettings(
  { str }: EnvReader,
  problems: string[],
): Pick<
  Config,
  | "basePath"
  | "allowedOrigins"
  | "trustProxy"
  | "proxyHops"
  | "mediaAllowedOrigins"
  | "imageViewerFrameAncestors"
> {
  const basePath = normaliseBasePath(str("BASE_PATH") ?? "/");
  if (!/^\/([A-Za-z0-9._~-]+\/)*$/.test(basePath)) {
    problems.push(`BASE_PATH must be a path like /imgcast/, got "${str("BASE_PATH")}"`);
  }
  const allowedOrigins = originList("ALLOWED_ORIGINS", str("ALLOWED_ORIGINS"), problems) ?? [];
  const proxyHops = hops(str("TRUST_PROXY"), problems);
  const mediaOrigins = originList("MEDIA_ALLOWED_ORIGINS", str("MEDIA_ALLOWED_ORIGINS"), problems, {
    star: true,
  }) ?? ["*"];
  return {
    basePath,
    allowedOrigins,
    trustProxy: proxyHops > 0,
    proxyHops,
    mediaAllowedOrigins: mediaOrigins,
    imageViewerFrameAncestors: frameSources(str("IMAGE_VIEWER_FRAME_ANCESTORS"), problems),
  };
}

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

/** Raised by `loadConfig` with every problem found, so one start shows them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot start: invalid configuration\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** A comma-separated list of origins (and `*` when `star`), or undefined when unset. */
function originList(
  name: string,
  raw: string | undefined,
  problems: string[],
  { star = false } = {},
): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = raw.split(",").map((o) => o.trim()).filter(Boolean);
  for (const origin of list) {
    if (star && origin === "*") continue;
    try {
      if (new URL(origin).origin !== origin) throw new Error();
    } catch {
      problems.push(`${name} entries must be origins like https://example.com, got "${origin}"`);
    }
  }
  return list;
}

/** IMAGE_VIEWER_FRAME_ANCESTORS: space-separated CSP sources, checked so no directive sneaks in. */
function frameSources(raw: string | undefined, problems: string[]): string | undefined {
  for (const source of raw?.split(/\s+/) ?? []) {
    if (!FRAME_SOURCE.test(source)) {
      problems.push(
        `IMAGE_VIEWER_FRAME_ANCESTORS must list origins like https://wall.example (or *), got "${source}"`,
      );
    }
  }
  return raw;
}

/** A CSP host source: `*`, or a scheme and host (wildcard subdomains and ports allowed). */
const FRAME_SOURCE = /^(\*|https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:([0-9]{1,5}|\*))?)$/;

/** TRUST_PROXY: true/false, or how many proxies stand in front (0–10). */
function hops(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return 0;
  const value = raw.toLowerCase();
  if (/^[0-9]+$/.test(value) && Number(value) <= 10) return Number(value);
  if (["true", "yes", "on"].includes(value)) return 1;
  if (["false", "no", "off"].includes(value)) return 0;
  problems.push(
    `TRUST_PROXY must be true, false or a number of proxies from 0 to 10, got "${raw}"`,
  );
  return 0;
}

function normaliseBasePath(raw: string): string {
  let path = raw.startsWith("/") ? raw : `/${raw}`;
  if (!path.endsWith("/")) path += "/";
  return path.replace(/\/{2,}/g, "/");
}

const ICE_URL = /^(stuns?|turns?):[^\s]+$/;

/** An RTCIceServer: `urls` (one or several stun:/turn: URLs) and optional string credentials. */
function isIceServer(entry: unknown): entry is IceServer {
  if (entry === null || typeof entry !== "object") return false;
  const { urls, username, credential } = entry as Record<string, unknown>;
  const list = Array.isArray(urls) ? urls : [urls];
  return list.length > 0 && list.every((u) => typeof u === "string" && ICE_URL.test(u)) &&
    [username, credential].every((v) => v === undefined || typeof v === "string");
}

/** ICE_SERVERS (a JSON array of RTCIceServer), TURN_URLS and TURN_SECRET, checked together. */
function iceSettings(
  str: (name: string) => string | undefined,
  problems: string[],
): Pick<Config, "iceServers" | "turnUrls" | "turnSecret"> {
  let iceServers: IceServer[] = [];
  const raw = str("ICE_SERVERS");
  if (raw !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch { /* reported below */ }
    if (Array.isArray(parsed) && parsed.every(isIceServer)) {
      iceServers = parsed.map(({ urls, username, credential }) => ({
        urls,
        ...(username === undefined ? {} : { username }),
        ...(credential === undefined ? {} : { credential }),
      }));
    } else {
      // The value itself is not repeated: it may hold TURN credentials.
      problems.push(
        'ICE_SERVERS must be a JSON array of {"urls": "stun:…" | "turn:…", "username"?, "credential"?}',
      );
    }
  }
  const turnUrls = (str("TURN_URLS") ?? "").split(",").map((u) => u.trim()).filter(Boolean);
  for (const url of turnUrls) {
    if (!/^turns?:[^\s]+$/.test(url)) {
      problems.push(`TURN_URLS entries must be turn: or turns: URLs, got "${url}"`);
    }
  }
  const turnSecret = str("TURN_SECRET");
  if ((turnUrls.length > 0) !== (turnSecret !== undefined)) {
    problems.push("TURN_URLS and TURN_SECRET must be set together");
  }
  return { iceServers, turnUrls, turnSecret };
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
