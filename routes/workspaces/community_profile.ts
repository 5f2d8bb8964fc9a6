// The profile over REST: display name, password (the current one required), an avatar kept in the
// blob store (size-limited while it streams, magic bytes checked, served with nosniff).
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import { readJsonObject } from "../../edge/body.ts";
import { createRateLimiter } from "../../edge/rate_limit.ts";
import { HttpError } from "../../errors.ts";
import type { Hub } from "../../realtime/hub.ts";
import type { Account, AccountsStore } from "../../storage/accounts_store.ts";
import { type BlobStore, TooLargeError } from "../../storage/blobs.ts";
import type { CommunityStore } from "../../storage/community_store.ts";
import { detectImageType } from "../../storage/image_types.ts";
import { passwordTooLong } from "../accounts/auth_actions.ts";
import type { SessionAuth } from "../accounts/session.ts";
import { serveBlob } from "../serve_file.ts";
import { WorkspaceError } from "./errors.ts";
import { idOf } from "./api.ts";
import { cleanName, topics } from "./service.ts";
import type { CommunityEvents, ProfileView } from "./community_wire.ts";

export interface ProfileDeps {
  auth: SessionAuth;
  sameOrigin: MiddlewareHandler;
  accounts: Pick<AccountsStore, "byId" | "verify" | "rename" | "setPassword">;
  community: Pick<CommunityStore, "setAvatar" | "avatarKey">;
  serverIdsOf(userId: number): Promise<number[]>;
  hub: Pick<Hub, "publish">;
  blobs: BlobStore;
  basePath: string;
  /** Largest avatar, in bytes (AVATAR_MAX_BYTES). */
  maxAvatarBytes: number;
}

/** The types an avatar may be: what every browser shows in an <img>. */
const AVATAR_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};
const AVATAR_KEY = /^avatars\/(\d+)-([0-9a-f]{16})\.(png|jpg|gif|webp)$/;
// Guessing a password through a stolen session: five tries, then one every two minutes.
const PASSWORD_TRIES = { capacity: 5, refillPerSecond: 1 / 120 };

/** Where an avatar is served; the key's random part in the query lets browsers cache it for good. */
export function avatarUrl(basePath: string, userId: number, key: string): string {
  return `${basePath}api/users/${userId}/avatar?v=${AVATAR_KEY.exec(key)?.[2] ?? "0"}`;
}

