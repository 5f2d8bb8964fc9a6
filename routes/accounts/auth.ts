// Accounts over HTTP: EchoSphere's /signup, /login, /logout forms and the JSON /api/auth/* API.
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { HttpError } from "../../errors.ts";
import { readFormFields, readJsonObject } from "../../edge/body.ts";
import type { Account } from "../../storage/accounts_store.ts";
import type { AuthActions } from "./auth_actions.ts";
import { authFormHtml } from "./auth_pages.ts";
import type { SessionAuth } from "./session.ts";

export interface AuthDeps {
  actions: AuthActions;
  auth: SessionAuth;
  basePath: string;
  /** The Origin rule (edge/origin.ts), applied to every form and API write here. */
  sameOrigin: MiddlewareHandler;
}

export const userView = (a: Account) => ({ id: a.id, email: a.email, displayName: a.displayName });

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The invite code in an after-login path like `/app?invite=CODE`, so sign-up can use it. */
export function inviteIn(next: unknown): string | undefined {
  const path = text(next);
  const query = path.indexOf("?");
  if (query < 0) return undefined;
  return new URLSearchParams(path.slice(query + 1)).get("invite") ?? undefined;
}

/** A same-site path to go to after login; anything else falls back to the app. */
export function safeNext(basePath: string, next: unknown): string {
  const path = text(next);
  const ok = path.startsWith(basePath) && !path.startsWith("//") && !/[\\\s]/.test(path);
  return ok ? path : `${basePath}app`;
}

/** The forms and the JSON API, on one router. */
export function createAuthRoutes(deps: AuthDeps): Hono {
  const app = new Hono();
  for (const path of ["/signup", "/login", "/logout", "/api/auth/*"]) {
    app.use(path, deps.sameOrigin);
  }
  app.route("/", createAuthFormRoutes(deps));
  app.route("/", createAuthApiRoutes(deps));
  return app;
}

/** EchoSphere's server-rendered `/signup`, `/login` and `/logout`. */
function createAuthFormRoutes(deps: AuthDeps): Hono {
  const { actions, auth, basePath } = deps;
  const app = new Hono();

  const form = (c: Context, mode: "login" | "signup", status: ContentfulStatusCode, extra = {}) => {
    c.header("cache-control", "no-store");
    c.header("x-frame-options", "DENY");
    const signupMode = actions.signupMode;
    return c.html(authFormHtml({ mode, basePath, signupMode, ...extra }), status);
  };
  const formFailure = (c: Context, mode: "login" | "signup", error: unknown, fields: object) => {
    if (!(error instanceof HttpError)) throw error;
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return form(c, mode, error.status, { ...fields, error: error.message });
  };

  for (const mode of ["login", "signup"] as const) {
    app.get(`/${mode}`, (c) => {
      const next = c.req.query("next");
      if (auth.user(c)) return c.redirect(safeNext(basePath, next), 303);
      const invite = c.req.query("invite") ?? inviteIn(next);
      return form(c, mode, 200, { next, invite });
    });
  }

  app.post("/signup", async (c) => {
    const body = await readFormFields(c.req.raw);
    const fields = {
      email: text(body.email).trim(),
      displayName: text(body.display_name),
      next: text(body.next) || undefined,
      invite: text(body.invite) || undefined,
    };
    try {
      const account = await actions.signup({
        email: fields.email,
        displayName: fields.displayName,
        password: text(body.password),
        confirmPassword: text(body.confirm_password),
        invite: fields.invite,
      }, auth.clientIp(c));
      await auth.signIn(c, account);
      return c.redirect(safeNext(basePath, fields.next), 303);
    } catch (error) {
      return formFailure(c, "signup", error, fields);
    }
  });

  app.post("/login", async (c) => {
    const body = await readFormFields(c.req.raw);
    const fields = { email: text(body.email).trim(), next: text(body.next) || undefined };
    try {
      const account = await actions.login(fields.email, text(body.password), auth.clientIp(c));
      await auth.signIn(c, account);
      return c.redirect(safeNext(basePath, fields.next), 303);
    } catch (error) {
      return formFailure(c, "login", error, fields);
    }
  });

  app.post("/logout", async (c) => {
    await auth.signOut(c);
    return c.redirect(`${basePath}login`, 303);
  });
  return app;
}

/** The JSON twins under `/api/auth/`, plus `logout-all`. */
function createAuthApiRoutes(deps: AuthDeps): Hono {
  const { actions, auth } = deps;
  const app = new Hono();

  app.post("/api/auth/signup", async (c) => {
    const body = await readJsonObject(c.req.raw);
    const account = await actions.signup({
      email: text(body.email),
      displayName: text(body.display_name ?? body.displayName),
      password: text(body.password),
      confirmPassword: body.confirm_password === undefined && body.confirmPassword === undefined
        ? undefined
        : text(body.confirm_password ?? body.confirmPassword),
      invite: text(body.invite) || undefined,
    }, auth.clientIp(c));
    await auth.signIn(c, account);
    return c.json({ user: userView(account) }, 201);
  });

  app.post("/api/auth/login", async (c) => {
    const body = await readJsonObject(c.req.raw);
    const account = await actions.login(text(body.email), text(body.password), auth.clientIp(c));
    await auth.signIn(c, account);
    return c.json({ user: userView(account) });
  });

  app.post("/api/auth/logout", async (c) => {
    await auth.signOut(c);
    return c.json({ ok: true });
  });

  // Sign out everywhere: every session of this account ends and its sockets close.
  app.post("/api/auth/logout-all", async (c) => {
    return c.json({ ok: true, sessionsEnded: await auth.signOutEverywhere(c) });
  });

  app.get("/api/auth/me", (c) => c.json({ user: userView(auth.requireUser(c)) }));

  return app;
}
