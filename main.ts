// Roomcast's entry point: reads the config, opens storage, wires the app, serves, shuts down.
import { join } from "node:path";
import { createApp, type Roomcast } from "./app.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { createLogger, type Logger } from "./log.ts";
import type { HealthCheck } from "./ops/health.ts";
import { createMetrics, type Metrics } from "./ops/metrics.ts";
import { createHub, type Hub } from "./realtime/hub.ts";
import type { RedisHub } from "./realtime/redis_hub.ts";
import { createSseTransport } from "./realtime/sse.ts";
import { createTopicTable } from "./realtime/topics.ts";
import type { BlobStore } from "./storage/blobs.ts";
import { createFileBlobs } from "./storage/blobs_files.ts";
import type { Sql } from "./storage/sql.ts";
import { openSqliteSql } from "./storage/sql_sqlite.ts";
import { ensureAdminHtpasswd } from "./storage/first_start.ts";
import { removeUploadLeftovers } from "./storage/images_store.ts";
import {
  countOpenDescriptors,
  defaultMaxConnections,
  parseOpenFileLimit,
  serveResilient,
} from "./serve.ts";

async function main(): Promise<void> {
  const config = readConfigOrExit();
  const log = createLogger(config.logLevel);
  const openFiles = readOpenFileLimit();
  await prepareDataDir(config, log);
  // Before the engines: each counts its failed calls in metrics.engineErrors.
  const metrics = createMetrics();
  const checks: HealthCheck[] = [];
  const { sql, blobs } = await openStorage(config, log, metrics, checks);
  const { topics, hub, presence, sse } = await openRealtime(config, log, metrics, checks);
  const assetsDir = new URL("./static/dist/", import.meta.url).pathname;
  const roomcast = createApp({
    ...{ config, log, sql, hub, sse, topics, assetsDir },
    ...{ metrics, blobs, checks, presence: presence?.sets, presenceMaps: presence?.maps },
  });

  // Features open what they listen on besides HTTP (the stream rooms' RTMP port).
  await roomcast.start();

  const maxConnections = config.maxConnections ?? defaultMaxConnections(openFiles?.soft);
  logOpenFileLimit(log, openFiles, maxConnections);
  const server = serveResilient(metrics.countHttp(roomcast.app.fetch), {
    port: config.port,
    hostname: config.host,
    maxDescriptors: maxConnections,
    log,
    onListen: ({ hostname, port }) => {
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      log.info("Listening", { url: `http://${host}:${port}${config.basePath}`, port });
    },
  });

  stopOnSignals(config, log, roomcast, [
    () => sse.close(),
    () => hub.close(),
    () => presence?.close(),
    () => server.close(),
    () => blobs.close(),
    () => sql.close(),
  ]);
}

/** The config, or exit 2 with every problem listed when a setting is bad. */
function readConfigOrExit(): Readonly<Config> {
  try {
    return loadConfig(Deno.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      Deno.exit(2);
    }
    throw error;
  }
}

/** DATA_DIR made, the admin htpasswd written on a first start, crashed uploads' leftovers gone. */
async function prepareDataDir(config: Config, log: Logger): Promise<void> {
  await Deno.mkdir(config.dataDir, { recursive: true });
  // A read-only DATA_DIR (Deno Deploy, a shared volume mounted ro) is the operator's to fill.
  const generated = await ensureAdminHtpasswd(config.dataDir, config.adminPassword).catch(
    (error) => {
      if (!(error instanceof Deno.errors.PermissionDenied) && !/os error 30/.test(String(error))) {
        throw error;
      }
      log.warn("Cannot create the admin htpasswd: DATA_DIR is read-only", { error: String(error) });
      return null;
    },
  );
  if (generated) {
    // Printed once, on the start that created the file; it is not stored in clear anywhere.
    log.warn("Created admin user for image rooms", {
      file: join(config.dataDir, ".htpasswd"),
      user: "admin",
      password: generated.password ?? "(from ADMIN_PASSWORD)",
    });
  }

  // Uploads a crash cut short are never finished: their temp files go before any request.
  const leftovers = await removeUploadLeftovers(config.dataDir);
  if (leftovers) log.info("Removed unfinished image uploads", { files: leftovers });
}

