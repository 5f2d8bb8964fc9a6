// Operators' endpoints: /healthz (dependencies answer), /readyz (send traffic here?), /metrics.
import { Hono } from "hono";
import { secretsEqual } from "../tokens.ts";
import type { Health } from "./health.ts";
import type { Metrics } from "./metrics.ts";

export interface OpsRoutesDeps {
  health: Health;
  metrics: Pick<Metrics, "scrape">;
  /** METRICS_TOKEN: /metrics asks for it as a Bearer token; unset, /metrics is open. */
  metricsToken?: string;
}

export function opsRoutes(deps: OpsRoutesDeps): Hono {
  const { health, metrics, metricsToken } = deps;
  const app = new Hono();

  // The body monitors have always read stays as it was; a failing dependency turns it into 503.
  app.get("/healthz", async (c) => {
    const { ok, results } = await health.run();
    if (ok) return c.json({ status: "ok", service: "Roomcast" });
    return c.json({ status: "error", service: "Roomcast", failed: failed(results) }, 503);
  });

  app.get("/readyz", async (c) => {
    c.header("cache-control", "no-store");
    if (health.draining) return c.json({ status: "shutting down" }, 503);
    const { ok, results } = await health.run();
    const checks = Object.fromEntries(results.map((r) => [r.name, r.ok ? "ok" : r.error]));
    if (ok) return c.json({ status: "ready", checks });
    return c.json({ status: "unready", checks, failed: failed(results) }, 503);
  });

  app.get("/metrics", async (c) => {
    if (metricsToken !== undefined) {
      const given = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
      if (!secretsEqual(given, metricsToken)) {
        c.header("www-authenticate", 'Bearer realm="metrics"');
        return c.json({ error: "Unauthorized" }, 401);
      }
    }
    const { text, contentType } = await metrics.scrape();
    return c.body(text, 200, { "content-type": contentType, "cache-control": "no-store" });
  });

  return app;
}

function failed(results: { name: string; ok: boolean; error?: string }[]) {
  return results.filter((r) => !r.ok).map(({ name, error }) => ({ name, error }));
}
