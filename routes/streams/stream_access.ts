// Who may do what in stream rooms: the admin (header, dashboard cookie or an admin account's
// session), private room passes, the watch page's socket pass, and the viewer cookie bans follow.
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { createHmac } from "node:crypto";
import { HttpError } from "../../errors.ts";
import { clientIp, type ClientOptions, isTls } from "../../edge/client.ts";
import { isAllowedOrigin } from "../../edge/origin.ts";
import type { SiteViewer } from "../accounts/wire.ts";
import type { StreamAccessStore } from "../../storage/stream_access_store.ts";
import type { StreamRoom } from "../../storage/streams_store.ts";
import { randomToken, secretsEqual } from "../../tokens.ts";
import { requireAdmin } from "./stream_views.ts";

export const ADMIN_COOKIE = "roomcast_studio";
export const VIEWER_COOKIE = "roomcast_viewer";
/** One cookie per private room, so a pass for one room says nothing about another. */
export const roomCookie = (room: StreamRoom): string => `roomcast_room_${room.id}`;

/** Dashboard sessions last a week; the admin signs in again after that. */
export const ADMIN_SESSION_MS = 7 * 24 * 3600_000;
/** A socket pass is good for half a day: a watch page open longer reloads to get a new one. */
const SOCKET_PASS_MS = 12 * 3600_000;

export interface StreamAccessOptions {
  store: StreamAccessStore;
  adminToken?: string;
  /** How requests looked to the client: BASE_PATH (cookie path), TLS, address, own origin. */
  client: ClientOptions;
  allowedOrigins: string[];
  /** Who the Roomcast session belongs to (routes/accounts), so an admin account needs no token. */
  viewer?: (c: Context) => SiteViewer | null | Promise<SiteViewer | null>;
}

export interface StreamAccess {
  /** True for a valid x-admin-token header or dashboard session cookie. */
  isAdmin(c: Context): Promise<boolean>;
  /** A Roomcast account is signed in, and it is not an admin's. */
  signedInNotAdmin(c: Context): Promise<boolean>;
  /** The admin check for admin routes: 401/403/503 JSON otherwise. */
  requireAdmin(c: Context): Promise<void>;
  /** Whether this request may see the room (public, admin, or a valid pass for it). */
  canView(c: Context, room: StreamRoom): Promise<boolean>;
  /** 403 unless the request may see the room. */
  requireView(c: Context, room: StreamRoom): Promise<void>;
  /** Sets a cookie under BASE_PATH (HttpOnly, SameSite=Lax, Secure behind TLS). */
  setCookie(c: Context, name: string, value: string, maxAgeSeconds: number): void;
  /** The browser's viewer id, made and set as a cookie when it has none. */
  viewerId(c: Context): { id: string; isNew: boolean };
  clientIp(c: Context): string;
  /** A pass the watch page hands to `/ws` to follow the room (sockets carry no room cookie). */
  socketPass(slug: string): string;
  socketPassAllows(slug: string, pass: unknown): boolean;
}

const PRIVATE_MESSAGE = "This room is private: open it with an invite link";
export const NOT_ADMIN = "This account is not an admin";

/** Reads and writes from our own pages; a cookie rides along on cross-site requests too. */
function ownSiteOrSafe(c: Context, options: StreamAccessOptions): boolean {
  const safe = c.req.method === "GET" || c.req.method === "HEAD";
  return safe || isAllowedOrigin(c.req.raw, options.allowedOrigins, options.client);
}

