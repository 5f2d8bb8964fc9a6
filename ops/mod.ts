// Operating Roomcast in one piece: its figures, its dependency checks and the routes that show them.
import type { Hono } from "hono";
import type { Hub } from "../realtime/hub.ts";
import type { Sql } from "../storage/sql.ts";
import { createHealth, type Health, type HealthCheck } from "./health.ts";
import { createMetrics, type EngineErrors, type Metrics, type MetricSource } from "./metrics.ts";
import { processSources } from "./process.ts";
import { opsRoutes } from "./routes.ts";

export interface OpsDeps {
  sql: Pick<Sql, "ping">;
  hub: Pick<Hub, "stats">;
  /** Open streams and sockets of the two live transports, read when scraped. */
  sse: { readonly size: number };
  ws: { readonly size: number };
  /** Made by main.ts before the engines that report errors to it; else made here. */
  metrics?: Metrics;
  /** Checks besides the database's (Redis, object storage), from main.ts. */
  checks?: HealthCheck[];
  /** Figures the features hand in (RTMP). */
  sources?: MetricSource[];
  metricsToken?: string;
  readyTimeoutMs?: number;
  ffmpegPath: string;
}

export interface Ops {
  routes: Hono;
  metrics: Metrics;
  health: Health;
}

export function createOps(deps: OpsDeps): Ops {
  const metrics = deps.metrics ?? createMetrics();
  const checks = [databaseCheck(deps.sql, metrics.engineErrors), ...(deps.checks ?? [])];
  const health = createHealth(checks, { timeoutMs: deps.readyTimeoutMs });
  for (const source of [...liveSources(deps, metrics), ...(deps.sources ?? [])]) {
    metrics.add(source);
  }
  for (const source of processSources(deps.ffmpegPath)) metrics.add(source);
  const routes = opsRoutes({ health, metrics, metricsToken: deps.metricsToken });
  return { routes, metrics, health };
}

/** The database (SQLite or PostgreSQL) answers a statement; a failure is one database error. */
function databaseCheck(sql: Pick<Sql, "ping">, errors: EngineErrors): HealthCheck {
  return {
    name: "database",
    check: async () => {
      try {
        await sql.ping();
      } catch (error) {
        errors.count("database");
        throw error;
      }
    },
  };
}

/** Connections per transport and the hub's figures, from counts the parts keep anyway. */
function liveSources(deps: OpsDeps, metrics: Metrics): MetricSource[] {
  return [{
    name: "roomcast_open_connections",
    // The stream rooms add transport="rtmp" to this figure (routes/streams/stream_rtmp.ts).
    help: "Open connections by transport (http: requests in flight, SSE streams apart)",
    labelNames: ["transport"],
    read: () => {
      const sse = deps.sse.size;
      const ws = deps.ws.size;
      // An SSE stream is an exchange until it ends; a WebSocket's ends with its 101 (measured).
      const http = Math.max(0, metrics.httpInFlight - sse);
      return [
        { labels: { transport: "http" }, value: http },
        { labels: { transport: "sse" }, value: sse },
        { labels: { transport: "websocket" }, value: ws },
      ];
    },
  }, {
    name: "roomcast_hub_topics",
    help: "Topics the hub holds (with or without subscribers)",
    read: () => deps.hub.stats().topics,
  }, {
    name: "roomcast_hub_subscribers",
    help: "Subscriptions across every topic (one socket may follow several)",
    read: () => deps.hub.stats().subscribers,
  }, {
    name: "roomcast_hub_history_bytes",
    help: "Estimated bytes of event history kept for resuming",
    read: () => deps.hub.stats().historyBytes,
  }, {
    name: "roomcast_hub_deliveries_total",
    help: "Events handed to subscribers",
    type: "counter",
    read: () => deps.hub.stats().delivered,
  }, {
    name: "roomcast_hub_drops_total",
    help: "Subscribers dropped as too slow (their client reconnects)",
    type: "counter",
    read: () => deps.hub.stats().dropped,
  }];
}
