// The workspaces' pages: the /app shell (for signed-in users) and invite links that lead to it.
import { type Context, Hono } from "hono";
import { userView } from "../accounts/auth.ts";
import type { SessionAuth } from "../accounts/session.ts";
import type { PageRenderer } from "../pages.ts";
import type { WorkspacePageData } from "./wire.ts";

export interface AppPageDeps {
  auth: SessionAuth;
  page: PageRenderer;
  basePath: string;
}

/** The app's stylesheets, one a part of it, in the order they cascade. */
const STYLES = [
  "workspace.css",
  "workspace_voice.css",
  "workspace_nav.css",
  "workspace_msg.css",
  "workspace_community.css",
  "workspace_unread.css",
  "code_theme.css",
];

export function createAppPageRoutes({ auth, page, basePath }: AppPageDeps): Hono {
  const routes = new Hono();
  const appPage = (c: Context) => {
    const user = auth.user(c);
    if (!user) return c.redirect(`${basePath}login`, 303);
    return page(c, {
      title: "Workspaces · Roomcast",
      entry: "workspace",
      styles: STYLES,
      data: { user: userView(user) } satisfies WorkspacePageData,
    });
  };
  // /app/<server>/<channel> is the same page; it opens the channel the address names.
  routes.get("/app/:server{[0-9]{1,15}}/:channel{[0-9]{1,15}}?", (c) => appPage(c));
  routes.get("/app", (c) => appPage(c));

  // An invite link: sign in first if needed, then the app offers to join.
  routes.get("/invite/:code{[A-Za-z0-9]{1,32}}", (c) => {
    const target = `${basePath}app?invite=${c.req.param("code")}`;
    if (auth.user(c)) return c.redirect(target, 303);
    return c.redirect(`${basePath}login?next=${encodeURIComponent(target)}`, 303);
  });
  return routes;
}