/** The admin by token header, dashboard cookie or admin account, and the 401/403/503 for others. */
function createAdminCheck(
  options: StreamAccessOptions,
): Pick<StreamAccess, "isAdmin" | "signedInNotAdmin" | "requireAdmin"> {
  const { store } = options;
  /** "none": no live dashboard session; "foreign": one, but sent by another site's page. */
  const cookieSession = async (c: Context): Promise<"none" | "ok" | "foreign"> => {
    const session = getCookie(c, ADMIN_COOKIE);
    if (!options.adminToken || !session || !await store.adminSession(session)) return "none";
    return ownSiteOrSafe(c, options) ? "ok" : "foreign";
  };
  /** An admin account's session: "none" for no session, "user" for a signed-in non-admin. */
  const accountSession = async (c: Context): Promise<"none" | "user" | "ok" | "foreign"> => {
    const viewer = await options.viewer?.(c);
    if (!viewer) return "none";
    if (!viewer.admin) return "user";
    // The same rule as the dashboard cookie: writes come from our own pages only.
    return ownSiteOrSafe(c, options) ? "ok" : "foreign";
  };
  const fromCookie = async (c: Context) =>
    await cookieSession(c) === "ok" || await accountSession(c) === "ok";

  return {
    isAdmin(c) {
      const header = c.req.header("x-admin-token");
      if (header !== undefined && options.adminToken) {
        try {
          requireAdmin(options.adminToken, header);
          return Promise.resolve(true);
        } catch {
          return Promise.resolve(false);
        }
      }
      return fromCookie(c);
    },
    signedInNotAdmin: async (c) => await accountSession(c) === "user",
    async requireAdmin(c) {
      if (c.req.header("x-admin-token") === undefined) {
        const session = await cookieSession(c);
        const account = await accountSession(c);
        if (session === "ok" || account === "ok") return;
        if (session === "foreign" || account === "foreign") {
          throw new HttpError(403, "Origin not allowed", { code: "forbidden_origin" });
        }
        if (account === "user") throw new HttpError(403, NOT_ADMIN, { code: "not_admin" });
      }
      requireAdmin(options.adminToken, c.req.header("x-admin-token"));
    },
  };
}

/** Socket passes, signed with a key of this process: a restart ends them, pages reload. */
function createSocketPasses(): Pick<StreamAccess, "socketPass" | "socketPassAllows"> {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const sign = (text: string) => createHmac("sha256", secret).update(text).digest("hex");
  return {
    socketPass(slug) {
      const expires = Date.now() + SOCKET_PASS_MS;
      return `${expires}.${sign(`${slug}.${expires}`)}`;
    },
    socketPassAllows(slug, pass) {
      if (typeof pass !== "string" || pass.length > 100) return false;
      const [expires, mac] = pass.split(".");
      if (!/^\d{13}$/.test(expires) || Number(expires) < Date.now()) return false;
      return secretsEqual(mac ?? "", sign(`${slug}.${expires}`));
    },
  };
}

export function createStreamAccess(options: StreamAccessOptions): StreamAccess {
  const { store, client } = options;
  const admin = createAdminCheck(options);
  const canView = async (c: Context, room: StreamRoom) => {
    if (!room.private || await admin.isAdmin(c)) return true;
    const pass = getCookie(c, roomCookie(room));
    return pass !== undefined && await store.passAllows(room.id, pass);
  };

  return {
    ...admin,
    ...createSocketPasses(),
    canView,
    async requireView(c, room) {
      if (!await canView(c, room)) throw new HttpError(403, PRIVATE_MESSAGE);
    },
    setCookie(c, name, value, maxAgeSeconds) {
      setCookie(c, name, value, {
        path: client.basePath,
        maxAge: maxAgeSeconds,
        httpOnly: true,
        sameSite: "Lax",
        secure: isTls(c.req.raw, client),
      });
    },
    viewerId(c) {
      const known = getCookie(c, VIEWER_COOKIE);
      if (known && /^[A-Za-z0-9_-]{22}$/.test(known)) return { id: known, isNew: false };
      const id = randomToken(16);
      this.setCookie(c, VIEWER_COOKIE, id, 400 * 24 * 3600);
      return { id, isNew: true };
    },
    clientIp: (c) => clientIp(c, client),
  };
}

export { PRIVATE_MESSAGE };
