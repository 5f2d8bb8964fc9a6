// Reads and validates Roomcast's settings from the environment, once, at start.

/** Where settings come from; `Deno.env` fits, and tests pass a plain map. */
export interface EnvSource {
  get(name: string): string | undefined;
}

export type LogLevel = "debug" | "info" | "warn" | "error";
export type Transcode = "copy" | "720p30" | "abr";

export interface Config {
  /** HTTP port; 0 picks a free one. @default 8080 */
  port: number;
  /** @default "0.0.0.0" */
  host: string;
  /** Prefix every route lives under, normalised to start and end with "/". @default "/" */
  basePath: string;
  /** Data directory: htpasswd, rooms, media, HLS, SQLite. @default "var" */
  dataDir: string;
  /** Largest accepted image upload. @default 10 MiB */
  maxUploadBytes: number;
  /** Images kept per room for the viewer's strip. @default 10 */
  imageHistory: number;
  /** Extra origins allowed to open WebSockets and post with cookies. */
  allowedOrigins: string[];
  logLevel: LogLevel;
  /** Password for the `admin` user written on first start; random when unset. */
  adminPassword?: string;
  /** Honour X-Forwarded-Proto / X-Forwarded-For. @default false */
  trustProxy: boolean;
  /** Public base URL used to build absolute links (media URLs, RTMP/HLS links). */
  publicUrl?: string;
  /** Workspace session lifetime, sliding. @default 30 */
  sessionTtlDays: number;
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
  /** @default true */
  rtmpEnabled: boolean;
  /** @default 1935 */
  rtmpPort: number;
  /** RTMP connections one address may hold (several OBS behind one NAT need more). @default 4 */
  rtmpMaxPerIp: number;
  /** @default "copy" */
  streamTranscode: Transcode;
  /** @default "ffmpeg" */
  ffmpegPath: string;
  /** @default 262144 */
  maxSnippetBytes: number;
  /** @default 24 */
  codeSessionTtlHours: number;
  /** Open descriptors at which idle HTTP connections are dropped (0: never); unset: from the
   * open-file limit, see `defaultMaxConnections` in serve.ts. */
  maxConnections?: number;
}

const MiB = 1024 * 1024;

/** Reads every setting, failing with one message that lists each bad value. */
export function loadConfig(env: EnvSource): Readonly<Config> {
  const problems: string[] = [];
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

  const basePath = normaliseBasePath(str("BASE_PATH") ?? "/");
  if (!/^\/([A-Za-z0-9._~-]+\/)*$/.test(basePath)) {
    problems.push(`BASE_PATH must be a path like /imgcast/, got "${str("BASE_PATH")}"`);
  }
  const allowedOrigins = (str("ALLOWED_ORIGINS") ?? "").split(",").map((o) => o.trim())
    .filter(Boolean);
  for (const origin of allowedOrigins) {
    try {
      if (new URL(origin).origin !== origin) throw new Error();
    } catch {
      problems.push(
        `ALLOWED_ORIGINS entries must be origins like https://example.com, got "${origin}"`,
      );
    }
  }
  const mediaSecret = str("MEDIA_SERVER_SECRET");
  if (mediaSecret !== undefined && new TextEncoder().encode(mediaSecret).length < 32) {
    problems.push("MEDIA_SERVER_SECRET must be at least 32 bytes long");
  }

  const config: Config = {
    port: int("PORT", 8080, 0, 65535),
    host: str("HOST") ?? "0.0.0.0",
    basePath,
    dataDir: str("DATA_DIR") ?? str("ROOMS_BASE_DIR") ?? str("ROOM_BASE_DIR") ?? "var",
    maxUploadBytes: int("MAX_UPLOAD_BYTES", 10 * MiB, 1024, 1024 * MiB),
    imageHistory: int("IMAGE_HISTORY", 10, 1, 1000),
    allowedOrigins,
    logLevel: oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info"),
    adminPassword: str("ADMIN_PASSWORD"),
    trustProxy: bool("TRUST_PROXY", false),
    publicUrl: url("PUBLIC_URL"),
    sessionTtlDays: int("SESSION_TTL_DAYS", 30, 1, 3650),
    mediaSecret,
    tokenExpirySeconds: int("TOKEN_EXPIRY_SECONDS", 900, 1, 7 * 24 * 3600),
    mediaTokenSingleUse: bool("MEDIA_TOKEN_SINGLE_USE", false),
    serverAdminToken: str("SERVER_ADMIN_TOKEN"),
    streamHost: url("STREAM_HOST"),
    rtmpEnabled: bool("RTMP_ENABLED", true),
    rtmpPort: int("RTMP_PORT", 1935, 0, 65535),
    rtmpMaxPerIp: int("RTMP_MAX_CONNECTIONS_PER_IP", 4, 1, 1000),
    streamTranscode: oneOf("STREAM_TRANSCODE", ["copy", "720p30", "abr"] as const, "copy"),
    ffmpegPath: str("FFMPEG_PATH") ?? "ffmpeg",
    maxSnippetBytes: int("MAX_SNIPPET_BYTES", 256 * 1024, 1024, 16 * MiB),
    codeSessionTtlHours: int("CODE_SESSION_TTL_HOURS", 24, 1, 24 * 365),
    maxConnections: str("MAX_CONNECTIONS") === undefined
      ? undefined
      : int("MAX_CONNECTIONS", 0, 0, 10_000_000),
  };
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return Object.freeze(config);
}

/** Raised by `loadConfig` with every problem found, so one start shows them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot start: invalid configuration\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

function normaliseBasePath(raw: string): string {
  let path = raw.startsWith("/") ? raw : `/${raw}`;
  if (!path.endsWith("/")) path += "/";
  return path.replace(/\/{2,}/g, "/");
}