/** The stores' database (PostgreSQL or SQLite) and the blob store (DATA_DIR or a bucket). */
async function openStorage(
  config: Config,
  log: Logger,
  metrics: Metrics,
  checks: HealthCheck[],
): Promise<{ sql: Sql; blobs: BlobStore }> {
  // With DATABASE_URL no SQLite file is opened: nothing of the stores touches DATA_DIR. Each
  // engine's client is loaded only when it is set (the AWS SDK alone is most of the module graph).
  const sql = config.databaseUrl
    ? await (await import("./storage/sql_postgres.ts")).openPostgres(config.databaseUrl, {
      onError: () => metrics.engineErrors.count("database"),
    })
    : openSqliteSql(join(config.dataDir, "roomcast.db"));
  // Images, media and thumbnails: files in DATA_DIR, or the bucket STORAGE_URL / S3_* name.
  if (!config.storage) return { sql, blobs: createFileBlobs(config.dataDir) };
  const blobs = (await import("./storage/blobs_s3.ts")).createS3Blobs(config.storage);
  log.info("Images and media are in object storage", {
    bucket: config.storage.bucket,
    endpoint: config.storage.endpoint ?? "AWS",
    redirects: config.storage.publicUrl !== undefined,
  });
  // A missing key answers null when the bucket is reachable; an unreachable store throws.
  checks.push({
    name: "storage",
    check: () =>
      blobs.stat(".roomcast-health").then(() => {}, (error) => {
        metrics.engineErrors.count("storage");
        throw error;
      }),
  });
  return { sql, blobs };
}

/** The topic table, the hub and presence (in-process, or on Redis), and SSE over the hub. */
async function openRealtime(
  config: Config,
  log: Logger,
  metrics: Metrics,
  checks: HealthCheck[],
) {
  // Features register their topic namespaces in createApp; the hub reads history sizes from it.
  const topics = createTopicTable();
  const hub = await openHub(config, log, topics.history, () => metrics.engineErrors.count("redis"));
  if ("ping" in hub) checks.push({ name: "redis", check: () => hub.ping() });
  const presence = config.redisUrl
    ? (await import("./realtime/redis_presence.ts")).createRedisPresence({
      url: config.redisUrl,
      log,
      prefix: `${config.redisPrefix}presence:`,
      ttlMs: config.redisPresenceTtlMs,
      heartbeatMs: Math.round(config.redisPresenceTtlMs / 3),
    })
    : undefined;
  return { topics, hub, presence, sse: createSseTransport(hub, topics) };
}

/** SIGINT/SIGTERM: drain /readyz, close the app, then each engine in `closers` order, exit 0. */
function stopOnSignals(
  config: Config,
  log: Logger,
  roomcast: Pick<Roomcast, "ops" | "close">,
  closers: (() => unknown)[],
): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("Shutting down", { signal });
    // /readyz says 503 first, so balancers stop sending before connections are dropped.
    roomcast.ops.health.drain();
    if (config.shutdownDrainSeconds > 0) {
      log.info("Draining", { seconds: config.shutdownDrainSeconds });
      await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainSeconds * 1000));
    }
    await roomcast.close();
    for (const close of closers) await close();
    log.info("Stopped");
    Deno.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => void stop(signal));
  }
}

/** The hub engine: Redis when REDIS_URL is set (several instances), else in-process. */
async function openHub(
  config: Config,
  log: Logger,
  historySize: (topic: string) => number,
  onError: () => void,
): Promise<Hub | RedisHub> {
  if (!config.redisUrl) {
    return createHub({
      historySize,
      historyBytes: config.hubHistoryBytes,
      idleMs: config.hubIdleTopicSeconds * 1000,
    });
  }
  log.info("Hub on Redis", { url: config.redisUrl.replace(/:[^:@/]*@/, ":***@") });
  const { createRedisHub } = await import("./realtime/redis_hub.ts");
  return createRedisHub({
    url: config.redisUrl,
    log,
    historySize,
    historyTtlSeconds: config.redisHistoryTtlSeconds,
    publishQueue: config.redisPublishQueue,
    prefix: `${config.redisPrefix}hub:`,
    onError,
  });
}

/** RLIMIT_NOFILE of this process (Linux); undefined where /proc is not there. */
function readOpenFileLimit(): { soft: number; hard: number } | undefined {
  try {
    return parseOpenFileLimit(Deno.readTextFileSync("/proc/self/limits"));
  } catch {
    return undefined;
  }
}

function logOpenFileLimit(
  log: Logger,
  limit: { soft: number; hard: number } | undefined,
  maxConnections: number,
): void {
  log.info("Open-file limit", { soft: limit?.soft, hard: limit?.hard, maxConnections });
  if (countOpenDescriptors() === undefined) {
    // Deno 2.9 opens /proc/self only with every permission granted (-A), as `deno task start` does.
    log.warn("Cannot count open descriptors: idle connections are dropped only when accept fails", {
      hint: "run with -A on Linux",
    });
  }
  // `deno task start`, the Dockerfile and docs/roomcast.service raise it; a bare `deno run` may not.
  if (limit && limit.soft < limit.hard) {
    log.warn("The open-file limit is below its hard limit; raise it with `ulimit -n`", {
      soft: limit.soft,
      hard: limit.hard,
    });
  }
}

if (import.meta.main) await main();
