// Prometheus figures for /metrics: parts' own counts read when scraped, request latency by route.
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The engines whose failures are counted; the SQL, Redis and object-storage ones report here. */
export type Engine = "database" | "redis" | "storage";

/** What an engine reports a failed call through: one plain add, read when scraped. */
export interface EngineErrors {
  count(engine: Engine): void;
}

/** One labelled value of a figure. */
export interface Reading {
  labels?: Record<string, string>;
  value: number;
}

/**
 * A figure a part hands in, read only when /metrics is scraped (nothing runs per event). A
 * `counter` reads a number that only grows (events since start), so `rate()` gives it per second.
 */
export interface MetricSource {
  name: string;
  help: string;
  /** @default "gauge" */
  type?: "gauge" | "counter";
  labelNames?: string[];
  read(): number | Reading[];
}

export interface Metrics {
  readonly engineErrors: EngineErrors;
  /** Registers a figure; a second source of the same name adds its readings to the first's. */
  add(source: MetricSource): void;
  /** Times each request under its matched route pattern, never its raw path. */
  middleware(): MiddlewareHandler;
  /** Wraps the `Deno.serve` handler to count HTTP exchanges until their response is sent. */
  countHttp<A extends Deno.Addr>(handler: Deno.ServeHandler<A>): Deno.ServeHandler<A>;
  /** HTTP exchanges in flight: from the request to the last byte of its response. */
  readonly httpInFlight: number;
  /** The exposition text, and its content type. */
  scrape(): Promise<{ text: string; contentType: string }>;
}

// Up to 10 s: an upload or a blocking LL-HLS playlist reload takes seconds, a JSON call a few ms.
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** A fresh registry (never prom-client's global one, so two apps in one process stay apart). */
export function createMetrics(): Metrics {
  const registry = new Registry();
  const errors: Record<Engine, number> = { database: 0, redis: 0, storage: 0 };
  let inFlight = 0;
  const latency = new Histogram({
    name: "roomcast_http_request_duration_seconds",
    help: "Time to the response head, by matched route pattern (the body, e.g. SSE, not counted)",
    labelNames: ["method", "route", "status"],
    buckets: BUCKETS,
    registers: [registry],
  });
  // Parts that add readings to the same figure (connections per transport) share its series.
  const readers = new Map<string, (() => Reading[])[]>();
  const metrics: Metrics = {
    engineErrors: { count: (engine) => void errors[engine]++ },
    add(source) {
      const read = (): Reading[] => {
        const value = source.read();
        return typeof value === "number" ? [{ value }] : value;
      };
      const known = readers.get(source.name);
      if (known) return void known.push(read);
      readers.set(source.name, [read]);
      addSource(registry, source, () => readers.get(source.name)!.flatMap((r) => r()));
    },
    middleware: () => async (c, next) => {
      const start = performance.now();
      await next();
      // The handler that answered; a path nothing matched has only the catch-all middleware's.
      const route = c.res.status === 404 && routePath(c).endsWith("*") ? "unmatched" : routePath(c);
      const method = METHODS.has(c.req.method) ? c.req.method : "other";
      if (isSqliteError(c.error)) errors.database++;
      latency.observe(
        { method, route, status: String(c.res.status) },
        (performance.now() - start) / 1000,
      );
    },
    countHttp: (handler) => (request, info) => {
      inFlight++;
      // Rejects when the client leaves before the response is sent: that also ends the exchange.
      info.completed.then(done, done);
      return handler(request, info);
    },
    get httpInFlight() {
      return inFlight;
    },
    scrape: async () => ({ text: await registry.metrics(), contentType: registry.contentType }),
  };
  const done = () => void inFlight--;
  metrics.add({
    name: "roomcast_engine_errors_total",
    help: "Failed calls to the database, Redis or object storage",
    type: "counter",
    labelNames: ["engine"],
    read: () => Object.entries(errors).map(([engine, value]) => ({ labels: { engine }, value })),
  });
  return metrics;
}

/** node:sqlite's errors; a failed statement reaches onError as one of these. */
function isSqliteError(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === "ERR_SQLITE_ERROR";
}

/** Registers `source` as a gauge set, or a counter advanced, from `readings` at scrape time. */
function addSource(registry: Registry, source: MetricSource, readings: () => Reading[]): void {
  const { name, help, labelNames = [] } = source;
  if (source.type === "counter") {
    // prom-client counters only go up by inc(): add what grew since the last scrape.
    const seen = new Map<string, number>();
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        for (const { labels = {}, value } of readings()) {
          const key = JSON.stringify(labels);
          const grew = value - (seen.get(key) ?? 0);
          seen.set(key, value);
          // inc by 0 still exposes the series, so a counter reads 0 before its first event.
          this.inc(labels, Math.max(0, grew));
        }
      },
    });
    return;
  }
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      // Labelled series come and go (a publisher ends): only what is read now is exposed.
      this.reset();
      for (const { labels = {}, value } of readings()) this.set(labels, value);
    },
  });
}
