// Voice over HTTP: the ICE servers a signed-in browser uses (with short-lived coturn credentials)
// and who is in each voice channel of a server.
import { Hono } from "hono";
import type { Config, IceServer } from "../../config.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { Account } from "../../storage/accounts_store.ts";
import type { SessionAuth } from "../accounts/session.ts";
import { idOf } from "./api.ts";
import { topics, type WorkspaceService } from "./service.ts";
import type { VoiceWs } from "./voice_ws.ts";
import type { IceConfig, VoiceRosters } from "./wire.ts";

export interface VoiceApiDeps {
  auth: SessionAuth;
  service: Pick<WorkspaceService, "server">;
  voice: Pick<VoiceWs, "rosters">;
  hub: Pick<Hub, "lastId">;
  config: Pick<Config, "iceServers" | "turnUrls" | "turnSecret">;
  /** @default Date.now */
  now?: () => number;
}

/** How long TURN credentials stay valid: a long call refreshes its allocation with them. */
export const TURN_TTL_SECONDS = 12 * 3600;

/**
 * coturn's `use-auth-secret` (TURN REST API) credentials: the username is
 * `<expiry unix time>:<user id>`, the password base64(HMAC-SHA1(secret, username)).
 */
export async function turnCredentials(
  secret: string,
  userId: number,
  nowMs: number,
  ttlSeconds = TURN_TTL_SECONDS,
): Promise<{ username: string; credential: string }> {
  const username = `${Math.floor(nowMs / 1000) + ttlSeconds}:${userId}`;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-1" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(username));
  return { username, credential: btoa(String.fromCharCode(...new Uint8Array(mac))) };
}

export function createVoiceApiRoutes(deps: VoiceApiDeps): Hono<{ Variables: { user: Account } }> {
  const { auth, config } = deps;
  const now = deps.now ?? Date.now;
  const app = new Hono<{ Variables: { user: Account } }>();
  app.use("/api/voice/*", async (c, next) => {
    c.set("user", auth.requireUser(c));
    c.header("cache-control", "no-store");
    await next();
  });

  app.get("/api/voice/ice", async (c) => {
    const iceServers: IceServer[] = [...config.iceServers];
    if (config.turnSecret && config.turnUrls.length > 0) {
      const credentials = await turnCredentials(config.turnSecret, c.get("user").id, now());
      iceServers.push({ urls: config.turnUrls, ...credentials });
    }
    return c.json({ iceServers, ttlSeconds: TURN_TTL_SECONDS } satisfies IceConfig);
  });

  app.get("/api/servers/:id/voice", async (c) => {
    const user = auth.requireUser(c);
    const serverId = idOf(c.req.param("id"), "server id");
    await deps.service.server(user, serverId);
    c.header("cache-control", "no-store");
    // Read before the rosters: roster events up to it are already in this answer (a later one
    // may be too; rosters are whole, so applying it again changes nothing).
    const eventId = await deps.hub.lastId(topics.workspace(serverId));
    const voice = await deps.voice.rosters(serverId);
    return c.json({ voice, eventId } satisfies VoiceRosters);
  });
  return app;
}
