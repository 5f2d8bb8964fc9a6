// The shape every feature folder's mod.ts returns, so app.ts can mount features in one loop.
import type { Hono } from "hono";
import type { WsFeature } from "../realtime/ws.ts";
export interface Feature {
  /** Mounted at the app root (under BASE_PATH). */
  routes: Hono;
  /** Message types and topic guards this feature plugs into /ws. */
  ws?: WsFeature[];
  /** Opens what the feature listens on (e.g. the RTMP port); called once after the app is built. */
  start?(): Promise<void>;
  /** Releases timers, sockets and processes. */
  close(): Promise<void> | void;
}
