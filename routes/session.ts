// Workspace sessions over HTTP: the `roomcast_session` cookie and who is signed in.
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { parse as parseCookies } from "hono/utils/cookie";
import { HttpError } from "../errors.ts";
import { clientIp, type ClientOptions, isTls } from "../edge/client.ts";
import type { WsUser } from "../realtime/ws.ts";
import type { Account, AccountsStore } from "../storage/accounts_store.ts";
import type { SessionsStore } from "../storage/sessions_store.ts";

export const SESSION_COOKIE = "roomcast_session";

export interface SessionAuthOptions {
  sessions: SessionsStore;
  accounts: Pick<AccountsStore, "byId">;
  basePath: string;
  /** How the request looked to the client: TLS (the cookie's Secure flag) and its address. */
  client: ClientOptions;
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
  /** The client's address (what a trusted proxy saw, edge/client.ts). */
  clientIp(c: Context): string;
}

// Browsers cap cookie lifetimes at 400 days, and hono/cookie refuses longer ones.
const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 3600;

/** The `WsUser` behind a request's session cookie, for the /ws upgrade. */
export function sessionAuthenticator(
  sessions: SessionsStore,
  accounts: Pick<AccountsStore, "byId">,
): (request: Request) => Promise<WsUser | null> {
  return (request) => {
    const token = parseCookies(request.headers.get("cookie") ?? "", SESSION_COOKIE)[SESSION_COOKIE];
    const session = token ? sessions.lookup(token) : null;
    const account = session ? accounts.byId(session.userId) : null;
    return Promise.resolve(account);
  };
}

export function createSessionAuth(options: SessionAuthOptions): SessionAuth {
  const { sessions, accounts, basePath, client } = options;
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

  const user = (c: Context): Account | null => {
    const request = c.req.raw;
    if (seen.has(request)) return seen.get(request)!;
    const token = getCookie(c, SESSION_COOKIE);
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
      const token = getCookie(c, SESSION_COOKIE);
      if (token) sessions.delete(token);
      cookie(c, "", 0);
      seen.set(c.req.raw, null);
    },
    clientIp: (c) => clientIp(c, client),
  };
}
