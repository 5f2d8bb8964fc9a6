// Invite links for private rooms (create, list, revoke, redeem) and the dashboard's sign-in.
import { Hono } from "hono";
import type { Context } from "hono";
import { HttpError } from "../../errors.ts";
import { getCookie } from "hono/cookie";
import { isAllowedOrigin } from "../../edge/origin.ts";
import { publicBase } from "../../edge/client.ts";
import { readForm, readJsonObject } from "../../edge/body.ts";
import { optionalString } from "../../edge/fields.ts";
import type { RedeemResult, StreamInvite } from "../../storage/stream_access_store.ts";
import type { StreamRoom } from "../../storage/streams_store.ts";
import { createRateLimiter } from "../../edge/rate_limit.ts";
import { ADMIN_COOKIE, ADMIN_SESSION_MS, roomCookie } from "./stream_access.ts";
import { requireAdmin } from "./stream_views.ts";
import { roomOf, type StreamsContext } from "./context.ts";
import type { CreatedInvite, InviteState, InviteView } from "./wire.ts";

/** A pass from an invite without an expiry lasts a month; the browser redeems again after that. */
const PASS_TTL_MS = 30 * 24 * 3600_000;
const MAX_EXPIRY_MINUTES = 365 * 24 * 60;
const MAX_USES = 100_000;

const REFUSALS: Record<Exclude<RedeemResult, { ok: true }>["reason"], [403 | 410, string]> = {
  unknown: [403, "This invite link is not valid"],
  other_room: [403, "This invite link is for another room"],
  revoked: [410, "This invite link was revoked"],
  expired: [410, "This invite link has expired"],
  used_up: [410, "This invite link has been used as many times as it allows"],
};

function optionalInt(body: Record<string, unknown>, field: string, max: number): number | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max) {
    throw new HttpError(400, `"${field}" must be an integer from 1 to ${max}`);
  }
  return value as number;
}

/** `expiresInMinutes`, or an ISO `expiresAt` in the next year; null when neither is given. */
function expiryOf(body: Record<string, unknown>): number | null {
  const minutes = optionalInt(body, "expiresInMinutes", MAX_EXPIRY_MINUTES);
  if (body.expiresAt === undefined || body.expiresAt === null) {
    return minutes === null ? null : Date.now() + minutes * 60_000;
  }
  if (minutes !== null) {
    throw new HttpError(400, 'Give "expiresAt" or "expiresInMinutes", not both');
  }
  const at = typeof body.expiresAt === "string" ? Date.parse(body.expiresAt) : NaN;
  const now = Date.now();
  if (!(at > now && at <= now + MAX_EXPIRY_MINUTES * 60_000)) {
    throw new HttpError(400, '"expiresAt" must be a date and time within the next year');
  }
  return at;
}

export function inviteView(room: StreamRoom, i: StreamInvite): InviteView {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const now = Date.now();
  const state: InviteState = i.revokedAt !== null
    ? "revoked"
    : i.expiresAt !== null && i.expiresAt <= now
    ? "expired"
    : i.maxUses !== null && i.uses >= i.maxUses
    ? "used up"
    : "active";
  return {
    id: i.id,
    room: room.slug,
    label: i.label,
    createdAt: iso(i.createdAt),
    expiresAt: iso(i.expiresAt),
    maxUses: i.maxUses,
    uses: i.uses,
    revokedAt: iso(i.revokedAt),
    state,
  };
}

/** Redeems an invite for this browser: sets the room cookie, or throws the reason as a 4xx. */
export async function redeemInvite(
  ctx: StreamsContext,
  c: Context,
  room: StreamRoom,
  token: unknown,
): Promise<string> {
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(token)) {
    throw new HttpError(400, '"invite" must be an invite token', { code: "invalid_invite" });
  }
  const result = await ctx.accessStore.redeem(room.id, token, PASS_TTL_MS);
  if (!result.ok) {
    const [status, message] = REFUSALS[result.reason];
    throw new HttpError(status, message, { code: result.reason });
  }
  const seconds = Math.max(1, Math.floor((result.expiresAt - Date.now()) / 1000));
  ctx.access.setCookie(c, roomCookie(room), result.pass, seconds);
  return new Date(result.expiresAt).toISOString();
}

