// The fast test tier: the whole app built in process (createApp on a temporary database and data
// dir) and asked through its fetch, without a port or a child process; for API shapes.
import { join } from "node:path";
import { createApp } from "../app.ts";
import type { HealthCheck } from "../ops/health.ts";
import { loadConfig } from "../config.ts";
import { silentLogger } from "../log.ts";
import { createHub, type Hub, type HubOptions } from "../realtime/hub.ts";
import { createSseTransport } from "../realtime/sse.ts";
import { createTopicTable, type TopicTable } from "../realtime/topics.ts";
import { openPostgres } from "../storage/sql_postgres.ts";
import { openSqliteSql } from "../storage/sql_sqlite.ts";
import { engineEnv } from "./_engines.ts";
import { htpasswdLine } from "../storage/htpasswd.ts";
import type { ApiTarget } from "./_api.ts";

export interface TestApp extends ApiTarget {
  /** `http://roomcast.test/` (with BASE_PATH): only this app's `fetch` answers it. */
  url: string;
  origin: string;
  /** `fetch`'s own signature, answered by the app: swap it in for `fetch` to move a test here. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  dataDir: string;
  hub: Hub;
  topics: TopicTable;
  /** Serves the app on a free port, for the few in-process tests that need a socket (/ws). */
  listen(): string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Settings as environment variables, as the real server reads them. */
  env?: Record<string, string>;
  /** htpasswd users for `<dataDir>/.htpasswd`; default admin:adminpw; null writes no file. */
  admins?: Record<string, string> | null;
  hub?: HubOptions;
  /** The client's address as the app sees it. @default "127.0.0.1" */
  clientAddress?: string;
  /** Dependency checks besides the database's, as main.ts hands in Redis's and storage's. */
  checks?: HealthCheck[];
}

const ORIGIN = "http://roomcast.test";
const assetsDir = new URL("../static/dist/", import.meta.url).pathname;

/** Builds the app as main.ts does, on a fresh data dir; `close()` releases and removes it all. */
export async function startApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = await Deno.makeTempDir({ prefix: "roomcast-app-" });
  if (options.admins !== null) {
    const admins = options.admins ?? { admin: "adminpw" };
    const lines = Object.entries(admins).map(([u, p]) => htpasswdLine(u, p, 4) + "\n").join("");
    await Deno.writeTextFile(join(dataDir, ".htpasswd"), lines);
  }
  const env = { DATA_DIR: dataDir, ...await engineEnv(dataDir), ...options.env };
  const config = loadConfig(new Map(Object.entries(env)));
  const sql = config.databaseUrl
    ? await openPostgres(config.databaseUrl)
    : openSqliteSql(join(dataDir, "roomcast.db"));
  const topics = createTopicTable();
  const hub = createHub({ historySize: topics.history, ...options.hub });
  const sse = createSseTransport(hub, topics);
  const checks = options.checks;
  const roomcast = createApp({
    config,
    log: silentLogger,
    sql,
    hub,
    sse,
    topics,
    assetsDir,
    checks,
  });
  // What Deno.serve hands Hono as `env`: edge/client.ts reads the peer address from it.
  const info = {
    remoteAddr: { hostname: options.clientAddress ?? "127.0.0.1", port: 40000, transport: "tcp" },
  };
  let server: Deno.HttpServer<Deno.NetAddr> | undefined;
  return {
    url: ORIGIN + config.basePath,
    origin: ORIGIN,
    fetch: async (input, init) => await roomcast.app.fetch(new Request(input, init), info),
    dataDir,
    hub,
    topics,
    listen() {
      server ??= Deno.serve(
        { port: 0, hostname: "127.0.0.1", onListen() {} },
        (request, info) => roomcast.app.fetch(request, info),
      );
      return `http://127.0.0.1:${server.addr.port}${config.basePath}`;
    },
    async close() {
      await roomcast.close();
      sse.close();
      hub.close();
      await server?.shutdown();
      await sql.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}