const randomHex = () =>
  [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0"))
    .join("");

/** Streams the request body into a new avatar blob; returns its key. */
async function storeAvatar(deps: ProfileDeps, userId: number, request: Request): Promise<string> {
  const max = deps.maxAvatarBytes;
  const tooLarge = () =>
    new HttpError(413, `Avatar must be at most ${max} bytes`, { code: "too_large" });
  const declared = Number(request.headers.get("content-length") ?? NaN);
  // Refused from the header alone: nothing of the body is read.
  if (declared > max) throw tooLarge();
  if (!request.body) throw new WorkspaceError("invalid", "Send the image as the request body");
  const staging = `avatars/${userId}-${randomHex()}`;
  let ext = "";
  try {
    await deps.blobs.put(staging, request.body, {
      maxBytes: max,
      peekBytes: 32,
      check(head) {
        const found = detectImageType(head)?.ext;
        if (!found || !AVATAR_TYPES[found]) {
          throw new WorkspaceError("invalid", "Avatar must be a PNG, JPEG, GIF or WebP image");
        }
        ext = found;
      },
    });
  } catch (error) {
    if (error instanceof TooLargeError) throw tooLarge();
    throw error;
  }
  const key = `${staging}.${ext}`;
  await deps.blobs.move(staging, key);
  return key;
}

export function createProfileRoutes(deps: ProfileDeps): ProfileApp {
  const { auth, accounts, community } = deps;
  const app: ProfileApp = new Hono();
  const guard: MiddlewareHandler = async (c, next) => {
    c.set("user", auth.requireUser(c));
    c.header("cache-control", "no-store");
    await next();
  };
  for (const path of ["/api/profile", "/api/profile/*", "/api/users/*"]) {
    app.use(path, deps.sameOrigin, guard);
  }
  const view = async (user: Account): Promise<ProfileView> => {
    const key = await community.avatarKey(user.id);
    const { id, email, displayName } = user;
    return { id, email, displayName, avatarUrl: key ? avatarUrl(deps.basePath, id, key) : null };
  };
  /** Tells every server the user is in (and their DMs) about their new name or picture. */
  const announce = async (c: Context) => {
    const user = (await accounts.byId(c.get("user").id))!;
    const profile = await view(user);
    for (const serverId of await deps.serverIdsOf(user.id)) {
      const data: CommunityEvents["member:profile"] = {
        serverId,
        userId: user.id,
        displayName: profile.displayName,
        avatarUrl: profile.avatarUrl,
      };
      deps.hub.publish(topics.workspace(serverId), "member:profile", data);
    }
    return profile;
  };

  app.get("/api/profile", async (c) => c.json(await view(c.get("user"))));
  accountRoutes(app, deps, announce);
  avatarRoutes(app, deps, announce);
  return app;
}

type ProfileApp = Hono<{ Variables: { user: Account } }>;
type Announce = (c: Context) => Promise<ProfileView>;

/** The display name and the password. */
function accountRoutes(app: ProfileApp, deps: ProfileDeps, announce: Announce): void {
  const { accounts } = deps;
  const tries = createRateLimiter(PASSWORD_TRIES);
  app.patch("/api/profile", async (c) => {
    const body = await readJsonObject(c.req.raw, { maxBytes: 4096 });
    await accounts.rename(c.get("user").id, cleanName(body.displayName, "Display name", 64));
    return c.json(await announce(c));
  });
  app.post("/api/profile/password", async (c) => {
    const user = c.get("user");
    const body = await readJsonObject(c.req.raw, { maxBytes: 4096 });
    const next = typeof body.newPassword === "string" ? body.newPassword : "";
    if (next.length < 8 || passwordTooLong(next)) {
      throw new WorkspaceError("invalid", "New password must be 8 to 72 bytes long");
    }
    const taken = tries.take(String(user.id));
    if (!taken.ok) {
      const s = taken.retryAfterSeconds;
      throw new WorkspaceError("rate_limited", `Too many attempts: try again in ${s} s`, s);
    }
    const current = typeof body.currentPassword === "string" ? body.currentPassword : "";
    if (!await accounts.verify(user.email, current)) {
      throw new WorkspaceError("forbidden", "Current password is incorrect");
    }
    tries.refund(String(user.id));
    await accounts.setPassword(user.id, next);
    return c.json({ ok: true });
  });
}

/** Uploading, removing and serving avatars. */
function avatarRoutes(app: ProfileApp, deps: ProfileDeps, announce: Announce): void {
  const { community } = deps;
  app.put("/api/profile/avatar", async (c) => {
    const user = c.get("user");
    const key = await storeAvatar(deps, user.id, c.req.raw);
    const old = await community.setAvatar(user.id, key);
    if (old) await deps.blobs.delete(old);
    return c.json(await announce(c));
  });
  app.delete("/api/profile/avatar", async (c) => {
    const old = await community.setAvatar(c.get("user").id, null);
    if (old) await deps.blobs.delete(old);
    return c.json(await announce(c));
  });
  app.get("/api/users/:id/avatar", async (c) => {
    const key = await community.avatarKey(idOf(c.req.param("id"), "user id"));
    const ext = key ? AVATAR_KEY.exec(key)?.[3] : undefined;
    if (!key || !ext) throw new WorkspaceError("not_found", "No avatar: use the generated one");
    return await serveBlob(c.req.raw, deps.blobs, key, {
      contentType: AVATAR_TYPES[ext],
      etag: `"${AVATAR_KEY.exec(key)![2]}"`,
      cacheControl: "private, max-age=31536000, immutable",
      headers: { "content-security-policy": "default-src 'none'; sandbox" },
      direct: true,
    });
  });
}
