// The shape every feature folder's mod.ts returns, so app.ts can mount features in one loop.
import type { Hono } from "hono";
import type { MetricSource } from "../ops/metrics.ts";
import type { TopicNamespace } from "../realtime/topics.ts";
import type { WsFeature } from "../realtime/ws.ts";

export interface Feature {
  /** Mounted at the app root (under BASE_PATH). */
  routes: Hono;
  /** Message types and close hooks this feature plugs into /ws. */
  ws?: WsFeature[];
  /** The hub topic prefixes this feature owns: who may follow them (SSE and /ws) and their history. */
  topics?: TopicNamespace[];
  /** Figures of its own for /metrics (the stream rooms' RTMP ingest), read when scraped. */
  metrics?: MetricSource[];
  /** Opens what the feature listens on (e.g. the RTMP port); called once after the app is built. */
  start?(): Promise<void>;
  /** Releases timers, sockets and processes. */
  close(): Promise<void> | void;
}
