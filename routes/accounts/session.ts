// Workspace sessions over HTTP: the `roomcast_session` cookie and who is signed in.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { parse as parseCookies } from "hono/utils/cookie";
import { HttpError } from "../../errors.ts";
import { clientIp, type ClientOptions, isTls } from "../../edge/client.ts";
import type { WsClient, WsTransport, WsUser } from "../../realtime/ws.ts";
import type { Account, AccountsStore } from "../../storage/accounts_store.ts";
import type { SessionsStore } from "../../storage/sessions_store.ts";
import type { SiteViewer } from "./wire.ts";

export const SESSION_COOKIE = "roomcast_session";
/** Close code for a socket whose session ended (logout, expiry, sign out everywhere): 4000 + 401. */
export const CLOSE_SIGNED_OUT = 4401;

/** The /ws sockets, so ending a session closes the sockets opened with it. */
export type SessionSockets = Pick<WsTransport, "closeWhere">;

export interface SessionAuthOptions {
  sessions: SessionsStore;
  accounts: Pick<AccountsStore, "byId">;
  basePath: string;
  /** How the request looked to the client: TLS (the cookie's Secure flag) and its address. */
  client: ClientOptions;
  sockets: SessionSockets;
  /** ADMIN_EMAILS (lowercased); when empty, the account marked the first admin is the admin. */
  adminEmails?: readonly string[];
}

export interface SessionAuth {
  /**
   * Looks the request's session up once (sliding it, and re-sending its cookie when due), before
   * any route: the database is async, and who is signed in is read synchronously everywhere.
   */
  middleware: MiddlewareHandler;
  /** The signed-in account, or null, as `middleware` found it (or a sign-in since). */
  user(c: Context): Account | null;
  /** The signed-in account, or a 401. */
  requireUser(c: Context): Account;
  /** Starts a session for `account` and sets its cookie. */
  signIn(c: Context, account: Account): Promise<void>;
  /** Ends the request's session server-side, closes its sockets and clears the cookie. */
  signOut(c: Context): Promise<void>;
  /** Ends every session of the signed-in user and closes all their sockets; a 401 when none. */
  signOutEverywhere(c: Context): Promise<number>;
  /** The client's address (what a trusted proxy saw, edge/client.ts). */
  clientIp(c: Context): string;
  /** Whether the request's session is an admin's: one sign-in for every admin page. */
  isAdmin(c: Context): boolean;
  /** Who is signed in, as the page header shows it (boot data), or null. */
  viewer(c: Context): SiteViewer | null;
}

/** Who is an admin: ADMIN_EMAILS when set, else the first account of a fresh install. */
export function accountIsAdmin(account: Account, adminEmails: readonly string[]): boolean {
  return adminEmails.length ? adminEmails.includes(account.email) : account.firstAdmin;
}

// Browsers cap cookie lifetimes at 400 days, and hono/cookie refuses longer ones.
const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 3600;

/** The `WsUser` behind a request's session cookie, for the /ws upgrade. */
export function createSessionAuthenticator(
  sessions: SessionsStore,
  accounts: Pick<AccountsStore, "byId">,
): (request: Request) => Promise<WsUser | null> {
  return async (request) => {
    const token = parseCookies(request.headers.get("cookie") ?? "", SESSION_COOKIE)[SESSION_COOKIE];
    const session = token ? await sessions.lookup(token) : null;
    const account = session ? await accounts.byId(session.userId) : null;
    return account && { ...account, sessionId: session!.id };
  };
}

/**
 * Closes the sockets whose session has ended without a logout (expired, or deleted elsewhere);
 * run on a timer. Each distinct session is looked up once. Returns how many sockets closed.
 */
export async function closeEndedSessions(
  sessions: Pick<SessionsStore, "live">,
  sockets: SessionSockets,
): Promise<number> {
  // closeWhere's test is synchronous and the lookup is not: a first pass only gathers the ids.
  const ids = new Set<string>();
  sockets.closeWhere(
    (client) => {
      if (client.user?.sessionId !== undefined) ids.add(client.user.sessionId);
      return false;
    },
    CLOSE_SIGNED_OUT,
    "Session expired",
  );
  if (ids.size === 0) return 0;
  const live = await sessions.live([...ids]);
  // A socket opened since the first pass has a session just looked up: it is left for the next.
  return sockets.closeWhere(
    (client) => {
      const id = client.user?.sessionId;
      return id !== undefined && ids.has(id) && !live.has(id);
    },
    CLOSE_SIGNED_OUT,
    "Session expired",
  );
}