export function streamAccessRoutes(ctx: StreamsContext, adminToken?: string): Hono {
  const { access, accessStore } = ctx;
  const app = new Hono();
  const logins = createRateLimiter({ capacity: 10, refillPerSecond: 0.1 });

  app.post("/api/rooms/:slug/invites", async (c) => {
    await access.requireAdmin(c);
    const room = await roomOf(ctx, c);
    const body = await readJsonObject(c.req.raw);
    const label = optionalString(body, "label", 100) ?? "";
    const maxUses = optionalInt(body, "maxUses", MAX_USES);
    const { invite, token } = await accessStore.createInvite(room.id, {
      label,
      expiresAt: expiryOf(body),
      maxUses,
    });
    const url = `${publicBase(c.req.raw, ctx.links)}watch/${room.slug}?invite=${token}`;
    ctx.log.info("Stream invite created", { slug: room.slug, id: invite.id });
    const created: CreatedInvite = { ...inviteView(room, invite), token, url };
    return c.json(created, 201);
  });

  app.get("/api/rooms/:slug/invites", async (c) => {
    await access.requireAdmin(c);
    const room = await roomOf(ctx, c);
    return c.json((await accessStore.invites(room.id)).map((i) => inviteView(room, i)));
  });

  app.delete("/api/rooms/:slug/invites/:id", async (c) => {
    await access.requireAdmin(c);
    const room = await roomOf(ctx, c);
    const id = Number(c.req.param("id"));
    if (!Number.isSafeInteger(id) || !await accessStore.revokeInvite(room.id, id)) {
      throw new HttpError(404, "Invite not found or already revoked");
    }
    return c.json({ revoked: id });
  });

  // For scripts and the watch page alike: an invite token in, a room cookie out.
  app.post("/api/rooms/:slug/access", async (c) => {
    const room = await roomOf(ctx, c);
    const body = await readJsonObject(c.req.raw);
    const expiresAt = await redeemInvite(ctx, c, room, body.invite);
    return c.json({ room: room.slug, expiresAt });
  });

  app.post("/studio/login", async (c) => {
    if (!isAllowedOrigin(c.req.raw, ctx.allowedOrigins, ctx.links)) {
      throw new HttpError(403, "Origin not allowed", { code: "forbidden_origin" });
    }
    const taken = logins.take(access.clientIp(c));
    if (!taken.ok) {
      throw new HttpError(429, "Too many sign-in attempts: wait", {
        headers: { "retry-after": String(taken.retryAfterSeconds) },
      });
    }
    const form = await readForm(c.req.raw);
    try {
      requireAdmin(adminToken, form.get("token") ?? "");
    } catch (error) {
      if (!(error instanceof HttpError) || error.status === 503) throw error;
      return c.redirect(`${ctx.links.basePath}studio?error=token`, 303);
    }
    const session = await accessStore.createAdminSession(ADMIN_SESSION_MS);
    access.setCookie(c, ADMIN_COOKIE, session, ADMIN_SESSION_MS / 1000);
    return c.redirect(`${ctx.links.basePath}studio`, 303);
  });

  app.post("/studio/logout", async (c) => {
    if (!isAllowedOrigin(c.req.raw, ctx.allowedOrigins, ctx.links)) {
      throw new HttpError(403, "Origin not allowed", { code: "forbidden_origin" });
    }
    const session = getCookie(c, ADMIN_COOKIE);
    if (session) await accessStore.endAdminSession(session);
    access.setCookie(c, ADMIN_COOKIE, "", 0);
    return c.redirect(`${ctx.links.basePath}studio`, 303);
  });

  return app;
}
