// The code session pages: the participant's view at /code/:code and the presenter's at /present.
import { Hono } from "hono";
import type { CodeStore } from "../../storage/code_store.ts";
import type { PageRenderer } from "../pages.ts";
import { groupSessionCode, normaliseSessionCode } from "./code_secrets.ts";
import { liveLimits } from "./code_files.ts";
import type { CodePageData, PresentPageData } from "./wire.ts";

export interface CodePagesDeps {
  store: Pick<CodeStore, "byCode">;
}

export function createCodePageRoutes(deps: CodePagesDeps, page: PageRenderer): Hono {
  const app = new Hono();

  app.get("/code/:code", async (c) => {
    const code = normaliseSessionCode(c.req.param("code"));
    const session = code ? await deps.store.byCode(code) : null;
    // The page still renders for an unknown or ended code, to say so in words.
    return page(c, {
      title: session ? `${session.displayName} · Roomcast` : "Code session · Roomcast",
      entry: "code",
      styles: ["code.css", "code_theme.css"],
      status: session ? 200 : 404,
      data: {
        code: session?.code ?? c.req.param("code").slice(0, 32),
        grouped: session ? groupSessionCode(session.code) : null,
        found: session !== null,
      } satisfies CodePageData,
    });
  });

  // `/code` alone (a join link with the code cut off) goes where sessions start.
  app.get("/code", (c) => c.redirect("present", 303));

  app.get("/present", (c) => {
    return page(c, {
      title: "Present code · Roomcast",
      entry: "present",
      styles: ["code.css", "code_theme.css"],
      data: { limits: liveLimits() } satisfies PresentPageData,
    });
  });

  return app;
}