/** Looks the request's session up before the routes; re-sends a slid session's cookie after. */
function sessionMiddleware(
  { sessions, accounts }: Pick<SessionAuthOptions, "sessions" | "accounts">,
  found: (request: Request, account: Account | null) => void,
  { refresh }: { refresh: (c: Context, token: string) => void },
): MiddlewareHandler {
  return async (c, next) => {
    const request = c.req.raw;
    // A /ws upgrade is authenticated by the socket transport, and its 101 must pass untouched.
    if (request.headers.get("upgrade")?.toLowerCase() === "websocket") return await next();
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? await sessions.lookup(token) : null;
    const account = session ? await accounts.byId(session.userId) : null;
    found(request, account);
    await next();
    // Set after the route, so it reaches a response the route built itself (files, streams).
    if (session?.refreshed && account) refresh(c, token!);
  };
}

export function createSessionAuth(options: SessionAuthOptions): SessionAuth {
  const { sessions, basePath, client } = options;
  // Per-request memo, so one request looks its session up once; it dies with the request.
  const seen = new WeakMap<Request, Account | null>();

  const cookie = (c: Context, value: string, maxAgeSeconds: number) => {
    setCookie(c, SESSION_COOKIE, value, {
      path: basePath,
      maxAge: maxAgeSeconds,
      httpOnly: true,
      sameSite: "Lax",
      secure: isTls(c.req.raw, client),
    });
  };
  const maxAge = () => Math.min(Math.floor(sessions.ttlMs / 1000), MAX_COOKIE_AGE_SECONDS);

  // Requests whose session cookie a handler set or cleared: the middleware's refresh stays off.
  const settled = new WeakSet<Request>();
  const middleware = sessionMiddleware(options, (request, account) => seen.set(request, account), {
    refresh: (c, token) => {
      if (!settled.has(c.req.raw)) cookie(c, token, maxAge());
    },
  });

  const user = (c: Context): Account | null => {
    const request = c.req.raw;
    if (!seen.has(request)) {
      throw new Error("Cannot tell who is signed in: the session middleware did not run");
    }
    return seen.get(request)!;
  };
  const settle = (c: Context, account: Account | null) => {
    seen.set(c.req.raw, account);
    settled.add(c.req.raw);
  };

  return {
    middleware,
    user,
    requireUser(c) {
      const account = user(c);
      if (!account) throw new HttpError(401, "Authentication required", { code: "unauthorized" });
      return account;
    },
    async signIn(c, account) {
      cookie(c, await sessions.create(account.id), maxAge());
      settle(c, account);
    },
    async signOut(c) {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) {
        const id = await sessions.delete(token);
        const mine = (client: WsClient) => client.user?.sessionId === id;
        options.sockets.closeWhere(mine, CLOSE_SIGNED_OUT, "Signed out");
      }
      cookie(c, "", 0);
      settle(c, null);
    },
    async signOutEverywhere(c) {
      const account = user(c);
      if (!account) throw new HttpError(401, "Authentication required", { code: "unauthorized" });
      const ended = await sessions.deleteAllOf(account.id);
      const theirs = (client: WsClient) => client.user?.id === account.id;
      options.sockets.closeWhere(theirs, CLOSE_SIGNED_OUT, "Signed out everywhere");
      cookie(c, "", 0);
      settle(c, null);
      return ended;
    },
    clientIp: (c) => clientIp(c, client),
    isAdmin(c) {
      const account = user(c);
      return account !== null && accountIsAdmin(account, options.adminEmails ?? []);
    },
    viewer(c) {
      const account = user(c);
      if (!account) return null;
      const admin = accountIsAdmin(account, options.adminEmails ?? []);
      return { email: account.email, displayName: account.displayName, admin };
    },
  };
}
