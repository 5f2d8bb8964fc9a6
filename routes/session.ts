// Workspace sessions over HTTP: the `roomcast_session` cookie, who is signed in, and CSRF checks.
import type { Context } from "hono";
import { getConnInfo } from "hono/deno";
import { HttpError } from "../errors.ts";
import { isAllowedOrigin } from "../realtime/origin.ts";
import type { WsUser } from "../realtime/ws.ts";
import type { Account, AccountsStore } from "../storage/accounts_store.ts";
import type { SessionsStore } from "../storage/sessions_store.ts";

export const SESSION_COOKIE = "roomcast_session";

export interface SessionAuthOptions {
  sessions: SessionsStore;
  accounts: Pick<AccountsStore, "byId">;
  basePath: string;
  trustProxy: boolean;
  allowedOrigins: string[];
}

export interface SessionAuth {
  /** The signed-in account, or null; slides the session and re-sends its cookie when due. */
  user(c: Context): Account | null;
  /** The signed-in account, or a 401. */
  requireUser(c: Context): Account;
  /** Starts a session for `account` and sets its cookie. */
  signIn(c: Context, account: Account): void;
  /** Ends the request's session server-side and clears the cookie. */
  signOut(c: Context): void;
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

/** The `WsUser` behind a request's session cookie, for the /ws upgrade. */
export function sessionAuthenticator(
  sessions: SessionsStore,
  accounts: Pick<AccountsStore, "byId">,
): (request: Request) => Promise<WsUser | null> {
  return (request) => {
    const token = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
    const session = token ? sessions.lookup(token) : null;
    const account = session ? accounts.byId(session.userId) : null;
    return Promise.resolve(account);
  };
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
      if (token) sessions.delete(token);
      cookie(c, "", 0);
      seen.set(c.req.raw, null);
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

/** The client's address (X-Forwarded-For's first hop only behind a trusted proxy). */
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
