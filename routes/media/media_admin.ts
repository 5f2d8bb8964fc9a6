// The media page for admins (an admin account's session, or Basic Auth against
// `<dataDir>/.htpasswd`) and its token minting.
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "../../log.ts";
import { parseHtpasswd } from "../../storage/htpasswd.ts";
import { signMediaToken } from "../../storage/media_tokens.ts";
import { type BasicAuthGuard, parseBasicAuth } from "../../edge/basic_auth.ts";
import { ALLOWED_EXTENSIONS, mediaError, MESSAGES } from "./media_http.ts";
import type { SiteViewer } from "../accounts/wire.ts";
import type { PageRenderer } from "../pages.ts";
import type { MediaPageData, MediaToken } from "./wire.ts";

export interface MediaAdminDeps {
  /** `<dataDir>/.htpasswd`, read on every request so edits apply without a restart. */
  htpasswdPath: string;
  basicAuth: BasicAuthGuard;
  /** Null when the library is disabled. */
  secret: string | null;
  tokenExpirySeconds: number;
  maxUploadBytes: number;
  log: Logger;
  page: PageRenderer;
  /** The Origin rule (edge/origin.ts) for the token minting. */
  sameOrigin: MiddlewareHandler;
  /** Whether the request carries a Roomcast admin's session; such admins get no Basic prompt. */
  isAdmin: (c: Context) => boolean;
  /** Who is signed in (routes/accounts): an admin account needs no Basic credentials. */
  viewer?: (c: Context) => SiteViewer | null;
}

/** The name the page shows for an admin signed in with a session rather than Basic credentials. */
const SESSION_ADMIN = "admin";

const CHALLENGE = { "www-authenticate": 'Basic realm="Roomcast admin", charset="UTF-8"' };

/**
 * `GET /media/admin` (the page) and `POST /media/admin/token` (a fresh upload token for it). The
 * page stands in for the seed's Django view: an authenticated admin gets tokens minted here.
 */
export function createMediaAdminRoutes(deps: MediaAdminDeps): Hono {
  const app = new Hono();

  const requireAdmin = async (c: Context): Promise<string> => {
    const credentials = parseBasicAuth(c.req.header("authorization"));
    // Basic credentials, when sent, decide (a script's); else an admin session needs no prompt.
    if (!credentials && deps.isAdmin(c)) return deps.viewer?.(c)?.email ?? SESSION_ADMIN;
    // Basic credentials, when sent, are what a script means; else the session decides.
    const viewer = credentials ? null : deps.viewer?.(c);
    if (viewer?.admin) return viewer.email;
    if (viewer) throw mediaError(403, "This account is not an admin.");
    if (!credentials) throw mediaError(401, "Authentication required.", { headers: CHALLENGE });
    let text = "";
    try {
      text = await Deno.readTextFile(deps.htpasswdPath);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const result = await deps.basicAuth.verify(c, parseHtpasswd(text), credentials, mediaError);
    if (result.refusedHash) {
      deps.log.warn("Refused htpasswd entry: only bcrypt hashes are accepted", {
        user: credentials.user,
        hash: result.refusedHash,
      });
    }
    if (!result.ok) throw mediaError(401, "Invalid credentials.", { headers: CHALLENGE });
    return credentials.user;
  };

  app.get("/media/admin", async (c) => {
    const user = await requireAdmin(c);
    return deps.page(c, {
      title: "Media · Roomcast",
      entry: "media",
      styles: ["media.css"],
      data: {
        user,
        enabled: deps.secret !== null,
        maxUploadBytes: deps.maxUploadBytes,
        allowed: ALLOWED_EXTENSIONS,
      } satisfies MediaPageData,
    });
  });

  app.post("/media/admin/token", deps.sameOrigin, async (c) => {
    const user = await requireAdmin(c);
    if (deps.secret === null) throw mediaError(503, MESSAGES.disabled);
    const ts = Math.floor(Date.now() / 1000);
    deps.log.debug("Media token minted for the admin page", { user });
    c.header("cache-control", "no-store");
    const minted: MediaToken = {
      token: signMediaToken(deps.secret, ts),
      expires_at: new Date((ts + deps.tokenExpirySeconds) * 1000).toISOString(),
    };
    return c.json(minted);
  });

  return app;
}
