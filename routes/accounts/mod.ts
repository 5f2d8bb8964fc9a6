// Accounts (EchoSphere's sign-up, login and sessions) as a Feature: the forms and /api/auth/*,
// the `roomcast_session` cookie, and who a request or a /ws upgrade belongs to.
import type { MiddlewareHandler } from "hono";
import type { Config } from "../../config.ts";
import type { ClientOptions } from "../../edge/client.ts";
import type { Logger } from "../../log.ts";
import type { WsUser } from "../../realtime/ws.ts";
import { type AccountsStore, createAccountsStore } from "../../storage/accounts_store.ts";
import type { PasswordPool } from "../../storage/password_pool.ts";
import type { Sql } from "../../storage/sql.ts";
import { createSessionsStore } from "../../storage/sessions_store.ts";
import type { Feature } from "../feature.ts";
import { createAuthActions, type SignupWorkspaces } from "./auth_actions.ts";
import { createAuthRoutes } from "./auth.ts";
import {
  closeEndedSessions,
  createSessionAuth,
  createSessionAuthenticator,
  type SessionAuth,
  type SessionSockets,
} from "./session.ts";

export interface AccountsFeatureDeps {
  sql: Sql;
  config: Pick<Config, "basePath" | "sessionTtlDays" | "signup" | "adminEmails">;
  log: Logger;
  client: ClientOptions;
  /** The Origin rule for cookie-authenticated writes (edge/origin.ts). */
  sameOrigin: MiddlewareHandler;
  /** Where account passwords are hashed and compared. */
  passwords: Pick<PasswordPool, "hash" | "compare">;
  /** The /ws sockets, so a session that ends closes its sockets. */
  sockets: SessionSockets;
  /** What sign-up does in the workspaces (an invite, the shared Lobby); called at sign-up only. */
  workspaces: SignupWorkspaces;
}

export interface AccountsFeature extends Feature {
  /** Who is signed in, for every route behind the session cookie. */
  auth: SessionAuth;
  /** Who a /ws upgrade's session cookie belongs to. */
  authenticate(request: Request): Promise<WsUser | null>;
}

const PURGE_EVERY_MS = 60 * 60 * 1000;
// How late at most a socket notices that its session expired (one indexed lookup per session).
const SOCKET_SWEEP_MS = 10_000;

/** Says at start who the admins are, so an operator sees which rule applies. */
async function logAdmins(
  log: Logger,
  adminEmails: readonly string[],
  accounts: AccountsStore,
): Promise<void> {
  if (adminEmails.length) {
    log.info("Admins are the accounts in ADMIN_EMAILS", { emails: adminEmails });
    return;
  }
  const first = await accounts.firstAdmin();
  if (first) log.info("The admin is the install's first account", { email: first.email });
  else if (await accounts.count() === 0) log.info("The first account to sign up will be the admin");
  else log.warn("No account is an admin: set ADMIN_EMAILS to name them");
}

export function createAccountsFeature(deps: AccountsFeatureDeps): AccountsFeature {
  const { sql, config, log } = deps;
  const accounts = createAccountsStore(sql, { passwords: deps.passwords });
  const sessions = createSessionsStore(sql, { ttlDays: config.sessionTtlDays });
  const auth = createSessionAuth({
    sessions,
    accounts,
    basePath: config.basePath,
    client: deps.client,
    sockets: deps.sockets,
    adminEmails: config.adminEmails,
  });
  const actions = createAuthActions({
    accounts,
    signupMode: config.signup,
    workspaces: deps.workspaces,
    adminEmails: config.adminEmails,
    onFirstAdmin: (account) =>
      log.info("The first account is the admin (ADMIN_EMAILS is not set)", {
        email: account.email,
      }),
  });
  // Timed upkeep runs one at a time, logs its failure (a database away) and is awaited at close.
  let upkeep: Promise<void> = Promise.resolve();
  const later = (what: string, work: () => Promise<void>) => {
    upkeep = upkeep.then(work).catch((error) => log.error(what, { error: String(error) }));
  };
  const purgeExpired = async () => {
    const removed = await sessions.purgeExpired();
    if (removed) log.debug("Purged expired sessions", { removed });
  };
  later("Cannot tell who the admins are", () => logAdmins(log, config.adminEmails, accounts));
  later("Cannot purge expired sessions", purgeExpired);
  const purge = setInterval(
    () => later("Cannot purge expired sessions", purgeExpired),
    PURGE_EVERY_MS,
  );
  const sweep = setInterval(() =>
    later("Cannot close sockets of ended sessions", async () => {
      const closed = await closeEndedSessions(sessions, deps.sockets);
      if (closed) log.debug("Closed sockets of ended sessions", { closed });
    }), SOCKET_SWEEP_MS);

  return {
    routes: createAuthRoutes({
      actions,
      auth,
      basePath: config.basePath,
      sameOrigin: deps.sameOrigin,
    }),
    auth,
    authenticate: createSessionAuthenticator(sessions, accounts),
    async close() {
      clearInterval(purge);
      clearInterval(sweep);
      actions.close();
      await upkeep;
    },
  };
}
