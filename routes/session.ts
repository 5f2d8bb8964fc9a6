// Workspace sessions over HTTP: the `roomcast_session` cookie, who is signed in, and CSRF checks.
import type { Context } from "hono";
import { getConnInfo } from "hono/deno";
import { HttpError } from "../errors.ts";
import { isAllowedOrigin } from "../realtime/origin.ts";
import type { WsClient, WsTransport, WsUser } from "../realtime/ws.ts";
import type { Account, AccountsStore } from "../storage/accounts_store.ts";
import type { SessionsStore } from "../storage/sessions_store.ts";

export const SESSION_COOKIE = "roomcast_session";
/** Close code for a socket whose session ended (logout, expiry, sign out everywhere): 4000 + 401. */
export const CLOSE_SIGNED_OUT = 4401;

/** The /ws sockets, so ending a session closes the sockets opened with it. */
export type SessionSockets = Pick<WsTransport, "closeWhere">;

export interface SessionAuthOptions {
  sessions: SessionsStore;
  accounts: Pick<AccountsStore, "byId">;
  basePath: string;
  trustProxy: boolean;
  allowedOrigins: string[];
  sockets: SessionSockets;
}

export interface SessionAuth {
  /** The signed-in account, or null; slides the session and re-sends its cookie when due. */
  user(c: Context): Account | null;
  /** The signed-in account, or a 401. */
  requireUser(c: Context): Account;
  /** Starts a session for `account` and sets its cookie. */
  signIn(c: Context, account: Account): void;
  /** Ends the request's session server-side, closes its sockets and clears the cookie. */
  signOut(c: Context): void;
  /** Ends every session of the signed-in user and closes all their sockets; a 401 when none. */
  signOutEverywhere(c: Context): number;
  /** Refuses (403) a state-changing request a browser sent from another site. */
  checkOrigin(c: Context): void;
  /** The client's address (X-Forwarded-For's first hop only behind a trusted proxy). */
  clientIp(c: Context): string;
}

/** The value of one cookie in a `Cookie` header. */
export function readCookie(header: string | null | undefined, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Whether the client reached us over TLS (X-Forwarded-Proto counts only behind a trusted proxy). */
export function isTls(request: Request, trustProxy: boolean): boolean {
  if (new URL(request.url).protocol === "https:") return true;
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0].trim().toLowerCase();
  return trustProxy && forwarded === "https";
}

/** The client's address, the key rate limits count under (X-Forwarded-For behind a trusted proxy). */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0].trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** The `WsUser` behind a request's session cookie, for the /ws upgrade. */
export function sessionAuthenticator(
  sessions: SessionsStore,
  accounts: Pick<AccountsStore, "byId">,
): (request: Request) => Promise<WsUser | null> {
  return (request) => {
    const token = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
    const session = token ? sessions.lookup(token) : null;
    const account = session ? accounts.byId(session.userId) : null;
    return Promise.resolve(account && { ...account, sessionId: session!.id });
  };
}

/**
 * Closes the sockets whose session has ended without a logout (expired, or deleted elsewhere);
 * run on a timer. Each distinct session is looked up once. Returns how many sockets closed.
 */
export function closeEndedSessions(
  sessions: Pick<SessionsStore, "isLive">,
  sockets: SessionSockets,
): number {
  const live = new Map<string, boolean>();
  return sockets.closeWhere(
    (client) => {
      const id = client.user?.sessionId;
      if (id === undefined) return false;
      if (!live.has(id)) live.set(id, sessions.isLive(id));
      return !live.get(id);
    },
    CLOSE_SIGNED_OUT,
    "Session expired",
  );
}

export function createSessionAuth(options: SessionAuthOptions): SessionAuth {
  const { sessions, accounts, basePath, trustProxy } = options;
  // Per-request memo, so one request looks its session up once; it dies with the request.
  const seen = new WeakMap<Request, Account | null>();

  const cookie = (c: Context, value: string, maxAgeSeconds: number) => {
    const secure = isTls(c.req.raw, trustProxy) ? "; Secure" : "";
    c.header(
      "set-cookie",
      `${SESSION_COOKIE}=${value}; Path=${basePath}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`,
      { append: true },
    );
  };
  const maxAge = () => Math.floor(sessions.ttlMs / 1000);

  const user = (c: Context): Account | null => {
    const request = c.req.raw;
    if (seen.has(request)) return seen.get(request)!;
    const token = readCookie(c.req.header("cookie"), SESSION_COOKIE);
    const session = token ? sessions.lookup(token) : null;
    const account = session ? accounts.byId(session.userId) : null;
    if (session?.refreshed && account) cookie(c, token!, maxAge());
    seen.set(request, account);
    return account;
  };

  return {
    user,
    requireUser(c) {
      const account = user(c);
      if (!account) throw new HttpError(401, "Authentication required", { code: "unauthorized" });
      return account;
    },
    signIn(c, account) {
      cookie(c, sessions.create(account.id), maxAge());
      seen.set(c.req.raw, account);
    },
    signOut(c) {
      const token = readCookie(c.req.header("cookie"), SESSION_COOKIE);
      if (token) {
        const id = sessions.delete(token);
        const mine = (client: WsClient) => client.user?.sessionId === id;
        options.sockets.closeWhere(mine, CLOSE_SIGNED_OUT, "Signed out");
      }
      cookie(c, "", 0);
      seen.set(c.req.raw, null);
    },
    signOutEverywhere(c) {
      const account = user(c);
      if (!account) throw new HttpError(401, "Authentication required", { code: "unauthorized" });
      const ended = sessions.deleteAllOf(account.id);
      const theirs = (client: WsClient) => client.user?.id === account.id;
      options.sockets.closeWhere(theirs, CLOSE_SIGNED_OUT, "Signed out everywhere");
      cookie(c, "", 0);
      seen.set(c.req.raw, null);
      return ended;
    },
    checkOrigin(c) {
      const request = c.req.raw;
      const fetchSite = request.headers.get("sec-fetch-site");
      // Browsers send Origin on every POST; a request without one is a script (curl) unless the
      // browser itself says it came from another site.
      const crossSiteWithoutOrigin = request.headers.get("origin") === null &&
        (fetchSite === "cross-site" || fetchSite === "same-site");
      if (
        crossSiteWithoutOrigin ||
        !isAllowedOrigin(request, options.allowedOrigins, trustProxy)
      ) {
        throw new HttpError(403, "Origin not allowed", { code: "forbidden_origin" });
      }
    },
    clientIp: (c) => clientIp(c, trustProxy),
  };
}
